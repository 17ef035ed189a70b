// Hardware updates as the planner produces them and the driver client sends them: an
// operation on one entity of the contract's model, with routes in their compact form. Also how
// an acknowledged update changes a HardwareState, and the contract's wire form of each.
import { Action, UpdateType, type v1 } from '../driver/wire.ts';
import { parseIp, parseMac } from '../driver/text.ts';
import { RouteTarget, UpdateEncoder, type EncodedUpdates } from '../driver/update-encoder.ts';
import { neighborKey, type HardwareState, type HwGroup, type HwNeighbor, type HwNextHop, type HwRif, type HwVrf } from './hardware-state.ts';
import { ABSENT } from './route-table.ts';
import { TargetKind, actionOf, kindOf, targetOf, type RouteValue } from './route-value.ts';

export interface HwRoute {
  family: 4 | 6;
  vrfId: number;
  dstLen: number;
  /** Destination words in network order (IPv4: d0 only). */
  d0: number;
  d1: number;
  d2: number;
  d3: number;
  /** Unused by a delete. */
  value: RouteValue;
}

export type HwEntity =
  | { kind: 'vrf'; vrf: HwVrf }
  | { kind: 'rif'; rif: HwRif }
  | { kind: 'neighbor'; neighbor: HwNeighbor }
  | { kind: 'nextHop'; nextHop: HwNextHop }
  | { kind: 'group'; group: HwGroup }
  | { kind: 'route'; route: HwRoute };

export type Op = 'insert' | 'modify' | 'delete';

export interface HwUpdate {
  op: Op;
  entity: HwEntity;
}

/** Applies an update the driver acknowledged (status OK) to `state`. */
export function applyUpdate(state: HardwareState, u: HwUpdate): void {
  const del = u.op === 'delete';
  const e = u.entity;
  switch (e.kind) {
    case 'vrf': del ? state.vrfs.delete(e.vrf.id) : state.vrfs.set(e.vrf.id, e.vrf); break;
    case 'rif': del ? state.rifs.delete(e.rif.id) : state.rifs.set(e.rif.id, e.rif); break;
    case 'neighbor': {
      const k = neighborKey(e.neighbor.rifId, e.neighbor.ip);
      del ? state.neighbors.delete(k) : state.neighbors.set(k, e.neighbor);
      break;
    }
    case 'nextHop': del ? state.nexthops.delete(e.nextHop.id) : state.nexthops.set(e.nextHop.id, e.nextHop); break;
    case 'group': del ? state.groups.delete(e.group.id) : state.groups.set(e.group.id, e.group); break;
    case 'route': {
      const r = e.route;
      state.routes(r.family).set(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3, del ? ABSENT : r.value);
      break;
    }
  }
}

const UPDATE_TYPE: Record<Op, UpdateType> = { insert: UpdateType.INSERT, modify: UpdateType.MODIFY, delete: UpdateType.DELETE };

function v6Bytes(r: { d0: number; d1: number; d2: number; d3: number }): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(r.d0, 0);
  b.writeUInt32BE(r.d1, 4);
  b.writeUInt32BE(r.d2, 8);
  b.writeUInt32BE(r.d3, 12);
  return b;
}

export function routeToProto(r: HwRoute, withValue: boolean): v1.IRoute {
  const out: v1.IRoute = {
    vrfId: r.vrfId,
    prefix: r.family === 4 ? { ipv4: r.d0, length: r.dstLen } : { ipv6: v6Bytes(r), length: r.dstLen },
  };
  if (!withValue) return out;
  out.action = actionOf(r.value);
  if (out.action === Action.ACTION_FORWARD) {
    const id = targetOf(r.value);
    const kind = kindOf(r.value);
    if (kind === TargetKind.NextHop) out.nextHopId = id;
    else if (kind === TargetKind.Group) out.groupId = id;
    else out.rifId = id;
  }
  return out;
}

const TARGET_FIELD: Record<TargetKind, RouteTarget> = {
  [TargetKind.None]: RouteTarget.None, [TargetKind.NextHop]: RouteTarget.NextHop, [TargetKind.Group]: RouteTarget.Group, [TargetKind.Rif]: RouteTarget.Rif,
};

/** Encodes a batch for the wire: routes by hand (the full-sync hot path), the rest generated. */
export function encodeUpdates(batch: readonly HwUpdate[], enc = new UpdateEncoder()): EncodedUpdates {
  for (const u of batch) {
    const e = u.entity;
    if (e.kind !== 'route') {
      enc.add(toProto(u));
      continue;
    }
    const r = e.route;
    const forward = actionOf(r.value) === Action.ACTION_FORWARD;
    enc.route(UPDATE_TYPE[u.op], r.vrfId, r.family, r.dstLen, r.d0, r.d1, r.d2, r.d3, actionOf(r.value),
      forward ? TARGET_FIELD[kindOf(r.value)] : RouteTarget.None, forward ? targetOf(r.value) : 0);
  }
  return enc.finish();
}

/** The contract's form of an update. */
export function toProto(u: HwUpdate): v1.IUpdate {
  const e = u.entity;
  const full = u.op !== 'delete';
  let entity: v1.IEntity;
  switch (e.kind) {
    case 'vrf': entity = { vrf: { id: e.vrf.id, name: e.vrf.name } }; break;
    case 'rif': {
      const r = e.rif;
      entity = { routerInterface: full ? { id: r.id, vrfId: r.vrfId, portId: r.portId, mac: parseMac(r.mac), mtu: r.mtu, adminUp: r.adminUp } : { id: r.id } };
      break;
    }
    case 'neighbor': {
      const n = e.neighbor;
      entity = { neighbor: full ? { rifId: n.rifId, ip: parseIp(n.ip), mac: parseMac(n.mac) } : { rifId: n.rifId, ip: parseIp(n.ip) } };
      break;
    }
    case 'nextHop': {
      const n = e.nextHop;
      entity = { nextHop: full ? { id: n.id, rifId: n.rifId, ip: parseIp(n.ip) } : { id: n.id } };
      break;
    }
    case 'group': entity = { nextHopGroup: full ? { id: e.group.id, members: e.group.members } : { id: e.group.id } }; break;
    case 'route': entity = { route: routeToProto(e.route, full) }; break;
  }
  return { type: UPDATE_TYPE[u.op], entity };
}
