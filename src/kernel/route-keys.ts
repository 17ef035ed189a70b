// A list of route keys (table, family, prefix) packed in one growing Uint32Array: how the
// mirror says "the active route of these prefixes changed" without an object per prefix, so a
// resync that touches a million prefixes costs 24 bytes each.
import { dstText } from '../netlink/route-record.ts';

const STRIDE = 6;

export class RouteKeyList {
  private buf = new Uint32Array(STRIDE * 16);
  length = 0;
  /**
   * Families whose every key may have changed (a table filled from nothing): walk the mirror
   * instead of a key list, which for a full table would cost 24 bytes per route for no news.
   */
  private whole = 0;

  markWhole(family: 4 | 6): void {
    this.whole |= family === 4 ? 1 : 2;
  }

  isWhole(family: 4 | 6): boolean {
    return (this.whole & (family === 4 ? 1 : 2)) !== 0;
  }

  /** No key and no whole family. */
  get empty(): boolean {
    return this.length === 0 && this.whole === 0;
  }

  push(family: 4 | 6, table: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    if ((this.length + 1) * STRIDE > this.buf.length) {
      const bigger = new Uint32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    const o = this.length++ * STRIDE;
    const b = this.buf;
    b[o] = table;
    b[o + 1] = (family << 8) | dstLen;
    b[o + 2] = d0;
    b[o + 3] = d1;
    b[o + 4] = d2;
    b[o + 5] = d3;
  }

  table(i: number): number {
    return this.buf[i * STRIDE]!;
  }
  family(i: number): 4 | 6 {
    return (this.buf[i * STRIDE + 1]! >>> 8) as 4 | 6;
  }
  dstLen(i: number): number {
    return this.buf[i * STRIDE + 1]! & 0xff;
  }
  /** Destination word k (0..3) in network order; IPv4 uses word 0 only. */
  word(i: number, k: number): number {
    return this.buf[i * STRIDE + 2 + k]!;
  }

  /** "table/10.1.0.0/16", for logs and tests. */
  text(i: number): string {
    return `${this.table(i)}/${dstText(this.family(i), this.word(i, 0), this.word(i, 1), this.word(i, 2), this.word(i, 3))}/${this.dstLen(i)}`;
  }

  /** Appends another list's keys and whole families. */
  concat(other: RouteKeyList): void {
    this.whole |= other.whole;
    for (let i = 0; i < other.length; i++) {
      this.push(other.family(i), other.table(i), other.dstLen(i), other.word(i, 0), other.word(i, 1), other.word(i, 2), other.word(i, 3));
    }
  }
}
