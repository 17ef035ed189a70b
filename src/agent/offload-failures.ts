// Entries the driver refused, with the code and message it gave. Routes are kept compact (a full
// table on a small ASIC can fail by the hundred thousand), with when to try them again: a route
// that failed for lack of room when its table reports room, any other after a backoff. The other
// entities (VRFs, router interfaces, neighbours, next hops, groups) are few and kept whole, for
// the status API only: the planner writes them again on every retry of the small tables, so a
// refusal is forgotten once the entity is no longer to write (it landed, or is no longer wanted).
import { Code, Table, codeName } from '../driver/wire.ts';
import {
  neighborKey, sameGroup, sameNeighbor, sameNextHop, sameRif, sameVrf, type HardwareState,
} from '../translate/hardware-state.ts';
import { ABSENT, RouteTable } from '../translate/route-table.ts';
import { TRAP } from '../translate/route-value.ts';
import { Covers } from './covers.ts';
import type { RouteKeyList } from '../kernel/route-keys.ts';
import type { HwEntity, HwRoute, HwUpdate, Op } from '../translate/updates.ts';
import type { RouteWork } from './route-work.ts';

/** A refused entity other than a route, as it was to be written. */
export interface EntityFailure {
  entity: Exclude<HwEntity, { kind: 'route' }>;
  op: Op;
  code: Code;
  message: string;
}

export class OffloadFailures {
  private readonly covers = new Covers();
  /** The failed routes or the installed ones changed since covers were computed. */
  private coversStale = false;

  constructor(public policy: 'safe' | 'retry' = 'safe') {}

  /** Failed routes: value = code * 16 + table (the full table a RESOURCE_EXHAUSTED waits for room in, else 0). */
  private readonly routes = [new RouteTable(4), new RouteTable(6)];
  /** The last message per code, for humans. */
  private readonly messages = new Map<number, string>();

  /** Refused entities other than routes, by kind and id. */
  private readonly entities = new Map<string, EntityFailure>();

  /** Refused entries of every kind. */
  get size(): number {
    return this.routes[0]!.size + this.routes[1]!.size + this.entities.size;
  }

  /** Counts by code name. */
  byCode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.entities.values()) out[codeName(f.code)] = (out[codeName(f.code)] ?? 0) + 1;
    for (const t of this.routes) t.forEach((s) => {
      const name = codeName(Math.floor(t.valueOf(s) / 16));
      out[name] = (out[name] ?? 0) + 1;
    });
    return out;
  }

  failed(r: HwRoute, code: Code, message: string, table: Table | null): void {
    if (code === Code.ABORTED) return; // not attempted: it goes again with the rest
    this.routes[r.family === 4 ? 0 : 1]!.set(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3, code * 16 + (table ?? 0));
    this.messages.set(code, message);
    if (code === Code.RESOURCE_EXHAUSTED) this.coversStale = true;
  }

  /** An update of a VRF, router interface, neighbour, next hop or group the driver refused. */
  entityFailed(u: HwUpdate, code: Code, message: string): void {
    const e = u.entity;
    if (code === Code.ABORTED || e.kind === 'route') return;
    this.entities.set(entityId(e), { entity: e, op: u.op, code, message });
  }

  /**
   * Forgets the refused entities that are no longer to write: the installed one is the desired
   * one (it landed, or the kernel changed back), or neither state has it (no longer wanted).
   * Cheap when nothing failed.
   */
  settleEntities(installed: HardwareState, desired: HardwareState): void {
    for (const [id, f] of this.entities) if (!toWrite(f.entity, installed, desired)) this.entities.delete(id);
  }

  /**
   * Forgets the failed routes there is nothing left to write for: the installed value is the
   * one to write (it landed, or the kernel changed back), or neither state has the route. For
   * the end of a cycle that read the driver back: the view the failures were judged against is
   * gone, and a route neither state holds is otherwise dropped only by its next retry, which a
   * cold sync's fresh start can discard with the rest of the queued work.
   */
  settleRoutes(installed: HardwareState, desired: HardwareState): void {
    const settled: number[] = [];
    this.forEach((family, vrf, len, d0, d1, d2, d3) => {
      const want = this.effective(family, vrf, len, d0, d1, d2, d3, desired.routes(family).get(vrf, len, d0, d1, d2, d3));
      if (installed.routes(family).get(vrf, len, d0, d1, d2, d3) === want) settled.push(family, vrf, len, d0, d1, d2, d3);
    });
    for (let i = 0; i < settled.length; i += 7) {
      this.forget(settled[i] as 4 | 6, settled[i + 1]!, settled[i + 2]!, settled[i + 3]!, settled[i + 4]!, settled[i + 5]!, settled[i + 6]!);
    }
  }

  /** Every refused entity other than a route. */
  forEachEntity(visit: (f: EntityFailure) => void): void {
    for (const f of this.entities.values()) visit(f);
  }

  /**
   * A route update the driver accepted: that route is no longer failed, and where routes wait
   * for room, what covers them may have changed. Cheap when nothing failed.
   */
  succeeded(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    const t = this.routes[family === 4 ? 0 : 1]!;
    if (!t.size) return;
    t.set(vrf, dstLen, d0, d1, d2, d3, -1);
    this.coversStale = true;
  }

  /** A route the driver already holds as wanted (read back, or the kernel changed it back): not failed. */
  alreadyRight(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    const t = this.routes[family === 4 ? 0 : 1]!;
    if (!t.size || t.get(vrf, dstLen, d0, d1, d2, d3) === ABSENT) return;
    t.set(vrf, dstLen, d0, d1, d2, d3, ABSENT);
    this.coversStale = true;
  }

  /** A route that is no longer wanted cannot fail any more. */
  forget(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    this.succeeded(family, vrf, dstLen, d0, d1, d2, d3);
  }

  /**
   * The value to write for a route: its desired one, except under the safe policy for an
   * installed route that covers a route that could not be installed: TRAP.
   */
  effective(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, desired: number): number {
    if (desired === ABSENT || this.covers.size === 0) return desired;
    return this.covers.isCover(family, vrf, dstLen, d0, d1, d2, d3) ? TRAP : desired;
  }

  /**
   * Under the safe policy, recomputes the covers if anything moved; returns the keys whose
   * effective value changed (to write again), or null.
   */
  updateCovers(installed: HardwareState): RouteKeyList | null {
    if (this.policy !== 'safe' || !this.coversStale) return null;
    this.coversStale = false;
    const changed = this.covers.recompute((visit) => {
      for (const t of this.routes) t.forEach((s) => {
        if (Math.floor(t.valueOf(s) / 16) !== Code.RESOURCE_EXHAUSTED) return;
        visit(t.family, t.vrfOf(s), t.dstLenOf(s), t.word(s, 0), t.word(s, 1), t.word(s, 2), t.word(s, 3));
      });
    }, installed);
    return changed.length ? changed : null;
  }

  /** Installed routes turned into TRAP to cover failed ones. */
  get coverCount(): number {
    return this.covers.size;
  }

  /** Tables known to have room again since the last retry (see retryDue). */
  private readonly roomIn = new Set<number>();

  /** A table has room (its usage says so, or a route of the family was deleted). */
  roomFreed(table: Table): void {
    this.roomIn.add(table);
  }

  /** Does any failed route wait for room in a table that has some now? */
  get roomWaiting(): boolean {
    if (this.roomIn.size === 0) return false;
    let any = false;
    for (const t of this.routes) t.forEach((s) => {
      const v = t.valueOf(s);
      if (Math.floor(v / 16) === Code.RESOURCE_EXHAUSTED && this.roomIn.has(v % 16)) any = true;
    });
    return any;
  }

  /**
   * Queues the failed routes due for another attempt: all of them, except those that failed
   * for lack of room in a full table that has not reported any since (unless `all`).
   */
  retryDue(work: RouteWork, all = false): void {
    for (const t of this.routes) t.forEach((s) => {
      const v = t.valueOf(s);
      if (!all && Math.floor(v / 16) === Code.RESOURCE_EXHAUSTED && v % 16 !== 0 && !this.roomIn.has(v % 16)) return;
      work.add(t.family, t.vrfOf(s), t.dstLenOf(s), t.word(s, 0), t.word(s, 1), t.word(s, 2), t.word(s, 3));
    });
    this.roomIn.clear();
  }

  /** The last message the driver gave with `code`. */
  messageOf(code: Code): string {
    return this.messages.get(code) ?? '';
  }

  /** Every failed route with its code. */
  forEach(visit: (family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, code: Code) => void): void {
    for (const t of this.routes) t.forEach((s) => visit(t.family, t.vrfOf(s), t.dstLenOf(s), t.word(s, 0), t.word(s, 1), t.word(s, 2), t.word(s, 3), Math.floor(t.valueOf(s) / 16)));
  }
}

function entityId(e: Exclude<HwEntity, { kind: 'route' }>): string {
  switch (e.kind) {
    case 'vrf': return `vrf ${e.vrf.id}`;
    case 'rif': return `rif ${e.rif.id}`;
    case 'neighbor': return `neighbor ${neighborKey(e.neighbor.rifId, e.neighbor.ip)}`;
    case 'nextHop': return `nextHop ${e.nextHop.id}`;
    case 'group': return `group ${e.group.id}`;
  }
}

/** Does the planner still have something to write for this entity (insert, modify or delete)? */
function toWrite(e: Exclude<HwEntity, { kind: 'route' }>, installed: HardwareState, desired: HardwareState): boolean {
  const differs = <T>(i: T | undefined, d: T | undefined, same: (a: T, b: T) => boolean) => (i && d ? !same(i, d) : i !== d);
  switch (e.kind) {
    case 'vrf': return differs(installed.vrfs.get(e.vrf.id), desired.vrfs.get(e.vrf.id), sameVrf);
    case 'rif': return differs(installed.rifs.get(e.rif.id), desired.rifs.get(e.rif.id), sameRif);
    case 'neighbor': {
      const k = neighborKey(e.neighbor.rifId, e.neighbor.ip);
      return differs(installed.neighbors.get(k), desired.neighbors.get(k), sameNeighbor);
    }
    case 'nextHop': return differs(installed.nexthops.get(e.nextHop.id), desired.nexthops.get(e.nextHop.id), sameNextHop);
    case 'group': return differs(installed.groups.get(e.group.id), desired.groups.get(e.group.id), sameGroup);
  }
}
