// Desired vs installed hardware state -> the updates that make one the other, in an order the
// driver accepts at every step: no entity is created before what it references, none deleted
// while something references it, and nothing is written that is already right.
//
// Stages: updates within a stage are independent (distinct keys, no references between them),
// so a client may send a stage in any batches and in parallel; stages go in order.
//  A  only when a router interface must be recreated (its VRF changed; a VRF is create-only):
//     routes that use it are parked (set to trap, so the kernel forwards meanwhile) or deleted,
//     groups drop their members on it, then its next hops, neighbours and itself are deleted.
//  B  creates and modifies, top down: VRFs, router interfaces, neighbours, next hops, groups.
//  R  routes: inserts, modifies and deletes (parked ones come back here).
//  C  deletes, bottom up: groups, next hops, neighbours, router interfaces, VRFs.
import { Action } from '../driver/wire.ts';
import { RouteKeyList } from '../kernel/route-keys.ts';
import {
  HardwareState, neighborKey, rifMustBeRecreated, sameGroup, sameNeighbor, sameNextHop, sameRif, sameVrf,
  type HwGroup,
} from './hardware-state.ts';
import { ABSENT, type RouteTable } from './route-table.ts';
import { TRAP, TargetKind, actionOf, kindOf, targetOf, type RouteValue } from './route-value.ts';
import type { HwEntity, HwUpdate, Op } from './updates.ts';

export type Stage = HwUpdate[];

export interface SmallPlan {
  /** Stages A and B. */
  before: Stage[];
  /** Stage C. */
  after: Stage[];
  /** Routes parked in stage A: their final update belongs to stage R. */
  parked: RouteKeyList;
}

interface Keyed<T> {
  key: (e: T) => string | number;
  same: (a: T, b: T) => boolean;
  wrap: (e: T) => HwEntity;
}

const VRF: Keyed<HardwareState['vrfs'] extends Map<number, infer T> ? T : never> = { key: (e) => e.id, same: sameVrf, wrap: (vrf) => ({ kind: 'vrf', vrf }) };
const RIF: Keyed<HardwareState['rifs'] extends Map<number, infer T> ? T : never> = { key: (e) => e.id, same: sameRif, wrap: (rif) => ({ kind: 'rif', rif }) };
const NEIGHBOR: Keyed<HardwareState['neighbors'] extends Map<string, infer T> ? T : never> = { key: (e) => neighborKey(e.rifId, e.ip), same: sameNeighbor, wrap: (neighbor) => ({ kind: 'neighbor', neighbor }) };
const NEXTHOP: Keyed<HardwareState['nexthops'] extends Map<number, infer T> ? T : never> = { key: (e) => e.id, same: sameNextHop, wrap: (nextHop) => ({ kind: 'nextHop', nextHop }) };
const GROUP: Keyed<HwGroup> = { key: (e) => e.id, same: sameGroup, wrap: (group) => ({ kind: 'group', group }) };

/** Inserts and modifies of one table (stage B), and its deletes (stage C). */
function diffTable<K, T>(installed: Map<K, T>, desired: Map<K, T>, k: Keyed<T>): { upserts: Stage; deletes: Stage } {
  const upserts: Stage = [];
  const deletes: Stage = [];
  for (const [key, d] of desired) {
    const i = installed.get(key);
    if (!i) upserts.push({ op: 'insert', entity: k.wrap(d) });
    else if (!k.same(i, d)) upserts.push({ op: 'modify', entity: k.wrap(d) });
  }
  for (const [key, i] of installed) if (!desired.has(key)) deletes.push({ op: 'delete', entity: k.wrap(i) });
  return { upserts, deletes };
}

const nonEmpty = (stages: Stage[]) => stages.filter((s) => s.length > 0);

/** The small tables' stages (A, B, C), parking routes in A where needed. */
export function planSmall(installed: HardwareState, desired: HardwareState): SmallPlan {
  const parked = new RouteKeyList();
  const before: Stage[] = [];
  // Work on a copy of the small tables: stage A changes what B and C compare against.
  const now = new HardwareState();
  for (const [k, v] of installed.vrfs) now.vrfs.set(k, v);
  for (const [k, v] of installed.rifs) now.rifs.set(k, v);
  for (const [k, v] of installed.neighbors) now.neighbors.set(k, v);
  for (const [k, v] of installed.nexthops) now.nexthops.set(k, v);
  for (const [k, v] of installed.groups) now.groups.set(k, v);

  const recreated = new Set<number>();
  for (const [id, d] of desired.rifs) {
    const i = installed.rifs.get(id);
    if (i && rifMustBeRecreated(i, d)) recreated.add(id);
  }
  if (recreated.size) before.push(...parkAndRemove(installed, desired, now, recreated, parked));

  const vrfs = diffTable(now.vrfs, desired.vrfs, VRF);
  const rifs = diffTable(now.rifs, desired.rifs, RIF);
  const neighbors = diffTable(now.neighbors, desired.neighbors, NEIGHBOR);
  const nexthops = diffTable(now.nexthops, desired.nexthops, NEXTHOP);
  const groups = diffTable(now.groups, desired.groups, GROUP);
  before.push(vrfs.upserts, rifs.upserts, neighbors.upserts, nexthops.upserts, groups.upserts);
  const after = [groups.deletes, nexthops.deletes, neighbors.deletes, rifs.deletes, vrfs.deletes];
  return { before: nonEmpty(before), after: nonEmpty(after), parked };
}

/** Stage A for router interfaces that must be recreated; updates `now` as it goes. */
function parkAndRemove(installed: HardwareState, desired: HardwareState, now: HardwareState, rifs: Set<number>, parked: RouteKeyList): Stage[] {
  const nexthops = new Set<number>();
  for (const nh of installed.nexthops.values()) if (rifs.has(nh.rifId)) nexthops.add(nh.id);
  const groups = new Set<number>();
  for (const g of installed.groups.values()) if (g.members.some((m) => nexthops.has(m.nextHopId))) groups.add(g.id);
  const uses = (v: RouteValue) => {
    if (actionOf(v) !== Action.ACTION_FORWARD) return false;
    const id = targetOf(v);
    switch (kindOf(v)) {
      case TargetKind.Rif: return rifs.has(id);
      case TargetKind.NextHop: return nexthops.has(id);
      case TargetKind.Group: return groups.has(id);
      default: return false;
    }
  };
  const routes: Stage = [];
  for (const family of [4, 6] as const) {
    const table = installed.routes(family);
    table.forEach((s) => {
      if (!uses(table.valueOf(s))) return;
      const route = routeAt(table, s, TRAP);
      const want = desired.routes(family).get(route.vrfId, route.dstLen, route.d0, route.d1, route.d2, route.d3);
      routes.push({ op: want === ABSENT ? 'delete' : 'modify', entity: { kind: 'route', route } });
      parked.push(family, route.vrfId, route.dstLen, route.d0, route.d1, route.d2, route.d3);
    });
  }
  const trimmed: Stage = [];
  for (const id of groups) {
    const g = installed.groups.get(id)!;
    if (desired.groups.has(id)) {
      const group = { id, members: g.members.filter((m) => !nexthops.has(m.nextHopId)) };
      trimmed.push({ op: 'modify', entity: { kind: 'group', group } });
      now.groups.set(id, group);
    } else {
      trimmed.push({ op: 'delete', entity: { kind: 'group', group: g } });
      now.groups.delete(id);
    }
  }
  const removeWhere = <K, T>(map: Map<K, T>, test: (e: T) => boolean, wrap: (e: T) => HwEntity): Stage => {
    const out: Stage = [];
    for (const [k, e] of map) {
      if (!test(e)) continue;
      out.push({ op: 'delete', entity: wrap(e) });
      map.delete(k);
    }
    return out;
  };
  return [
    routes,
    trimmed,
    removeWhere(now.nexthops, (nh) => rifs.has(nh.rifId), NEXTHOP.wrap),
    removeWhere(now.neighbors, (n) => rifs.has(n.rifId), NEIGHBOR.wrap),
    removeWhere(now.rifs, (r) => rifs.has(r.id), RIF.wrap),
  ];
}

function routeAt(table: RouteTable, s: number, value: RouteValue) {
  return {
    family: table.family, vrfId: table.vrfOf(s), dstLen: table.dstLenOf(s),
    d0: table.word(s, 0), d1: table.word(s, 1), d2: table.word(s, 2), d3: table.word(s, 3), value,
  };
}

/** The update that takes a route from its installed value to its desired one, if any. */
export function routeOp(installed: RouteValue, desired: RouteValue): Op | null {
  if (installed === desired) return null;
  if (desired === ABSENT) return 'delete';
  return installed === ABSENT ? 'insert' : 'modify';
}

const routeKey = (r: { family: number; vrfId: number; dstLen: number; d0: number; d1: number; d2: number; d3: number }) =>
  `${r.family}/${r.vrfId}/${r.dstLen}/${r.d0}/${r.d1}/${r.d2}/${r.d3}`;

/**
 * Stage R for every route of both states (a full sync; the agent diffs changed keys only).
 * `parkedBy` is stage A's route updates: those routes stand as stage A left them.
 */
export function planAllRoutes(installed: HardwareState, desired: HardwareState, parkedBy: Stage = []): Stage {
  const out: Stage = [];
  const parked = new Map<string, RouteValue>();
  for (const u of parkedBy) if (u.entity.kind === 'route') parked.set(routeKey(u.entity.route), u.op === 'delete' ? ABSENT : u.entity.route.value);
  for (const family of [4, 6] as const) {
    const want = desired.routes(family);
    const have = installed.routes(family);
    want.forEach((s) => {
      const r = routeAt(want, s, want.valueOf(s));
      const now = parked.get(routeKey(r)) ?? have.get(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3);
      const op = routeOp(now, r.value);
      if (op) out.push({ op, entity: { kind: 'route', route: r } });
    });
    have.forEach((s) => {
      const r = routeAt(have, s, have.valueOf(s));
      if (want.get(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3) === ABSENT && parked.get(routeKey(r)) !== ABSENT) {
        out.push({ op: 'delete', entity: { kind: 'route', route: r } });
      }
    });
  }
  return out;
}

/** Every stage of a full sync, in order. */
export function planAll(installed: HardwareState, desired: HardwareState): Stage[] {
  const small = planSmall(installed, desired);
  const parkedBy = small.parked.length ? small.before[0]! : [];
  return nonEmpty([...small.before, planAllRoutes(installed, desired, parkedBy), ...small.after]);
}
