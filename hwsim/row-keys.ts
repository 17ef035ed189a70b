// Duplicate route keys among the compact rows of one batch, without a string per route: an
// open-addressing set of row numbers. Keys are the fields as sent (before any validation), as
// Tables.keyOf reads them from messages, so two spellings of one key are equal here exactly when
// keyOf's strings are.
//
// The set's arrays are kept from batch to batch and emptied by a stamp rather than refilled:
// a full sync writes hundreds of batches, and a fresh table for each was garbage that the GC
// had to chase.
import { prefixHash } from '../src/common/slot-index.ts';
import type { WriteBatch } from './write-batch.ts';

export class RowKeys {
  private row = new Int32Array(0);
  private hash = new Int32Array(0);
  /** A position is taken in the current batch when its stamp is the current one. */
  private stamps = new Uint32Array(0);
  private stamp = 0;

  /** Calls `duplicate(i)` for each row whose key an earlier row of `b` has. */
  findDuplicates(b: WriteBatch, duplicate: (i: number) => void): void {
    let n = 16;
    while (n < b.size * 2) n *= 2;
    if (this.row.length < n) {
      this.row = new Int32Array(n);
      this.hash = new Int32Array(n);
      this.stamps = new Uint32Array(n);
      this.stamp = 0;
    }
    if (++this.stamp === 2 ** 32) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    const mask = n - 1;
    const { row, hash, stamps, stamp } = this;
    const a = b.addr;
    for (let i = 0; i < b.size; i++) {
      if (!b.op[i]) continue;
      const o = i * 4;
      const h = prefixHash(b.vrf[i]!, b.len[i]!, a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!, b.family[i] === 4 ? 1 : 4);
      for (let p = h & mask; ; p = (p + 1) & mask) {
        if (stamps[p] !== stamp) {
          stamps[p] = stamp;
          row[p] = i;
          hash[p] = h;
          break;
        }
        if (hash[p] === h && sameKey(b, row[p]!, i)) {
          duplicate(i);
          break;
        }
      }
    }
  }
}

function sameKey(b: WriteBatch, j: number, i: number): boolean {
  const a = b.addr;
  const oj = j * 4;
  const oi = i * 4;
  return a[oj] === a[oi] && b.len[j] === b.len[i] && b.vrf[j] === b.vrf[i] && b.family[j] === b.family[i]
    && (b.family[i] === 4 || (a[oj + 1] === a[oi + 1] && a[oj + 2] === a[oi + 2] && a[oj + 3] === a[oi + 3]));
}
