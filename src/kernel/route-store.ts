// Every kernel route, by (table, family, prefix), with the active one selected as the kernel
// selects it. Hardware is given only the active route of each prefix, so the store reports
// how each change moved the active route.
//
// IPv4 keeps fib aliases per prefix in kernel order: by tos (higher first), then priority
// (lower first), then insertion order, where a plain add or prepend goes before existing
// aliases of the same (tos, priority), append after them, and replace takes the first one's
// place. The active route is the first alias with tos 0 (a tos route matches only packets
// with that tos, which hardware cannot tell apart).
// IPv6 keeps one route per (prefix, metric): multipath routes are one entry with every
// sibling as a nexthop, as dumps and append notifications show them.
import type { KernelRoute } from '../netlink/changes.ts';
import { NexthopSets } from './nexthop-sets.ts';
import { sameNexthops, sameRoute } from './route-equality.ts';

export type Family = 4 | 6;

export function prefixKey(r: { dst: string; dstLen: number }): string {
  return `${r.dst}/${r.dstLen}`;
}

/** Routes of one prefix in one table, in kernel order. */
type Aliases = KernelRoute[];
/** As stored: almost every prefix has one route, kept without an array around it. */
type Stored = KernelRoute | Aliases;
const toList = (v: Stored | undefined): Aliases => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const stored = (list: Aliases): Stored => (list.length === 1 ? list[0]! : list);

export interface ActiveChange {
  table: number;
  family: Family;
  prefix: string;
  /** The active route before and after; undefined when there was / is none. */
  before: KernelRoute | undefined;
  after: KernelRoute | undefined;
}

function order(a: KernelRoute, b: KernelRoute): number {
  return b.tos - a.tos || a.priority - b.priority;
}

export class RouteStore {
  /** table -> family -> prefix -> aliases */
  private readonly tables = new Map<number, Map<Family, Map<string, Stored>>>();
  private nhSets = new NexthopSets();
  private count = 0;

  get size(): number {
    return this.count;
  }

  private slot(table: number, family: Family, create: boolean): Map<string, Stored> | undefined {
    let t = this.tables.get(table);
    if (!t) {
      if (!create) return undefined;
      this.tables.set(table, (t = new Map()));
    }
    let f = t.get(family);
    if (!f && create) t.set(family, (f = new Map()));
    return f;
  }

  active(table: number, family: Family, prefix: string): KernelRoute | undefined {
    return activeOf(toList(this.slot(table, family, false)?.get(prefix)));
  }

  aliases(table: number, family: Family, prefix: string): readonly KernelRoute[] {
    return toList(this.slot(table, family, false)?.get(prefix));
  }

  /** Applies an RTM_NEWROUTE as the kernel applied it (flags from the notification). */
  add(r: KernelRoute, how: { replace: boolean; append: boolean }): ActiveChange | null {
    const prefix = prefixKey(r);
    r.nexthops = this.nhSets.intern(r.nexthops);
    const slot = this.slot(r.table, r.family, true)!;
    const list = toList(slot.get(prefix));
    const before = activeOf(list);
    if (r.family === 6) {
      // Gateway routes of one (prefix, metric) are siblings of one multipath entry; other
      // routes of the same metric (device routes on several links) stay separate entries.
      const i = list.findIndex((x) => sameV6Slot(x, r) && (how.replace || (isGateway(x) && isGateway(r)) || sameNexthops(x.nexthops, r.nexthops)));
      if (i >= 0) {
        const old = list[i]!;
        // A replace carries the whole new state; an append or add of a sibling carries the full
        // set on current kernels and one sibling on older ones: the union is right for both.
        if (!how.replace && isGateway(old) && isGateway(r) && !sameNexthops(old.nexthops, r.nexthops)) {
          const merged = [...old.nexthops];
          for (const n of r.nexthops) if (!merged.some((m) => m.ifindex === n.ifindex && m.gateway === n.gateway)) merged.push(n);
          this.nhSets.release(r.nexthops);
          r.nexthops = this.nhSets.intern(merged);
        }
        this.nhSets.release(old.nexthops);
        list[i] = r;
      } else {
        insertOrdered(list, r, true);
        this.count++;
      }
    } else {
      const same = list.findIndex((x) => x.tos === r.tos && x.priority === r.priority);
      // The kernel refuses an identical alias (EEXIST), so a notification for a route already
      // here (replayed after a dump that included it) changes nothing.
      if (!how.replace && list.some((x) => sameRoute(x, r))) {
        this.nhSets.release(r.nexthops);
        return null;
      }
      if (how.replace && same >= 0) {
        this.nhSets.release(list[same]!.nexthops);
        list[same] = r;
      }
      else {
        insertOrdered(list, r, how.append);
        this.count++;
      }
    }
    slot.set(prefix, stored(list));
    return this.changed(r.table, r.family, prefix, before, activeOf(list));
  }

  /** Applies an RTM_DELROUTE: removes the alias the kernel removed (or the nexthops, for IPv6). */
  delete(r: KernelRoute): ActiveChange | null {
    const prefix = prefixKey(r);
    const slot = this.slot(r.table, r.family, false);
    const list = toList(slot?.get(prefix));
    if (!slot || list.length === 0) return null;
    const before = activeOf(list);
    const candidates = list.filter((x) => x.tos === r.tos && x.priority === r.priority && (r.family === 4 || sameV6Slot(x, r)));
    const exact = candidates.find((x) => x.type === r.type && sameNexthops(x.nexthops, r.nexthops));
    const sameDevice = candidates.find((x) => x.nexthops[0]?.ifindex === r.nexthops[0]?.ifindex
      && (r.family === 4 || !isGateway(r) || x.nexthops.some((n) => n.gateway === r.nexthops[0]?.gateway)));
    const victim = exact ?? sameDevice ?? candidates[0];
    if (!victim) return null;
    if (!exact && r.family === 6 && r.nexthops.length > 0 && r.nexthops.length < victim.nexthops.length) {
      // IPv6 deletes one sibling of a multipath route: the rest stays.
      const remaining = victim.nexthops.filter((n) => !r.nexthops.some((d) => d.ifindex === n.ifindex && d.gateway === n.gateway));
      if (remaining.length < victim.nexthops.length && remaining.length > 0) {
        this.nhSets.release(victim.nexthops);
        list[list.indexOf(victim)] = { ...victim, nexthops: this.nhSets.intern(remaining) };
        slot.set(prefix, stored(list));
        return this.changed(r.table, r.family, prefix, before, activeOf(list));
      }
    }
    list.splice(list.indexOf(victim), 1);
    this.nhSets.release(victim.nexthops);
    this.count--;
    if (list.length === 0) slot.delete(prefix);
    else slot.set(prefix, stored(list));
    return this.changed(r.table, r.family, prefix, before, activeOf(list));
  }

  private changed(table: number, family: Family, prefix: string, before: KernelRoute | undefined, after: KernelRoute | undefined): ActiveChange | null {
    return before === after ? null : { table, family, prefix, before, after };
  }

  /** Every route of one table and family (all aliases), or every table when table is null. */
  *routes(table: number | null = null): Generator<KernelRoute> {
    const ids = table === null ? [...this.tables.keys()] : [table];
    for (const id of ids) {
      const t = this.tables.get(id);
      if (!t) continue;
      for (const fam of t.values()) for (const v of fam.values()) yield* toList(v);
    }
  }

  /** Active routes, one per (table, family, prefix). */
  *activeRoutes(table: number | null = null): Generator<KernelRoute> {
    const ids = table === null ? [...this.tables.keys()] : [table];
    for (const id of ids) {
      const t = this.tables.get(id);
      if (!t) continue;
      for (const fam of t.values()) {
        for (const v of fam.values()) {
          const a = Array.isArray(v) ? activeOf(v) : v.tos === 0 && v.srcLen === 0 ? v : undefined;
          if (a) yield a;
        }
      }
    }
  }

  tableIds(): number[] {
    return [...this.tables.keys()].sort((a, b) => a - b);
  }

  /** Route counts per table and family, every alias counted (as `ip route show table all`). */
  counts(): Map<number, { ipv4: number; ipv6: number }> {
    const out = new Map<number, { ipv4: number; ipv6: number }>();
    for (const [id, t] of this.tables) {
      const c = { ipv4: 0, ipv6: 0 };
      for (const [fam, m] of t) for (const v of m.values()) c[fam === 4 ? 'ipv4' : 'ipv6'] += Array.isArray(v) ? v.length : 1;
      out.set(id, c);
    }
    return out;
  }

  clear(): void {
    this.tables.clear();
    this.nhSets.clear();
    this.count = 0;
  }

  /** Distinct nexthop sets in use. */
  get nexthopSets(): number {
    return this.nhSets.size;
  }

  /**
   * How the active routes would change if this store's content became `next`'s: walks both
   * stores' maps by their existing keys, building no strings.
   */
  diffActive(next: RouteStore): ActiveChange[] {
    const out: ActiveChange[] = [];
    const activeIn = (v: Stored | undefined) => (v === undefined ? undefined : Array.isArray(v) ? activeOf(v) : v.tos === 0 && v.srcLen === 0 ? v : undefined);
    for (const [table, fams] of next.tables) {
      for (const [family, prefixes] of fams) {
        const mine = this.slot(table, family, false);
        for (const [prefix, v] of prefixes) {
          const after = activeIn(v);
          const before = activeIn(mine?.get(prefix));
          if (after === before || (after && before && sameRoute(after, before))) continue;
          out.push({ table, family, prefix, before, after });
        }
      }
    }
    for (const [table, fams] of this.tables) {
      for (const [family, prefixes] of fams) {
        const theirs = next.slot(table, family, false);
        for (const [prefix, v] of prefixes) {
          if (theirs?.has(prefix)) continue;
          const before = activeIn(v);
          if (before) out.push({ table, family, prefix, before, after: undefined });
        }
      }
    }
    return out;
  }

  /** Takes over another store's content (after a resync built it from a dump). */
  replaceWith(other: RouteStore): void {
    this.tables.clear();
    for (const [k, v] of other.tables) this.tables.set(k, v);
    this.count = other.count;
    this.nhSets = other.nhSets;
  }
}

const isGateway = (r: KernelRoute) => r.type === 1 && r.nexthops.length > 0 && r.nexthops.every((n) => n.gateway !== undefined);
const sameV6Slot = (a: KernelRoute, b: KernelRoute) => a.priority === b.priority && a.srcLen === b.srcLen && a.src === b.src;

function activeOf(list: Aliases | undefined): KernelRoute | undefined {
  if (!list) return undefined;
  for (const r of list) if (r.tos === 0 && r.srcLen === 0) return r;
  return undefined;
}

/** Inserts before (or with `after`, behind) the aliases that sort equal to it. */
function insertOrdered(list: Aliases, r: KernelRoute, after: boolean): void {
  let i = 0;
  while (i < list.length && (order(list[i]!, r) < 0 || (after && order(list[i]!, r) === 0))) i++;
  list.splice(i, 0, r);
}
