// Kernel mirror -> desired hardware state, kept current change by change.
//
// What hardware should hold is a function of the kernel state, the configuration and the
// driver's facts only; this class computes it incrementally because a full table is a million
// routes. Routes are translated per attribute set (a handful in a full table) and cached;
// a route change re-evaluates its prefix; a change to what routes resolve through (router
// interfaces, VRF tables, nexthop objects) re-evaluates every route, a walk of the mirror.
// Next hops and groups exist while routes use them (reference counted), with ids kept stable:
// a key keeps its id while it lives, and ids already installed in the driver are adopted
// (warm restart writes nothing for unchanged state).
import type { KernelMirror, MirrorEvent } from '../kernel/mirror.ts';
import type { FamilyRoutes } from '../kernel/family-routes.ts';
import { RouteKeyList } from '../kernel/route-keys.ts';
import { Action } from '../driver/wire.ts';
import type { RouteAttrs } from '../kernel/route-attrs.ts';
import { computeBase, type Base } from './base.ts';
import { HardwareState, neighborKey, type HwGroupMember } from './hardware-state.ts';
import type { DriverFacts, TranslateConfig } from './inputs.ts';
import { membersKey, routeIntent, type NexthopRef } from './route-intent.ts';
import { TableShadows } from './table-shadows.ts';
import { ABSENT, RouteTable } from './route-table.ts';
import { DROP, TRAP, TargetKind, actionOf, kindOf, routeValue, targetOf, type RouteValue } from './route-value.ts';

/** Told of each hardware route a rebuild sets (see rebuildSteps). */
export type RouteEmitter = (family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue) => void;

/** A kernel route that gives no hardware route (multicast): look in the next table. */
const SKIP = -2;

function isLinkLocal6(dstLen: number, d0: number): boolean {
  return dstLen >= 10 && (d0 >>> 22) === (0xfe80 >>> 6);
}

interface GroupInfo {
  refs: number;
  members: NexthopRef[];
}

export class Translator {
  readonly desired = new HardwareState();
  base: Base;
  /**
   * Route value per attribute set, by the mirror's attribute id and family (an id may be reused,
   * an interned object is not: an entry counts only for the object it was computed from);
   * renewed when everything is translated again.
   */
  private values = { 4: new ValueCache(), 6: new ValueCache() };
  /** Routes of a VRF's earlier tables that cover later tables' routes (the default VRF's). */
  private readonly shadows = { 4: new TableShadows(4), 6: new TableShadows(6) };
  private readonly nhIds = new Map<string, number>();
  private readonly nhKeys = new Map<number, { rifId: number; ip: string }>();
  private readonly nhRefs = new Map<number, number>();
  private readonly groupIds = new Map<string, number>();
  private readonly groups = new Map<number, GroupInfo>();
  /** Groups the driver had no room for: routes on one member meanwhile, or a probe under way. */
  private readonly groupState = new Map<number, 'fallback' | 'probing'>();
  private nextNhId = 1;
  private nextGroupId = 1;
  /** Installed groups whose id a new group with the same members may take over, by content. */
  private adoptable = new Map<string, number[]>();

  constructor(public config: TranslateConfig, readonly facts: DriverFacts, private readonly mirror: KernelMirror) {
    this.base = computeBase(mirror, config, facts);
  }

  /**
   * Takes the ids of what the driver already holds (a warm restart), so that equal entities
   * keep their ids and need no update. Call before the first rebuild.
   */
  adopt(installed: HardwareState): void {
    for (const nh of installed.nexthops.values()) {
      this.nhIds.set(`${nh.rifId}|${nh.ip}`, nh.id);
      this.nhKeys.set(nh.id, { rifId: nh.rifId, ip: nh.ip });
      this.nextNhId = Math.max(this.nextNhId, nh.id + 1);
    }
    for (const g of installed.groups.values()) {
      const key = this.hwMembersKey(g.members, installed);
      this.adoptable.set(key, [...(this.adoptable.get(key) ?? []), g.id]);
      this.nextGroupId = Math.max(this.nextGroupId, g.id + 1);
    }
  }

  private hwMembersKey(members: readonly HwGroupMember[], state: HardwareState): string {
    return members.map((m) => {
      const nh = state.nexthops.get(m.nextHopId);
      return `${nh?.rifId}|${nh?.ip}|${m.weight}`;
    }).sort().join(';');
  }

  /**
   * New configuration (port map, excluded VRFs): everything is translated again from the
   * mirror as it is, no kernel re-dump. Returns the route keys to diff (all of them).
   */
  reconfigure(config: TranslateConfig): RouteKeyList {
    this.config = config;
    return this.rebuild();
  }

  /** Translates everything from scratch; returns the hardware route keys to diff (all of them). */
  rebuild(): RouteKeyList {
    this.base = computeBase(this.mirror, this.config, this.facts);
    this.syncSmallTables();
    return this.reevaluateAll();
  }

  /**
   * Applies what a batch of mirror events changed. Returns the hardware route keys whose desired
   * value may differ now (families marked whole: every key).
   */
  update(events: readonly MirrorEvent[]): RouteKeyList {
    let objects = false;
    let nexthopObjects = false;
    for (const e of events) {
      if (e.kind === 'routes') continue;
      objects = true;
      if (e.kind === 'nexthop') nexthopObjects = true;
    }
    if (objects) {
      const before = this.base;
      const fallbacks = this.fallbackChoices();
      this.base = computeBase(this.mirror, this.config, this.facts);
      this.syncSmallTables();
      // A fallen-back group's routes follow its first resolved member: a neighbour change may
      // pick another (rare: the group table must be full).
      if (nexthopObjects || !sameRouting(before, this.base) || this.fallbackChoices() !== fallbacks) return this.reevaluateAll();
    }
    const changed = new RouteKeyList();
    for (const e of events) {
      if (e.kind !== 'routes') continue;
      for (const family of [4, 6] as const) {
        if (e.keys.isWhole(family)) for (const _ of this.reevaluateFamily(family, changed, Infinity, null));
      }
      for (let i = 0; i < e.keys.length; i++) {
        const family = e.keys.family(i);
        if (changed.isWhole(family)) continue;
        const table = e.keys.table(i);
        const vrf = this.base.tableVrf.get(table);
        if (vrf === undefined) continue;
        const len = e.keys.dstLen(i);
        const d0 = e.keys.word(i, 0);
        const d1 = e.keys.word(i, 1);
        const d2 = e.keys.word(i, 2);
        const d3 = e.keys.word(i, 3);
        this.reevaluate(family, vrf, len, d0, d1, d2, d3, changed);
        // A route of an earlier table may cover (or stop covering) later tables' routes.
        const more = this.shadows[family].changed(this.mirror.routes.family(family), this.base.vrfTables.get(vrf)!, table, len, d0, d1, d2, d3);
        if (more === 'family') for (const _ of this.reevaluateFamily(family, changed, Infinity, null));
        else if (more !== 'none') for (const k of more) this.reevaluate(family, vrf, k[0]!, k[1]!, k[2]!, k[3]!, k[4]!, changed);
      }
    }
    return changed;
  }

  // ---- small tables -------------------------------------------------------------------------

  /** VRFs, router interfaces and neighbours from the Base; group members follow neighbours. */
  private syncSmallTables() {
    const d = this.desired;
    replaceMap(d.vrfs, this.base.vrfs);
    replaceMap(d.rifs, this.base.rifs);
    replaceMap(d.neighbors, this.base.neighbors);
    for (const [id, g] of this.groups) if (g.refs > 0) d.groups.set(id, { id, members: this.hwMembers(g.members) });
  }

  /**
   * A group's hardware members: its next hops with a resolved neighbour (an unresolved one
   * would trap its share of flows), or, when none is resolved, all of them (every flow traps
   * through the neighbour miss, as the route would if it trapped itself). Weights scaled to the
   * driver's maximum; at most its member limit.
   */
  private hwMembers(refs: readonly NexthopRef[]): HwGroupMember[] {
    const resolved = refs.filter((m) => this.base.neighbors.has(neighborKey(m.rifId, m.ip)));
    const use = (resolved.length ? resolved : refs).slice(0, this.facts.maxMembersPerGroup);
    const top = Math.max(...use.map((m) => m.weight));
    const scale = top > this.facts.maxMemberWeight ? this.facts.maxMemberWeight / top : 1;
    return use.map((m) => ({ nextHopId: this.nhIds.get(`${m.rifId}|${m.ip}`)!, weight: Math.max(1, Math.round(m.weight * scale)) }));
  }

  // ---- routes -------------------------------------------------------------------------------

  private reevaluateAll(): RouteKeyList {
    const changed = new RouteKeyList();
    for (const _ of this.reevaluateSteps(changed, Infinity, null));
    return changed;
  }

  /**
   * rebuild(), in steps: yields after every `chunk` kernel prefixes, and tells `emit` of each
   * hardware route as it is set. A caller can write routes while the rest is still being
   * translated (a cold sync: the driver works on the first batches meanwhile).
   */
  *rebuildSteps(chunk: number, emit: RouteEmitter): Generator<void> {
    this.base = computeBase(this.mirror, this.config, this.facts);
    this.syncSmallTables();
    yield* this.reevaluateSteps(new RouteKeyList(), chunk, emit);
  }

  private *reevaluateSteps(changed: RouteKeyList, chunk: number, emit: RouteEmitter | null): Generator<void> {
    this.values = { 4: new ValueCache(), 6: new ValueCache() };
    for (const family of [4, 6] as const) yield* this.reevaluateFamily(family, changed, chunk, emit);
    this.adoptable.clear();
  }

  /**
   * Every hardware route of a family from scratch, the kernel's and the synthetic ones, into a
   * fresh table; then the old one's references are dropped (after the new ones are taken, so an
   * entity still in use never goes away in between).
   */
  private *reevaluateFamily(family: 4 | 6, changed: RouteKeyList, chunk: number, emit: RouteEmitter | null): Generator<void> {
    changed.markWhole(family);
    const old = this.desired.routes(family);
    const kernel = this.mirror.routes.family(family);
    // One hardware route per kernel prefix, about: sized once, filled by append, indexed at the
    // end, with room for the synthetic routes of each VRF set after it (sized to the prefixes
    // alone, the first of them doubled a full table's rows: 25 MB of the agent's peak).
    const table = new RouteTable(family, Math.max(64, old.size, kernel.prefixes) + 2 * this.base.vrfTables.size + 64);
    this.desired.replaceRoutes(family, table);
    const heads = kernel.headSlots();
    const shadows = this.shadows[family];
    shadows.reset(kernel, this.base.vrfTables.values(), heads);
    // The head's table, its VRF, the VRF's tables in lookup order and where the head's stands.
    let lastTable = -1;
    let vrf: number | undefined;
    let tables: readonly number[] = [];
    let at = 0;
    let covers = shadows.coversOf([], 0);
    const refs = new RefTally((v, n) => this.ref(v, n));
    for (let i = 0; i < heads.length; i++) {
      if (i % chunk === chunk - 1) {
        // What the routes so far use must exist before the caller writes them.
        refs.flush();
        yield;
      }
      const h = heads[i]!;
      const t = kernel.tableOf(h);
      if (t !== lastTable) {
        lastTable = t;
        vrf = this.base.tableVrf.get(t);
        tables = vrf === undefined ? [] : this.base.vrfTables.get(vrf) ?? [];
        at = tables.indexOf(t);
        covers = shadows.coversOf(tables, Math.max(0, at));
      }
      if (vrf === undefined || at < 0) continue;
      const len = kernel.dstLenOf(h);
      const d0 = kernel.dstWord(h, 0);
      const d1 = family === 6 ? kernel.dstWord(h, 1) : 0;
      const d2 = family === 6 ? kernel.dstWord(h, 2) : 0;
      const d3 = family === 6 ? kernel.dstWord(h, 3) : 0;
      // A hardware route is given by the first of its VRF's tables that holds the prefix (the
      // default VRF's local, main, default): heads of the later ones would give it again.
      if (at > 0 && this.heldBefore(kernel, tables, at, len, d0, d1, d2, d3)) continue;
      // The common case first: nothing earlier covers the prefix and its own route forwards.
      const covered = at > 0 && shadows.mayCover(covers, kernel.words, len, d0, d1, d2, d3) && this.coveredBefore(family, kernel, tables, at, len, d0, d1, d2, d3);
      const s = covered ? -1 : kernel.activeOf(h);
      const own = s < 0 || (family === 6 && isLinkLocal6(len, d0)) ? SKIP : this.valueOfAttrs(kernel, s);
      const value = own !== SKIP ? own : this.valueFrom(family, tables, at, h, len, d0, d1, d2, d3);
      if (value === ABSENT) continue;
      table.append(vrf, len, d0, d1, d2, d3, value);
      refs.add(value);
      emit?.(family, vrf, len, d0, d1, d2, d3, value);
    }
    refs.flush();
    // Each key was appended once; a repeat would be a bug here, and costs only a refused insert.
    for (const v of table.indexAppended()) this.deref(v);
    for (const v of this.base.vrfTables.keys()) {
      this.reevaluate(family, v, 0, 0, 0, 0, 0, null, emit);
      if (family === 6) this.reevaluate(6, v, 10, 0xfe800000, 0, 0, 0, null, emit);
    }
    old.forEach((s) => this.deref(old.valueOf(s)));
    // Its rows may be shared with the installed routes (RouteTable.twin): those it alone held go.
    old.release();
  }

  /** Does a route of tables[0, at) cover the prefix (so that it, not the prefix's own, answers)? */
  private coveredBefore(family: 4 | 6, kernel: FamilyRoutes, tables: readonly number[], at: number, len: number, d0: number, d1: number, d2: number, d3: number): boolean {
    const shadows = this.shadows[family];
    for (let k = 0; k < at; k++) if (shadows.cover(kernel, tables[k]!, len, d0, d1, d2, d3, this.forwards) >= 0) return true;
    return false;
  }

  /** Does any of tables[0, at) hold the prefix? */
  private heldBefore(kernel: FamilyRoutes, tables: readonly number[], at: number, len: number, d0: number, d1: number, d2: number, d3: number): boolean {
    for (let k = 0; k < at; k++) {
      if (kernel.hasLength(tables[k]!, len) && kernel.head(tables[k]!, len, d0, d1, d2, d3) >= 0) return true;
    }
    return false;
  }

  /** Re-evaluates one hardware route and records it in `changed` when its value moved. */
  private reevaluate(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, changed: RouteKeyList | null, emit: RouteEmitter | null = null) {
    const value = this.desiredValue(family, vrf, dstLen, d0, d1, d2, d3);
    const old = this.desired.routes(family).set(vrf, dstLen, d0, d1, d2, d3, value);
    if (old === value) return;
    this.ref(value);
    this.deref(old);
    changed?.push(family, vrf, dstLen, d0, d1, d2, d3);
    if (value !== ABSENT) emit?.(family, vrf, dstLen, d0, d1, d2, d3, value);
  }

  /** What hardware route (vrf, prefix) should be, or ABSENT. */
  desiredValue(family: 4 | 6, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): RouteValue {
    const tables = this.base.vrfTables.get(vrf);
    return tables ? this.valueFrom(family, tables, 0, -1, dstLen, d0, d1, d2, d3) : ABSENT;
  }

  /**
   * The hardware route of a prefix from its VRF's tables[from...] (`head`: the prefix's chain in
   * tables[from], or -1 to look it up), or ABSENT. Tables are in FIB rule order (the default
   * VRF: local, main, default): the first one with a route for the prefix gives it.
   */
  private valueFrom(family: 4 | 6, tables: readonly number[], from: number, head: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): RouteValue {
    if (family === 6 && isLinkLocal6(dstLen, d0)) {
      // Link-local destinations are per interface: one trap route for all of fe80::/10.
      return dstLen === 10 ? TRAP : ABSENT;
    }
    const kernel = this.mirror.routes.family(family);
    // A hardware route exists where a table holds the prefix itself.
    let held = head >= 0;
    for (let k = from; !held && k < tables.length; k++) held = kernel.hasLength(tables[k]!, dstLen) && kernel.head(tables[k]!, dstLen, d0, d1, d2, d3) >= 0;
    if (!held) return dstLen === 0 ? TRAP : ABSENT;
    const shadows = this.shadows[family];
    for (let k = 0; k < tables.length; k++) {
      const t = tables[k]!;
      // Tables before `from` do not hold the prefix (the caller knows); they may cover it.
      if (k >= from) {
        const s = k === from && head >= 0 ? kernel.activeOf(head) : kernel.active(t, dstLen, d0, d1, d2, d3);
        const v = s < 0 ? SKIP : this.valueOfAttrs(kernel, s);
        if (v !== SKIP) return v;
      }
      // No route for the prefix itself here: a shorter one of this table answers first, if any.
      const c = shadows.cover(kernel, t, dstLen, d0, d1, d2, d3, this.forwards);
      if (c >= 0) return this.valueOfAttrs(kernel, c);
    }
    // A miss in a hardware VRF does not fall through to other tables as a kernel lookup does:
    // without a default route of the table's own, hardware must give the packet to the kernel.
    return dstLen === 0 ? TRAP : ABSENT;
  }

  /** Does the route in `slot` give a hardware route (not one to look past, as multicast)? */
  private readonly forwards = (kernel: FamilyRoutes, slot: number): boolean => this.valueOfAttrs(kernel, slot) !== SKIP;

  private valueOfAttrs(kernel: FamilyRoutes, slot: number): RouteValue {
    const id = kernel.attrIdOf(slot);
    const attrs = kernel.attrs.get(id);
    const cache = this.values[kernel.family];
    if (cache.attrs[id] === attrs) return cache.value[id]!;
    const v = this.valueOfIntent(attrs);
    cache.attrs[id] = attrs;
    cache.value[id] = v;
    return v;
  }

  /** What a route with these attributes becomes in hardware (valueOfAttrs, uncached). */
  private valueOfIntent(attrs: RouteAttrs): RouteValue {
    let v: RouteValue;
    const intent = routeIntent(attrs, this.base, this.mirror);
    switch (intent.kind) {
      case 'skip': v = SKIP; break;
      case 'trap': v = TRAP; break;
      case 'drop': v = DROP; break;
      case 'rif': v = routeValue(Action.ACTION_FORWARD, TargetKind.Rif, intent.rifId); break;
      case 'nexthops': {
        if (intent.members.length === 1) {
          v = routeValue(Action.ACTION_FORWARD, TargetKind.NextHop, this.nexthopId(intent.members[0]!));
          break;
        }
        const gid = this.groupId(intent.members);
        // A group the driver has no room for: one of its next hops meanwhile (a resolved one).
        v = this.groupState.has(gid)
          ? routeValue(Action.ACTION_FORWARD, TargetKind.NextHop, this.nexthopId(this.fallbackMember(intent.members)))
          : routeValue(Action.ACTION_FORWARD, TargetKind.Group, gid);
      }
    }
    return v;
  }

  private nexthopId(m: NexthopRef): number {
    const key = `${m.rifId}|${m.ip}`;
    let id = this.nhIds.get(key);
    if (id === undefined) {
      this.nhIds.set(key, (id = this.nextNhId++));
      this.nhKeys.set(id, { rifId: m.rifId, ip: m.ip });
    }
    return id;
  }

  private groupId(members: NexthopRef[]): number {
    const key = membersKey(members);
    let id = this.groupIds.get(key);
    if (id === undefined) {
      for (const m of members) this.nexthopId(m);
      const hwKey = this.hwMembers(members).map((m) => {
        const nh = this.nhKeys.get(m.nextHopId)!;
        return `${nh.rifId}|${nh.ip}|${m.weight}`;
      }).sort().join(';');
      const adopted = this.adoptable.get(hwKey)?.shift();
      id = adopted ?? this.nextGroupId++;
      this.groupIds.set(key, id);
      this.groups.set(id, { refs: 0, members });
    }
    return id;
  }

  // ---- reference counts ---------------------------------------------------------------------

  /** Takes `n` references to what `v` forwards through. */
  private ref(v: RouteValue, n = 1) {
    if (v < 0 || actionOf(v) !== Action.ACTION_FORWARD) return;
    const kind = kindOf(v);
    if (kind === TargetKind.NextHop) this.refNexthop(targetOf(v), n);
    else if (kind === TargetKind.Group) this.refGroup(targetOf(v), n);
  }

  private deref(v: RouteValue) {
    if (v < 0 || actionOf(v) !== Action.ACTION_FORWARD) return;
    const kind = kindOf(v);
    if (kind === TargetKind.NextHop) this.refNexthop(targetOf(v), -1);
    else if (kind === TargetKind.Group) this.refGroup(targetOf(v), -1);
  }

  /** A group exists in the desired state while referenced (by routes, or by a probe). */
  private refGroup(id: number, delta: number) {
    const g = this.groups.get(id)!;
    g.refs += delta;
    if (delta > 0 && g.refs === delta) {
      for (const m of g.members) this.refNexthop(this.nhIds.get(`${m.rifId}|${m.ip}`)!, +1);
      this.desired.groups.set(id, { id, members: this.hwMembers(g.members) });
    } else if (delta < 0 && g.refs === 0) {
      this.desired.groups.delete(id);
      for (const m of g.members) this.refNexthop(this.nhIds.get(`${m.rifId}|${m.ip}`)!, -1);
    }
  }

  // ---- groups the driver has no room for ---------------------------------------------------

  private fallbackMember(members: readonly NexthopRef[]): NexthopRef {
    return members.find((m) => this.base.neighbors.has(neighborKey(m.rifId, m.ip))) ?? members[0]!;
  }

  /** Which member each fallen-back group's routes use now (probed or not; '' when none has fallen back). */
  private fallbackChoices(): string {
    let out = '';
    for (const id of this.groupState.keys()) {
      const m = this.fallbackMember(this.groups.get(id)!.members);
      out += `${id}:${m.rifId}|${m.ip};`;
    }
    return out;
  }

  /**
   * The driver refused to create group `id` for lack of room: its routes fall back to one of its
   * next hops (as SONiC's temporary route does) until a probe succeeds. Returns the route keys
   * to diff (all), or null when nothing changed.
   */
  groupRefused(id: number): RouteKeyList | null {
    const state = this.groupState.get(id);
    if (state === 'fallback' || !this.groups.has(id)) return null;
    this.groupState.set(id, 'fallback');
    if (state === 'probing') {
      this.refGroup(id, -1);
      return null;
    }
    return this.reevaluateAll();
  }

  /**
   * Tries the fallen-back groups again: each is put back in the desired state by itself (its
   * routes stay on their next hop), so trying costs one update, not one per route.
   */
  probeGroups(): boolean {
    let any = false;
    for (const [id, state] of this.groupState) {
      if (state !== 'fallback') continue;
      this.groupState.set(id, 'probing');
      this.refGroup(id, +1);
      any = true;
    }
    return any;
  }

  /** The driver created group `id`: a probing group's routes move back onto it. */
  groupInstalled(id: number): RouteKeyList | null {
    if (this.groupState.get(id) !== 'probing') return null;
    this.groupState.delete(id);
    const changed = this.reevaluateAll();
    this.refGroup(id, -1);
    return changed;
  }

  /** Groups whose routes use one next hop for now. */
  get fallenBackGroups(): number {
    return this.groupState.size;
  }

  private refNexthop(id: number, delta: number) {
    const n = (this.nhRefs.get(id) ?? 0) + delta;
    if (n > 0) {
      this.nhRefs.set(id, n);
      if (delta > 0 && n === delta) this.desired.nexthops.set(id, { id, ...this.nhKeys.get(id)! });
    } else {
      this.nhRefs.delete(id);
      this.desired.nexthops.delete(id);
    }
  }
}

/**
 * References a rebuild takes, counted per route value and taken in one go: a million routes use
 * a handful of next hops and groups, and a map update per route would cost more than the rest.
 */
class RefTally {
  private readonly values: RouteValue[] = [];
  private readonly counts: number[] = [];
  constructor(private readonly take: (v: RouteValue, n: number) => void) {}

  add(v: RouteValue): void {
    const vs = this.values;
    for (let i = 0; i < vs.length; i++) {
      if (vs[i] === v) {
        this.counts[i]!++;
        return;
      }
    }
    if (vs.length === 16) this.flush();
    vs.push(v);
    this.counts.push(1);
  }

  flush(): void {
    for (let i = 0; i < this.values.length; i++) this.take(this.values[i]!, this.counts[i]!);
    this.values.length = 0;
    this.counts.length = 0;
  }
}

/** Route values by attribute id, each valid for the attribute object it was computed from. */
class ValueCache {
  readonly attrs: (RouteAttrs | undefined)[] = [];
  readonly value: RouteValue[] = [];
}

function replaceMap<K, V>(target: Map<K, V>, source: Map<K, V>) {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}

/** Do routes resolve the same way under both Bases (same VRF tables and router interfaces)? */
function sameRouting(a: Base, b: Base): boolean {
  return sameEntries(a.tableVrf, b.tableVrf) && sameEntries(a.rifOf, b.rifOf);
}

function sameEntries<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
