// Duplicate route keys among the compact rows of one batch, without a string per route: an
// open-addressing index over the rows themselves. Keys are the fields as sent (before any
// validation), as Tables.keyOf reads them from messages, so two spellings of one key are equal
// here exactly when keyOf's strings are.
import { SlotIndex, prefixHash, type KeyedRows } from '../src/common/slot-index.ts';
import type { WriteBatch } from './write-batch.ts';

export class RowKeys implements KeyedRows {
  private q = 0;

  constructor(private readonly b: WriteBatch) {}

  keyMatches(j: number): boolean {
    const { b, q } = this;
    const oq = q * 4;
    const oj = j * 4;
    const a = b.addr;
    return a[oj] === a[oq] && b.len[j] === b.len[q] && b.vrf[j] === b.vrf[q] && b.family[j] === b.family[q]
      && (b.family[q] === 4 || (a[oj + 1] === a[oq + 1] && a[oj + 2] === a[oq + 2] && a[oj + 3] === a[oq + 3]));
  }

  /** Calls `duplicate(i)` for each row whose key an earlier row has. */
  findDuplicates(duplicate: (i: number) => void): void {
    const b = this.b;
    const ix = new SlotIndex(this, b.size);
    const a = b.addr;
    for (let i = 0; i < b.size; i++) {
      if (!b.op[i]) continue;
      this.q = i;
      const o = i * 4;
      const words = b.family[i] === 4 ? 1 : 4;
      const pos = ix.find(prefixHash(b.vrf[i]!, b.len[i]!, a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!, words));
      if (pos >= 0) duplicate(i);
      else ix.insertAt(pos, i);
    }
  }
}
