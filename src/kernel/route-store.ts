// Every kernel route, IPv4 and IPv6, with the active one of each (table, prefix) selected as the
// kernel selects it (src/kernel/family-routes.ts). Hardware is given only active routes, so
// every change reports the keys whose active route moved.
import { RouteRecord, recordFromRoute, type RouteAttrs } from '../netlink/route-record.ts';
import type { KernelRoute } from '../netlink/route-codec.ts';
import { AttrsTable } from './route-attrs.ts';
import { FamilyRoutes, type AddHow } from './family-routes.ts';
import type { RouteKeyList } from './route-keys.ts';

export type Family = 4 | 6;

export class RouteStore {
  private readonly attrs4 = new AttrsTable(4);
  private readonly attrs6 = new AttrsTable(6);
  v4 = new FamilyRoutes(4, this.attrs4);
  v6 = new FamilyRoutes(6, this.attrs6);

  family(f: Family): FamilyRoutes {
    return f === 4 ? this.v4 : this.v6;
  }

  /** Does any route of `family` have attributes that satisfy `test`? */
  someAttrs(family: Family, test: (a: RouteAttrs) => boolean): boolean {
    return (family === 4 ? this.attrs4 : this.attrs6).some(test);
  }

  /** Routes, every alias counted. */
  get size(): number {
    return this.v4.count + this.v6.count;
  }

  /** Distinct attribute sets in use (a full table has a handful). */
  get attributeSets(): number {
    return this.attrs4.size + this.attrs6.size;
  }

  add(rec: RouteRecord, how: AddHow, changed: RouteKeyList | null): void {
    this.family(rec.family).add(rec, how, changed);
  }

  /** `attrs` are the deleted route's attributes as notified (which alias goes depends on them). */
  delete(rec: RouteRecord, attrs: RouteAttrs, changed: RouteKeyList | null): void {
    this.family(rec.family).delete(rec, attrs, changed);
  }

  /** Applies a decoded route change: the event path. */
  apply(op: 'new' | 'del', route: KernelRoute, how: AddHow, changed: RouteKeyList | null, scratch = new RouteRecord()): void {
    const rec = recordFromRoute(route, scratch);
    if (op === 'new') this.add(rec, how, changed);
    else this.delete(rec, route, changed);
  }

  /**
   * A fresh, empty table for `family` sharing this store's attributes: fill it from a dump.
   * Sized for what the last dump held and a little more: sized exactly, one route more than
   * before doubled a full table's rows.
   */
  beginResync(family: Family): FamilyRoutes {
    const count = this.family(family).count;
    return new FamilyRoutes(family, family === 4 ? this.attrs4 : this.attrs6, Math.max(1024, count + (count >>> 4)));
  }

  /** Takes over a table filled from a dump, pushing every key whose active route moved. */
  finishResync(fresh: FamilyRoutes, changed: RouteKeyList): void {
    const old = this.family(fresh.family);
    old.diffActive(fresh, changed);
    old.releaseAll();
    if (fresh.family === 4) this.v4 = fresh;
    else this.v6 = fresh;
  }

  tableIds(): number[] {
    return [...new Set([...this.v4.perTable.keys(), ...this.v6.perTable.keys()])].sort((a, b) => a - b);
  }

  /** Route counts per table and family, every alias counted (as `ip route show table all`). */
  counts(): Map<number, { ipv4: number; ipv6: number }> {
    const out = new Map<number, { ipv4: number; ipv6: number }>();
    for (const t of this.tableIds()) out.set(t, { ipv4: this.v4.perTable.get(t) ?? 0, ipv6: this.v6.perTable.get(t) ?? 0 });
    return out;
  }

  /** Every route (all aliases) as objects: for tests and the CLI. */
  *routes(): Generator<KernelRoute> {
    yield* this.v4.routes();
    yield* this.v6.routes();
  }
}
