// hwsim's typed-array route table against a model made of Maps (the table it replaced): same
// routes, same Read order (VRF, then length, then insertion order), same longest-prefix
// matches, through enough inserts and deletes to fill, grow and squeeze the arrays.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskOfWord } from '../../hwsim/ip.ts';
import { NO_ROUTE, RouteTable, TargetKind } from '../../hwsim/route-table.ts';

type Key = { vrf: number; len: number; a: [number, number, number, number] };
type Op = { del: boolean; key: Key; target: number };

/** The model: VRF -> length -> "words" -> target, in insertion order as Maps keep it. */
class Model {
  readonly vrfs = new Map<number, Map<number, Map<string, { key: Key; target: number }>>>();
  apply(op: Op): boolean {
    const { vrf, len, a } = op.key;
    const byLen = this.vrfs.get(vrf) ?? new Map<number, Map<string, { key: Key; target: number }>>();
    const m = byLen.get(len) ?? new Map<string, { key: Key; target: number }>();
    const k = a.join(',');
    if (op.del) {
      if (!m.delete(k)) return false;
      if (!m.size) byLen.delete(len);
      if (!byLen.size) this.vrfs.delete(vrf);
      return true;
    }
    if (m.has(k)) return false;
    m.set(k, { key: op.key, target: op.target });
    byLen.set(len, m);
    this.vrfs.set(vrf, byLen);
    return true;
  }
  rows(vrf?: number): { key: Key; target: number }[] {
    const out: { key: Key; target: number }[] = [];
    for (const id of [...this.vrfs.keys()].sort((x, y) => x - y)) {
      if (vrf !== undefined && id !== vrf) continue;
      const byLen = this.vrfs.get(id)!;
      for (const len of [...byLen.keys()].sort((x, y) => x - y)) out.push(...byLen.get(len)!.values());
    }
    return out;
  }
}

function keyArb(family: 4 | 6): fc.Arbitrary<Key> {
  const maxLen = family === 4 ? 32 : 128;
  // Few VRFs and few address bits in play, so that keys repeat and prefixes nest.
  return fc.record({
    vrf: fc.integer({ min: 0, max: 3 }),
    len: fc.integer({ min: 0, max: maxLen }),
    a: fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
  }).map(({ vrf, len, a }) => {
    const w: [number, number, number, number] = family === 4
      ? [((a[0] << 28) | (a[1] << 8)) >>> 0, 0, 0, 0]
      : [(a[0] << 28) >>> 0, a[1] >>> 0, (a[2] << 30) >>> 0, a[3] >>> 0];
    return { vrf, len, a: w.map((x, k) => (x & maskOfWord(len, k)) >>> 0) as Key['a'] };
  });
}

function row(t: RouteTable, s: number) {
  return { key: { vrf: t.vrfOf(s), len: t.lenOf(s), a: [0, 1, 2, 3].map((k) => t.word(s, k)) }, target: t.targetOf(s) };
}

for (const family of [4, 6] as const) {
  describe(`route table, IPv${family}`, () => {
    it('holds what a Map model holds, in the same Read order, through growth and compaction', () => {
      // Operations on a pool of keys, so that deletes hit and rows die often enough to squeeze.
      const ops = fc.array(keyArb(family), { minLength: 1, maxLength: 120 }).chain((pool) =>
        fc.array(fc.record({ del: fc.boolean(), key: fc.constantFrom(...pool), target: fc.integer({ min: 0, max: 0xffffffff }) }), { minLength: 1, maxLength: 600 }));
      fc.assert(
        fc.property(ops, (list: Op[]) => {
          const t = new RouteTable(family);
          const model = new Model();
          for (const o of list) {
            const { vrf, len, a } = o.key;
            const s = t.find(vrf, len, a[0], a[1], a[2], a[3]);
            const changed = model.apply(o);
            if (o.del) {
              expect(s !== NO_ROUTE).toBe(changed);
              if (s !== NO_ROUTE) t.remove(s);
            } else {
              expect(s === NO_ROUTE).toBe(changed);
              if (s === NO_ROUTE) t.insert(1, TargetKind.NextHop, o.target);
            }
          }
          const want = model.rows();
          expect(t.size).toBe(want.length);
          expect([...t.rows()].map((s) => row(t, s))).toEqual(want);
          for (const vrf of [0, 1, 2, 3]) {
            expect([...t.rows(vrf)].map((s) => row(t, s))).toEqual(model.rows(vrf));
            expect(t.countIn(vrf)).toBe(model.rows(vrf).length);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('finds the longest matching prefix, as a scan of the rows does', () => {
      fc.assert(
        fc.property(fc.array(keyArb(family), { maxLength: 80 }), fc.array(keyArb(family), { minLength: 1, maxLength: 20 }), (keys, probes) => {
          const t = new RouteTable(family);
          keys.forEach((k, i) => {
            if (t.find(k.vrf, k.len, ...k.a) === NO_ROUTE) t.insert(2, TargetKind.None, i);
          });
          for (const p of probes) {
            // Probe the address with all host bits set too, so longer prefixes can miss it.
            const dst = p.a.map((w, k) => (w | ~maskOfWord(p.len, k)) >>> 0) as Key['a'];
            let best = -1;
            for (const s of t.rows(p.vrf)) {
              const len = t.lenOf(s);
              const hit = [0, 1, 2, 3].every((k) => ((dst[k]! & maskOfWord(len, k)) >>> 0) === t.word(s, k));
              if (hit && (best < 0 || len > t.lenOf(best))) best = s;
            }
            expect(t.lookup(p.vrf, ...dst)).toBe(best < 0 ? NO_ROUTE : best);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
}
