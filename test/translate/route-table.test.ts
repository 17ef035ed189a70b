// The agent's hardware route tables: a table filled by append and indexed in one pass answers
// exactly as one filled by set, key for key, and goes on changing as usual; twins share keys
// and still change each on its own.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ABSENT, RouteTable } from '../../src/translate/route-table.ts';

const key = fc.record({ vrf: fc.integer({ min: 0, max: 3 }), len: fc.integer({ min: 0, max: 128 }), w: fc.integer({ min: 0, max: 20 }) });

describe('RouteTable.append and indexAppended', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family}: equals a table filled by set; repeated keys are returned, the first kept`, () => {
      fc.assert(fc.property(fc.array(key, { maxLength: 300 }), fc.array(key, { maxLength: 50 }), (keys, later) => {
        const words = (k: { w: number }) => (family === 4 ? [k.w << 8, 0, 0, 0] : [0x20010db8, k.w, 0, k.w]) as [number, number, number, number];
        const bulk = new RouteTable(family, 4);
        const byOne = new RouteTable(family, 4);
        const seen = new Set<string>();
        const repeats: number[] = [];
        keys.forEach((k, i) => {
          const id = `${k.vrf}/${k.w}/${k.len}`;
          if (seen.has(id)) repeats.push(i);
          else byOne.set(k.vrf, k.len, ...words(k), i);
          seen.add(id);
          bulk.append(k.vrf, k.len, ...words(k), i);
        });
        expect(bulk.indexAppended()).toEqual(repeats);
        expect(bulk.size).toBe(byOne.size);
        for (const k of [...keys, ...later]) expect(bulk.get(k.vrf, k.len, ...words(k))).toBe(byOne.get(k.vrf, k.len, ...words(k)));
        // Then the usual changes: deleting what is there, adding what is not.
        for (const k of later) {
          const v = bulk.get(k.vrf, k.len, ...words(k)) === ABSENT ? 7 : ABSENT;
          bulk.set(k.vrf, k.len, ...words(k), v);
          byOne.set(k.vrf, k.len, ...words(k), v);
        }
        expect(bulk.size).toBe(byOne.size);
        for (const k of [...keys, ...later]) expect(bulk.get(k.vrf, k.len, ...words(k))).toBe(byOne.get(k.vrf, k.len, ...words(k)));
      }), { numRuns: 200 });
    });
  }

  it('refuses to index a table that was not filled by append alone', () => {
    const t = new RouteTable(4);
    t.set(0, 24, 0x0a000000, 0, 0, 0, 1);
    t.append(0, 24, 0x0b000000, 0, 0, 0, 1);
    expect(() => t.indexAppended()).toThrow(/not fresh/);
  });
});

describe('RouteTable.twin', () => {
  type Op = { table: 0 | 1; k: { vrf: number; len: number; w: number }; value: number | null };
  const op = fc.record({ table: fc.constantFrom(0 as const, 1 as const), k: key, value: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }) });

  for (const family of [4, 6] as const) {
    it(`IPv${family}: twins answer as two separate maps through adds, deletes, clear and release`, () => {
      const words = (k: { w: number }) => (family === 4 ? [k.w << 8, 0, 0, 0] : [0x20010db8, k.w, 0, k.w]) as [number, number, number, number];
      const id = (k: { vrf: number; len: number; w: number }) => `${k.vrf}/${k.w}/${k.len}`;
      fc.assert(fc.property(fc.array(key, { maxLength: 100 }), fc.array(op, { maxLength: 300 }), fc.nat({ max: 300 }), fc.constantFrom('clear', 'release', 'none'), (start, ops, at, event) => {
        const first = new RouteTable(family, 2);
        const models: Map<string, number>[] = [new Map(), new Map()];
        for (const k of start) {
          first.set(k.vrf, k.len, ...words(k), 9);
          models[0]!.set(id(k), 9);
        }
        let tables: RouteTable[] = [first, first.twin()];
        models[1] = new Map(models[0]);
        const all = [...start, ...ops.map((o) => o.k)];
        const agree = () => {
          tables.forEach((t, i) => {
            expect(t.size).toBe(models[i]!.size);
            for (const k of all) expect(t.get(k.vrf, k.len, ...words(k))).toBe(models[i]!.get(id(k)) ?? ABSENT);
            const seen = new Map<string, number>();
            t.forEach((s) => seen.set(`${t.vrfOf(s)}/${family === 4 ? t.word(s, 0) >>> 8 : t.word(s, 1)}/${t.dstLenOf(s)}`, t.valueOf(s)));
            expect(seen).toEqual(models[i]);
            expect(t.slots().length).toBe(models[i]!.size);
          });
        };
        ops.forEach((o, n) => {
          if (n === at) {
            if (event === 'clear') {
              tables[0]!.clear();
              models[0]!.clear();
            } else if (event === 'release') {
              // The translator's rebuild: the desired table replaced by a fresh one.
              tables[0]!.release();
              tables = [new RouteTable(family), tables[1]!];
              models[0]!.clear();
            }
            agree();
          }
          const before = models[o.table]!.get(id(o.k)) ?? ABSENT;
          expect(tables[o.table]!.set(o.k.vrf, o.k.len, ...words(o.k), o.value ?? ABSENT)).toBe(before);
          if (o.value === null) models[o.table]!.delete(id(o.k));
          else models[o.table]!.set(id(o.k), o.value);
        });
        agree();
      }), { numRuns: 300 });
    });
  }
});
