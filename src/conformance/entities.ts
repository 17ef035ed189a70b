// Entity helpers the cases share: a canonical form to compare what was written with what reads
// back, a short human description for failure messages, keys, kinds and dependencies.
import { pb, Action, type v1 } from '../driver/wire.ts';

export { KINDS, TYPE_OF_KIND, kindOf, type Kind } from '../driver/entity-kinds.ts';
import { kindOf } from '../driver/entity-kinds.ts';

/**
 * A canonical JSON form: encoded and decoded once (so a plain object and a decoded message
 * compare alike), every default made explicit, bytes in base64. Oneof members keep their
 * presence, so 0.0.0.0/0 (ipv4 = 0) differs from a prefix with no family.
 */
export function canon(e: v1.IEntity): string {
  const msg = pb.Entity.decode(pb.Entity.encode(e).finish());
  return JSON.stringify(pb.Entity.toObject(msg, { defaults: true, enums: String, bytes: String, longs: Number }));
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export function ipText(a: v1.IIpAddress | v1.IIpPrefix | null | undefined): string {
  if (!a) return '<unset>';
  if (a.ipv4 != null) {
    const n = a.ipv4 >>> 0;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  if (a.ipv6 != null) {
    const b = a.ipv6;
    if (b.length !== 16) return `ipv6<${b.length} bytes>`;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  return '<no family>';
}

const macText = (m: Uint8Array | null | undefined) =>
  m ? Array.from(m, (b) => b.toString(16).padStart(2, '0')).join(':') : '<unset>';

/** "route vrf 0x7f000001 10.0.0.0/24 FORWARD next_hop 0x7f000015" and the like. */
export function describe(e: v1.IEntity): string {
  const kind = kindOf(e);
  switch (kind) {
    case 'vrf':
      return `vrf ${hex(e.vrf!.id ?? 0)} "${e.vrf!.name ?? ''}"`;
    case 'routerInterface': {
      const r = e.routerInterface!;
      const att = r.loopback ? 'loopback' : r.portId != null ? `port ${r.portId}` : 'no attachment';
      return `rif ${hex(r.id ?? 0)} vrf ${hex(r.vrfId ?? 0)} ${att} vlan ${r.vlanId ?? 0} mac ${macText(r.mac)} mtu ${r.mtu ?? 0} ${r.adminUp ? 'up' : 'down'}`;
    }
    case 'neighbor': {
      const n = e.neighbor!;
      return `neighbor rif ${hex(n.rifId ?? 0)} ${ipText(n.ip)} mac ${macText(n.mac)}`;
    }
    case 'nextHop': {
      const h = e.nextHop!;
      return `next_hop ${hex(h.id ?? 0)} rif ${hex(h.rifId ?? 0)} ${ipText(h.ip)}`;
    }
    case 'nextHopGroup': {
      const g = e.nextHopGroup!;
      const ms = (g.members ?? []).map((m) => `${hex(m.nextHopId ?? 0)}*${m.weight ?? 0}`).join(',');
      return `group ${hex(g.id ?? 0)} [${ms}]`;
    }
    case 'route': {
      const r = e.route!;
      const target = r.nextHopId != null ? ` next_hop ${hex(r.nextHopId)}`
        : r.groupId != null ? ` group ${hex(r.groupId)}`
        : r.rifId != null ? ` rif ${hex(r.rifId)}` : '';
      const action = (Action[r.action ?? 0] ?? String(r.action)).replace('ACTION_', '');
      return `route vrf ${hex(r.vrfId ?? 0)} ${ipText(r.prefix)}/${r.prefix?.length ?? 0} ${action}${target}`;
    }
    default:
      return `entity ${JSON.stringify(pb.Entity.toObject(pb.Entity.decode(pb.Entity.encode(e).finish())))}`;
  }
}

function ipKey(a: v1.IIpAddress | v1.IIpPrefix | null | undefined): string {
  return a?.ipv4 != null ? `4:${a.ipv4 >>> 0}` : a?.ipv6 != null ? `6:${Buffer.from(a.ipv6).toString('hex')}` : '-';
}

/** The entity's key, as text: equal keys name the same entity. */
export function keyOf(e: v1.IEntity): string {
  switch (kindOf(e)) {
    case 'vrf': return `vrf:${e.vrf!.id ?? 0}`;
    case 'routerInterface': return `rif:${e.routerInterface!.id ?? 0}`;
    case 'neighbor': return `nbr:${e.neighbor!.rifId ?? 0}:${ipKey(e.neighbor!.ip)}`;
    case 'nextHop': return `nh:${e.nextHop!.id ?? 0}`;
    case 'nextHopGroup': return `grp:${e.nextHopGroup!.id ?? 0}`;
    case 'route': return `route:${e.route!.vrfId ?? 0}:${ipKey(e.route!.prefix)}/${e.route!.prefix?.length ?? 0}`;
    default: return 'invalid';
  }
}

/** Keys of the entities this one references. */
export function depsOf(e: v1.IEntity): string[] {
  switch (kindOf(e)) {
    case 'routerInterface': return [`vrf:${e.routerInterface!.vrfId ?? 0}`];
    case 'neighbor': return [`rif:${e.neighbor!.rifId ?? 0}`];
    case 'nextHop': return [`rif:${e.nextHop!.rifId ?? 0}`];
    case 'nextHopGroup': return (e.nextHopGroup!.members ?? []).map((m) => `nh:${m.nextHopId ?? 0}`);
    case 'route': {
      const r = e.route!;
      const t = r.nextHopId != null ? `nh:${r.nextHopId}` : r.groupId != null ? `grp:${r.groupId}` : r.rifId != null ? `rif:${r.rifId}` : null;
      return [`vrf:${r.vrfId ?? 0}`, ...(t ? [t] : [])];
    }
    default: return [];
  }
}

/**
 * The entities of `all` a Read filtered by `vrfId` must return, per ReadRequest.vrf_id: VRFs and
 * routes by vrf_id, interfaces by vrf_id, neighbours and next hops by their interface's VRF,
 * groups having a member in it.
 */
export function inVrf(all: v1.IEntity[], vrfId: number): v1.IEntity[] {
  const rifVrf = new Map<number, number>();
  const nhVrf = new Map<number, number>();
  for (const e of all) if (e.routerInterface) rifVrf.set(e.routerInterface.id ?? 0, e.routerInterface.vrfId ?? 0);
  for (const e of all) if (e.nextHop) nhVrf.set(e.nextHop.id ?? 0, rifVrf.get(e.nextHop.rifId ?? 0) ?? -1);
  return all.filter((e) => {
    if (e.vrf) return (e.vrf.id ?? 0) === vrfId;
    if (e.routerInterface) return (e.routerInterface.vrfId ?? 0) === vrfId;
    if (e.neighbor) return rifVrf.get(e.neighbor.rifId ?? 0) === vrfId;
    if (e.nextHop) return rifVrf.get(e.nextHop.rifId ?? 0) === vrfId;
    if (e.nextHopGroup) return (e.nextHopGroup.members ?? []).some((m) => nhVrf.get(m.nextHopId ?? 0) === vrfId);
    if (e.route) return (e.route.vrfId ?? 0) === vrfId;
    return false;
  });
}

/** `picked` and everything they depend on (transitively), in `all`'s order. */
export function withDeps(all: v1.IEntity[], picked: v1.IEntity[]): v1.IEntity[] {
  const byKey = new Map(all.map((e) => [keyOf(e), e]));
  const need = new Set<string>();
  const visit = (e: v1.IEntity) => {
    const k = keyOf(e);
    if (need.has(k)) return;
    need.add(k);
    for (const d of depsOf(e)) {
      const dep = byKey.get(d);
      if (dep) visit(dep);
    }
  };
  picked.forEach(visit);
  return all.filter((e) => need.has(keyOf(e)));
}
