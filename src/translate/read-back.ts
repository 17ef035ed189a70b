// What a driver's Read returns, as a HardwareState: how the agent learns what is installed
// after a restart or a reconnect, and how tests and the checker compare hardware with the
// desired state.
import { Action, type v1 } from '../driver/wire.ts';
import { formatIp, formatMac } from '../driver/text.ts';
import { HardwareState, neighborKey } from './hardware-state.ts';
import { TargetKind, routeValue } from './route-value.ts';

function routeInto(state: HardwareState, r: v1.IRoute): void {
  const p = r.prefix;
  if (!p) return;
  const action = (r.action ?? Action.ACTION_UNSPECIFIED) as Action;
  const value = r.nextHopId != null ? routeValue(action, TargetKind.NextHop, r.nextHopId)
    : r.groupId != null ? routeValue(action, TargetKind.Group, r.groupId)
      : r.rifId != null ? routeValue(action, TargetKind.Rif, r.rifId)
        : routeValue(action);
  if (p.ipv4 != null) {
    state.routes4.set(r.vrfId ?? 0, p.length ?? 0, p.ipv4 >>> 0, 0, 0, 0, value);
  } else if (p.ipv6 && p.ipv6.length === 16) {
    const b = Buffer.from(p.ipv6);
    state.routes6.set(r.vrfId ?? 0, p.length ?? 0, b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12), value);
  }
}

/** Adds one entity as Read returned it. */
export function addEntity(state: HardwareState, e: v1.IEntity): void {
  if (e.vrf) state.vrfs.set(e.vrf.id ?? 0, { id: e.vrf.id ?? 0, name: e.vrf.name ?? '' });
  else if (e.routerInterface) {
    const r = e.routerInterface;
    state.rifs.set(r.id ?? 0, {
      id: r.id ?? 0, vrfId: r.vrfId ?? 0, portId: r.portId ?? 0, mac: formatMac(r.mac), mtu: r.mtu ?? 0, adminUp: Boolean(r.adminUp),
    });
  } else if (e.neighbor) {
    const n = e.neighbor;
    const ip = formatIp(n.ip);
    state.neighbors.set(neighborKey(n.rifId ?? 0, ip), { rifId: n.rifId ?? 0, ip, mac: formatMac(n.mac) });
  } else if (e.nextHop) {
    const n = e.nextHop;
    state.nexthops.set(n.id ?? 0, { id: n.id ?? 0, rifId: n.rifId ?? 0, ip: formatIp(n.ip) });
  } else if (e.nextHopGroup) {
    const g = e.nextHopGroup;
    state.groups.set(g.id ?? 0, { id: g.id ?? 0, members: (g.members ?? []).map((m) => ({ nextHopId: m.nextHopId ?? 0, weight: m.weight ?? 0 })) });
  } else if (e.route) routeInto(state, e.route);
}

export function hardwareFromEntities(entities: Iterable<v1.IEntity>): HardwareState {
  const state = new HardwareState();
  for (const e of entities) addEntity(state, e);
  return state;
}
