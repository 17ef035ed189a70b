// Valid entities built from the driver's Capabilities: a real port for router interfaces, ids
// in a high private range (0x7f000000 and up) so they stay clear of anything a vendor's own
// tooling may use, locally administered MACs and documentation address ranges.
import { Action, UpdateType, type v1 } from '../driver/wire.ts';

export const ID_BASE = 0x7f000000;

export type Ip = v1.IIpAddress;

/** 10.1.0.2 -> { ipv4: 0x0a010002 } */
export function v4(text: string): { ipv4: number } {
  const parts = text.split('.').map(Number);
  return { ipv4: (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0) };
}

/** Full or "::"-abbreviated IPv6 text to 16 bytes. */
export function v6(text: string): { ipv6: Uint8Array } {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 255;
  });
  return { ipv6: out };
}

export function prefix4(text: string, length: number): v1.IIpPrefix {
  return { ...v4(text), length };
}
export function prefix6(text: string, length: number): v1.IIpPrefix {
  return { ...v6(text), length };
}

/** A locally administered unicast MAC, 02:cf:00:00:HH:LL. */
export function mac(n: number): Uint8Array {
  return Uint8Array.of(0x02, 0xcf, 0, 0, (n >> 8) & 255, n & 255);
}

export const insert = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.INSERT, entity });
export const modify = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.MODIFY, entity });
export const remove = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.DELETE, entity });

/** Ids of the standard world, offsets from ID_BASE. */
export const W = {
  vrfA: ID_BASE + 1,
  vrfB: ID_BASE + 2,
  rifPort: ID_BASE + 0x11,
  rifSub: ID_BASE + 0x12,
  rifLoop: ID_BASE + 0x13,
  nh4: ID_BASE + 0x21,
  nh6: ID_BASE + 0x22,
  nhB4: ID_BASE + 0x23,
  nhB6: ID_BASE + 0x24,
  groupMixed: ID_BASE + 0x31,
  groupEmpty: ID_BASE + 0x32,
  groupB: ID_BASE + 0x33,
} as const;

export class Fixtures {
  /** A front-panel port id from Capabilities. */
  readonly port: number;
  readonly defaultVrf: number;

  constructor(readonly caps: v1.ICapabilitiesResponse) {
    const p = caps.ports?.[0];
    if (!p) throw new Error('the driver reports no ports: cannot build router interfaces');
    this.port = p.id ?? 0;
    this.defaultVrf = caps.defaultVrfId ?? 0;
  }

  /** Ids for ad-hoc entities, clear of the standard world's. */
  id(n: number): number {
    return ID_BASE + 0x1000 + n;
  }

  vrf(id: number, name = `cf-${(id - ID_BASE).toString(16)}`): v1.IEntity {
    return { vrf: { id, name } };
  }

  portRif(id: number, vrfId: number, over: Partial<v1.IRouterInterface> = {}): v1.IEntity {
    return { routerInterface: { id, vrfId, portId: this.port, mac: mac(id & 0xffff), mtu: 9000, adminUp: true, vlanId: 0, ...over } };
  }

  loopbackRif(id: number, vrfId: number): v1.IEntity {
    return { routerInterface: { id, vrfId, loopback: {}, mac: mac(id & 0xffff), mtu: 65536, adminUp: true, vlanId: 0 } };
  }

  neighbor(rifId: number, ip: Ip, n = 1): v1.IEntity {
    return { neighbor: { rifId, ip, mac: mac(0x100 + n) } };
  }

  nextHop(id: number, rifId: number, ip: Ip): v1.IEntity {
    return { nextHop: { id, rifId, ip } };
  }

  group(id: number, members: [number, number][]): v1.IEntity {
    return { nextHopGroup: { id, members: members.map(([nextHopId, weight]) => ({ nextHopId, weight })) } };
  }

  route(vrfId: number, prefix: v1.IIpPrefix, target: { nextHopId?: number; groupId?: number; rifId?: number } | 'drop' | 'trap'): v1.IEntity {
    if (target === 'drop') return { route: { vrfId, prefix, action: Action.ACTION_DROP } };
    if (target === 'trap') return { route: { vrfId, prefix, action: Action.ACTION_TRAP } };
    return { route: { vrfId, prefix, action: Action.ACTION_FORWARD, ...target } };
  }

  /** VRF A with one port interface and one IPv4 next hop: the dependencies most cases need. */
  base(): v1.IEntity[] {
    return [
      this.vrf(W.vrfA),
      this.portRif(W.rifPort, W.vrfA),
      this.nextHop(W.nh4, W.rifPort, v4('10.1.0.2')),
    ];
  }

  /**
   * Every entity kind and every variant the contract allows, in dependency order: two VRFs,
   * port / sub-port / loopback interfaces, IPv4 and IPv6 neighbours and next hops, weighted,
   * empty and cross-VRF groups, routes of every action and target kind in both families
   * (default routes, host routes, RFC 5549, leaking across VRFs and into the default VRF).
   */
  world(): v1.IEntity[] {
    const { vrfA, vrfB, rifPort, rifSub, rifLoop, nh4, nh6, nhB4, nhB6, groupMixed, groupEmpty, groupB } = W;
    const d = this.defaultVrf;
    return [
      this.vrf(vrfA, 'cf-red'),
      this.vrf(vrfB, 'cf-blue'),
      this.portRif(rifPort, vrfA),
      this.portRif(rifSub, vrfB, { vlanId: 100, mtu: 1500, adminUp: false }),
      this.loopbackRif(rifLoop, vrfA),
      this.neighbor(rifPort, v4('10.1.0.2'), 1),
      this.neighbor(rifPort, v6('2001:db8:1::2'), 2),
      this.neighbor(rifSub, v4('10.2.0.2'), 3),
      this.neighbor(rifSub, v6('fe80::2'), 4),
      this.nextHop(nh4, rifPort, v4('10.1.0.2')),
      this.nextHop(nh6, rifPort, v6('2001:db8:1::2')),
      this.nextHop(nhB4, rifSub, v4('10.2.0.2')),
      this.nextHop(nhB6, rifSub, v6('fe80::2')),
      // Members deliberately not in id order: the driver must keep the client's order.
      this.group(groupMixed, [[nhB4, 3], [nh4, 1], [nh6, 2]]),
      this.group(groupEmpty, []),
      this.group(groupB, [[nhB6, 7]]),
      this.route(vrfA, prefix4('0.0.0.0', 0), { groupId: groupMixed }),
      this.route(vrfA, prefix4('10.1.0.0', 24), { rifId: rifPort }),
      this.route(vrfA, prefix4('10.9.0.0', 16), { nextHopId: nh4 }),
      this.route(vrfA, prefix4('10.1.0.1', 32), 'trap'),
      this.route(vrfA, prefix4('192.0.2.0', 24), 'drop'),
      this.route(vrfA, prefix4('198.51.100.7', 32), { nextHopId: nh6 }),
      this.route(vrfA, prefix4('10.32.0.0', 12), { groupId: groupEmpty }),
      this.route(vrfA, prefix6('::', 0), { groupId: groupB }),
      this.route(vrfA, prefix6('2001:db8:1::', 64), { rifId: rifPort }),
      this.route(vrfA, prefix6('2001:db8:1::1', 128), 'trap'),
      this.route(vrfA, prefix6('2001:db8:dead::', 48), 'drop'),
      this.route(vrfA, prefix6('2001:db8:9::', 64), { nextHopId: nh6 }),
      this.route(vrfA, prefix6('2001:db8:4::', 64), { nextHopId: nh4 }),
      this.route(vrfB, prefix4('10.2.0.0', 24), { rifId: rifSub }),
      this.route(vrfB, prefix4('203.0.113.0', 24), { nextHopId: nh4 }),
      this.route(vrfB, prefix6('2001:db8:b::', 64), { groupId: groupMixed }),
      this.route(vrfB, prefix4('0.0.0.0', 0), 'drop'),
      this.route(vrfB, prefix6('::', 0), 'trap'),
      this.route(d, prefix4('100.64.0.0', 10), { nextHopId: nhB4 }),
    ];
  }
}
