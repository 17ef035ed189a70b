// The agent's hardware route tables: a table filled by append and indexed in one pass answers
// exactly as one filled by set, key for key, and goes on changing as usual.
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
