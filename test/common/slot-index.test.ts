// The open-addressing index under the mirror's and the agent's route tables: a bulk load must
// give an index that finds, inserts and removes exactly as one built row by row.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotIndex, type KeyedRows } from '../../src/common/slot-index.ts';

/** Rows holding one number each; the hash is chosen by the test (collisions on purpose). */
class Rows implements KeyedRows {
  q = 0;
  constructor(readonly keys: number[], readonly hashOf: (key: number) => number) {}
  keyMatches(slot: number): boolean {
    return this.keys[slot] === this.q;
  }
  sameKey(a: number, b: number): boolean {
    return this.keys[a] === this.keys[b];
  }
  find(ix: SlotIndex, key: number): number {
    this.q = key;
    return ix.find(this.hashOf(key));
  }
}

// Hashes crowd the end of the index (runs that wrap around to its start) and collide.
const hashes = fc.constantFrom<(k: number) => number>(
  (k) => Math.imul(k, 0x9e3779b1),
  (k) => -1 - (k % 7),
  (k) => k % 3,
  () => 5,
);

describe('SlotIndex.bulkLoad', () => {
  it('finds every row, leaves out repeated keys, and then removes and inserts as usual', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 200 }), hashes, fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 80 }), (keys, hashOf, churn) => {
      const rows = new Rows([...keys], hashOf);
      const ix = new SlotIndex(rows);
      const slots = Int32Array.from(keys.keys());
      const hs = Int32Array.from(keys, (k) => hashOf(k));
      const repeated = ix.bulkLoad(slots, hs, keys.length);
      // The later rows of each repeated key, in row order.
      const firstOf = new Map<number, number>();
      const expected: number[] = [];
      keys.forEach((k, s) => (firstOf.has(k) ? expected.push(s) : firstOf.set(k, s)));
      expect(repeated).toEqual(expected);
      expect(ix.size).toBe(firstOf.size);
      for (const [k, s] of firstOf) expect(ix.slotAt(rows.find(ix, k))).toBe(s);
      // Removing and inserting afterwards keeps every other key reachable.
      const live = new Map(firstOf);
      for (const k of churn) {
        const pos = rows.find(ix, k);
        if (pos >= 0) {
          ix.removeAt(pos);
          live.delete(k);
        } else {
          rows.keys.push(k);
          ix.insertAt(pos, rows.keys.length - 1);
          live.set(k, rows.keys.length - 1);
        }
        for (const [lk, s] of live) expect(ix.slotAt(rows.find(ix, lk))).toBe(s);
      }
      expect(ix.size).toBe(live.size);
    }), { numRuns: 300 });
  });

  it('without sameKey takes every row', () => {
    const rows = { keyMatches: () => false };
    const ix = new SlotIndex(rows);
    const n = 1000;
    expect(ix.bulkLoad(Int32Array.from({ length: n }, (_, i) => i), new Int32Array(n).fill(-1), n)).toEqual([]);
    expect(ix.size).toBe(n);
    const seen = new Set<number>();
    ix.forEach((s) => seen.add(s));
    expect(seen.size).toBe(n);
  });
});
