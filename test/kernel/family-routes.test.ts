// The compact route table: kernel alias order, active route selection, IPv6 siblings, the keys
// it reports, and its hash index under heavy churn (checked against a naive reference model).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RouteType, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { RouteRecord, recordFromRoute } from '../../src/netlink/route-record.ts';
import { RouteStore } from '../../src/kernel/route-store.ts';
import { RouteKeyList } from '../../src/kernel/route-keys.ts';
import { FamilyRoutes } from '../../src/kernel/family-routes.ts';
import { AttrsTable } from '../../src/kernel/route-attrs.ts';

const r4 = (dst: string, dstLen: number, extra: Partial<KernelRoute> = {}): KernelRoute => ({
  family: 4, table: 254, dst, dstLen, srcLen: 0, tos: 0, protocol: 3, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 0,
  nexthops: [{ ifindex: 2, gateway: '192.168.0.1', weight: 1, flags: 0 }], ...extra,
});
const r6 = (dst: string, dstLen: number, gateways: string[], extra: Partial<KernelRoute> = {}): KernelRoute => ({
  family: 6, table: 254, dst, dstLen, srcLen: 0, tos: 0, protocol: 3, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 1024, pref: 0,
  nexthops: gateways.map((g, i) => ({ ifindex: 2 + i, gateway: g, weight: 1, flags: 0 })), ...extra,
});
const gw = (r: KernelRoute) => r.nexthops.map((n) => n.gateway).join(',');

const texts = (keys: RouteKeyList) => Array.from({ length: keys.length }, (_, i) => keys.text(i));

function apply(store: RouteStore | FamilyRoutes, op: 'new' | 'del', r: KernelRoute, how = { replace: false, append: false }): string[] {
  const keys = new RouteKeyList();
  const rec = recordFromRoute(r, new RouteRecord());
  const t = store instanceof RouteStore ? store.family(r.family) : store;
  if (op === 'new') t.add(rec, how, keys);
  else t.delete(rec, r, keys);
  return texts(keys);
}

function aliases(store: RouteStore | FamilyRoutes, r: KernelRoute): KernelRoute[] {
  const t = store instanceof RouteStore ? store.family(r.family) : store;
  const rec = recordFromRoute(r, new RouteRecord());
  const out: KernelRoute[] = [];
  for (let s = t.head(r.table, r.dstLen, rec.d0, rec.d1, rec.d2, rec.d3); s !== -1; s = t.nextAlias(s)) out.push(t.route(s));
  return out;
}

function active(store: RouteStore, r: KernelRoute): KernelRoute | undefined {
  const t = store.family(r.family);
  const rec = recordFromRoute(r, new RouteRecord());
  const s = t.active(r.table, r.dstLen, rec.d0, rec.d1, rec.d2, rec.d3);
  return s === -1 ? undefined : t.route(s);
}

describe('IPv4 aliases in kernel order', () => {
  it('orders by tos, then metric; prepend before, append after; replace in place', () => {
    const s = new RouteStore();
    expect(apply(s, 'new', r4('10.0.0.0', 8, { nexthops: [{ ifindex: 2, gateway: '192.168.0.1', weight: 1, flags: 0 }] }))).toEqual(['254/10.0.0.0/8']);
    // A tos route sorts first but is never the active one.
    expect(apply(s, 'new', r4('10.0.0.0', 8, { tos: 0x10 }))).toEqual([]);
    expect(apply(s, 'new', r4('10.0.0.0', 8, { nexthops: [{ ifindex: 3, gateway: '192.168.0.2', weight: 1, flags: 0 }] }), { replace: false, append: true })).toEqual([]);
    expect(apply(s, 'new', r4('10.0.0.0', 8, { nexthops: [{ ifindex: 4, gateway: '192.168.0.3', weight: 1, flags: 0 }] }))).toEqual(['254/10.0.0.0/8']);
    expect(aliases(s, r4('10.0.0.0', 8)).map((r) => `${r.tos}:${gw(r)}`)).toEqual(['16:192.168.0.1', '0:192.168.0.3', '0:192.168.0.1', '0:192.168.0.2']);
    expect(gw(active(s, r4('10.0.0.0', 8))!)).toBe('192.168.0.3');
    // A lower metric goes first; a higher one last.
    apply(s, 'new', r4('10.0.0.0', 8, { priority: 50, nexthops: [{ ifindex: 5, gateway: '192.168.0.5', weight: 1, flags: 0 }] }));
    expect(gw(aliases(s, r4('10.0.0.0', 8)).at(-1)!)).toBe('192.168.0.5');
    // Replace takes the first alias of the same (tos, metric).
    expect(apply(s, 'new', r4('10.0.0.0', 8, { type: RouteType.BLACKHOLE, nexthops: [] }), { replace: true, append: false })).toEqual(['254/10.0.0.0/8']);
    expect(active(s, r4('10.0.0.0', 8))!.type).toBe(RouteType.BLACKHOLE);
    expect(s.size).toBe(5);
    // An identical add (replayed after a dump) changes nothing.
    expect(apply(s, 'new', r4('10.0.0.0', 8, { type: RouteType.BLACKHOLE, nexthops: [] }))).toEqual([]);
    expect(s.size).toBe(5);
    // Deleting the active alias promotes the next one.
    expect(apply(s, 'del', r4('10.0.0.0', 8, { type: RouteType.BLACKHOLE, nexthops: [] }))).toEqual(['254/10.0.0.0/8']);
    expect(gw(active(s, r4('10.0.0.0', 8))!)).toBe('192.168.0.1');
    expect(s.counts().get(254)).toEqual({ ipv4: 4, ipv6: 0 });
  });

  it('keeps tables apart and reports a prefix whose last route goes', () => {
    const s = new RouteStore();
    apply(s, 'new', r4('10.1.0.0', 16));
    apply(s, 'new', r4('10.1.0.0', 16, { table: 100 }));
    expect(s.tableIds()).toEqual([100, 254]);
    expect(apply(s, 'del', r4('10.1.0.0', 16, { table: 100 }))).toEqual(['100/10.1.0.0/16']);
    expect(active(s, r4('10.1.0.0', 16, { table: 100 }))).toBeUndefined();
    expect(active(s, r4('10.1.0.0', 16))).toBeDefined();
    expect(s.tableIds()).toEqual([254]);
  });
});

describe('IPv6 siblings', () => {
  it('merges gateway routes of one metric, deletes one sibling, replaces the whole set', () => {
    const s = new RouteStore();
    expect(apply(s, 'new', r6('2001:db8::', 32, ['fe80::1']))).toEqual(['254/2001:db8::/32']);
    expect(apply(s, 'new', r6('2001:db8::', 32, ['fe80::2']), { replace: false, append: true })).toEqual(['254/2001:db8::/32']);
    expect(aliases(s, r6('2001:db8::', 32, []))).toHaveLength(1);
    expect(gw(active(s, r6('2001:db8::', 32, []))!)).toBe('fe80::1,fe80::2');
    // Another metric is another route.
    apply(s, 'new', r6('2001:db8::', 32, ['fe80::9'], { priority: 2000 }));
    expect(aliases(s, r6('2001:db8::', 32, [])).map((r) => r.priority)).toEqual([1024, 2000]);
    // A delete naming one sibling leaves the other.
    expect(apply(s, 'del', { ...r6('2001:db8::', 32, ['fe80::1']) })).toEqual(['254/2001:db8::/32']);
    expect(gw(active(s, r6('2001:db8::', 32, []))!)).toBe('fe80::2');
    expect(apply(s, 'new', r6('2001:db8::', 32, ['fe80::7', 'fe80::8']), { replace: true, append: false })).toEqual(['254/2001:db8::/32']);
    expect(gw(active(s, r6('2001:db8::', 32, []))!)).toBe('fe80::7,fe80::8');
    expect(s.size).toBe(2);
  });
});

describe('resync', () => {
  it('reports exactly the keys whose active route differs in the fresh dump', () => {
    const s = new RouteStore();
    for (const r of [r4('10.0.0.0', 8), r4('10.1.0.0', 16), r4('10.2.0.0', 16), r4('10.3.0.0', 16, { tos: 8 })]) apply(s, 'new', r);
    const fresh = s.beginResync(4);
    const rec = new RouteRecord();
    const dumped = [r4('10.0.0.0', 8), r4('10.1.0.0', 16, { type: RouteType.BLACKHOLE, nexthops: [] }), r4('10.4.0.0', 16), r4('10.3.0.0', 16, { tos: 4 })];
    for (const r of dumped) fresh.add(recordFromRoute(r, rec), { replace: false, append: true }, null);
    const keys = new RouteKeyList();
    s.finishResync(fresh, keys);
    expect(texts(keys).sort()).toEqual(['254/10.1.0.0/16', '254/10.2.0.0/16', '254/10.4.0.0/16']);
    expect([...s.routes()].map((r) => `${r.dst}/${r.dstLen}`).sort()).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.3.0.0/16', '10.4.0.0/16']);
    expect(s.attributeSets).toBe(2);
  });
});

describe('loading a dump', () => {
  it('gives what adding the same routes in order gives, prefixes met again later included', () => {
    const route = fc.record({
      prefix: fc.integer({ min: 0, max: 40 }),
      table: fc.constantFrom(254, 100),
      tos: fc.constantFrom(0, 8),
      priority: fc.constantFrom(0, 10),
      nh: fc.integer({ min: 0, max: 3 }),
    });
    // Indexed as it loads every `step` slots: a prefix met again may be indexed already.
    fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (routes, step) => {
      const loaded = new FamilyRoutes(4, new AttrsTable(4), 4, step);
      const added = new FamilyRoutes(4, new AttrsTable(4), 4);
      const rec = new RouteRecord();
      for (const o of routes) {
        const a = 0x0a000000 + o.prefix * 256;
        const r = r4(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0`, 24, {
          table: o.table, tos: o.tos, priority: o.priority, nexthops: [{ ifindex: 2 + o.nh, gateway: `192.168.0.${o.nh + 1}`, weight: 1, flags: 0 }],
        });
        loaded.load(recordFromRoute(r, rec));
        added.add(recordFromRoute(r, rec), { replace: false, append: true }, null);
      }
      // Same aliases in the same order within each prefix (prefixes themselves in any order).
      const byPrefix = (t: FamilyRoutes) => {
        const m = new Map<string, string[]>();
        for (const r of t.routes()) m.set(`${r.table}/${r.dst}`, [...(m.get(`${r.table}/${r.dst}`) ?? []), `${r.tos}/${r.priority}/${gw(r)}`]);
        return Object.fromEntries([...m].sort());
      };
      expect(byPrefix(loaded)).toEqual(byPrefix(added));
      expect(loaded.count).toBe(added.count);
      expect(loaded.prefixes).toBe(added.prefixes);
    }), { numRuns: 200 });
  });
});

/** A naive model of IPv4 alias semantics: a list per key, objects everywhere. */
class Reference {
  readonly byKey = new Map<string, KernelRoute[]>();
  private same = (a: KernelRoute, b: KernelRoute) => a.tos === b.tos && a.priority === b.priority;
  private identical = (a: KernelRoute, b: KernelRoute) => this.same(a, b) && a.type === b.type && gw(a) === gw(b);
  key = (r: KernelRoute) => `${r.table}/${r.dst}/${r.dstLen}`;
  active(k: string) {
    const a = (this.byKey.get(k) ?? []).find((r) => r.tos === 0);
    return a ? `${a.priority}:${a.type}:${gw(a)}` : '';
  }
  add(r: KernelRoute, how: { replace: boolean; append: boolean }) {
    const list = this.byKey.get(this.key(r)) ?? [];
    if (!how.replace && list.some((x) => this.identical(x, r))) return;
    const same = list.findIndex((x) => this.same(x, r));
    if (how.replace && same >= 0) list[same] = r;
    else {
      const order = (x: KernelRoute) => r.tos - x.tos || x.priority - r.priority;
      let i = 0;
      while (i < list.length && (order(list[i]!) < 0 || (how.append && order(list[i]!) === 0))) i++;
      list.splice(i, 0, r);
    }
    this.byKey.set(this.key(r), list);
  }
  del(r: KernelRoute) {
    const list = this.byKey.get(this.key(r)) ?? [];
    const c = list.filter((x) => this.same(x, r));
    const victim = c.find((x) => x.type === r.type && gw(x) === gw(r)) ?? c.find((x) => x.nexthops[0]?.ifindex === r.nexthops[0]?.ifindex) ?? c[0];
    if (!victim) return;
    list.splice(list.indexOf(victim), 1);
    if (list.length) this.byKey.set(this.key(r), list);
    else this.byKey.delete(this.key(r));
  }
}

describe('against a reference model', () => {
  const churn = (prefixes: number, runs: number) => () => {
    const op = fc.record({
      del: fc.boolean(),
      replace: fc.boolean(),
      append: fc.boolean(),
      pick: fc.nat(),
      table: fc.constantFrom(254, 100),
      tos: fc.constantFrom(0, 0, 0, 8),
      priority: fc.constantFrom(0, 10, 20),
      nh: fc.integer({ min: 0, max: 3 }),
    });
    // Keys drawn per run from a large space, so their places in the index differ run to run.
    const pool = fc.uniqueArray(fc.integer({ min: 0, max: 1 << 16 }), { minLength: prefixes, maxLength: prefixes });
    fc.assert(fc.property(pool, fc.array(op, { minLength: 500, maxLength: 4000 }), (keys, ops) => {
      // A tiny table to start with: the index grows, wraps around and shifts entries back often.
      const s = new FamilyRoutes(4, new AttrsTable(4), 4);
      const ref = new Reference();
      for (const o of ops) {
        const a = 0x0a000000 + keys[o.pick % keys.length]! * 256;
        const r = r4(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0`, 24, {
          table: o.table, tos: o.tos, priority: o.priority,
          ...(o.nh === 3 ? { type: RouteType.BLACKHOLE, nexthops: [] } : { nexthops: [{ ifindex: 2 + o.nh, gateway: `192.168.0.${o.nh + 1}`, weight: 1, flags: 0 }] }),
        });
        const k = ref.key(r);
        const before = ref.active(k);
        if (o.del) ref.del(r);
        else ref.add(r, o);
        const reported = apply(s, o.del ? 'del' : 'new', r, o);
        expect(reported).toEqual(before === ref.active(k) ? [] : [k]);
      }
      expect(s.count).toBe([...ref.byKey.values()].reduce((n, l) => n + l.length, 0));
      expect(s.prefixes).toBe(ref.byKey.size);
      for (const [k, list] of ref.byKey) {
        const [table, dst, len] = k.split('/');
        const got = aliases(s, r4(dst!, Number(len), { table: Number(table) }));
        expect(got.map((r) => `${r.tos}:${r.priority}:${r.type}:${gw(r)}`), k).toEqual(list.map((r) => `${r.tos}:${r.priority}:${r.type}:${gw(r)}`));
      }
    }), { numRuns: runs });
  };
  it('agrees on every alias list, active route and reported key through random churn', churn(300, 40));
  // A dozen prefixes keep the index at 16 or 32 entries: probe runs wrap around its end.
  it('agrees when the index stays tiny and probe runs wrap around', churn(12, 300));
});
