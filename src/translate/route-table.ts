// Hardware routes of one address family, (VRF, prefix) -> packed value, in typed arrays: what
// the agent wants installed and what the driver acknowledged, about 30 bytes per route.
import { SlotIndex, prefixHash, type KeyedRows } from '../common/slot-index.ts';
import { dstText } from '../netlink/route-record.ts';
import type { RouteValue } from './route-value.ts';

export const ABSENT = -1;

export class RouteTable implements KeyedRows {
  readonly words: 1 | 4;
  private cap = 0;
  private used = 0;
  private freeList: number[] = [];
  private vrf = new Uint32Array(0);
  private len = new Uint8Array(0);
  private dst = new Uint32Array(0);
  private val = new Float64Array(0);
  private ix: SlotIndex;
  private qVrf = 0;
  private qLen = 0;
  private qD0 = 0;
  private qD1 = 0;
  private qD2 = 0;
  private qD3 = 0;

  constructor(readonly family: 4 | 6, capacity = 64) {
    this.words = family === 4 ? 1 : 4;
    this.grow(capacity);
    this.ix = new SlotIndex(this, capacity);
  }

  get size(): number {
    return this.ix.size;
  }

  /** Makes room for `n` rows without growing step by step (each step leaves a copy behind). */
  reserve(n: number): void {
    if (n <= this.cap) return;
    this.grow(n);
    if (n > this.ix.size * 2) this.ix.reserve(n);
  }

  private grow(cap: number) {
    const w = this.words;
    const vrf = new Uint32Array(cap);
    vrf.set(this.vrf);
    const len = new Uint8Array(cap);
    len.set(this.len);
    const dst = new Uint32Array(cap * w);
    dst.set(this.dst);
    const val = new Float64Array(cap);
    val.set(this.val);
    this.vrf = vrf;
    this.len = len;
    this.dst = dst;
    this.val = val;
    this.cap = cap;
  }

  keyMatches(s: number): boolean {
    const o = s * this.words;
    const d = this.dst;
    return d[o] === this.qD0 && this.vrf[s] === this.qVrf && this.len[s] === this.qLen
      && (this.words === 1 || (d[o + 1] === this.qD1 && d[o + 2] === this.qD2 && d[o + 3] === this.qD3));
  }

  sameKey(a: number, b: number): boolean {
    const w = this.words;
    const d = this.dst;
    if (d[a * w] !== d[b * w] || this.vrf[a] !== this.vrf[b] || this.len[a] !== this.len[b]) return false;
    return w === 1 || (d[a * w + 1] === d[b * w + 1] && d[a * w + 2] === d[b * w + 2] && d[a * w + 3] === d[b * w + 3]);
  }

  private find(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): number {
    this.qVrf = vrf;
    this.qLen = dstLen;
    this.qD0 = d0;
    this.qD1 = d1;
    this.qD2 = d2;
    this.qD3 = d3;
    return this.ix.find(prefixHash(vrf, dstLen, d0, d1, d2, d3, this.words));
  }

  /** The value of (vrf, prefix), or ABSENT. */
  get(vrf: number, dstLen: number, d0: number, d1 = 0, d2 = 0, d3 = 0): RouteValue {
    const pos = this.find(vrf, dstLen, d0, d1, d2, d3);
    return pos < 0 ? ABSENT : this.val[this.ix.slotAt(pos)]!;
  }

  /** Sets (or, with ABSENT, removes) the value of (vrf, prefix); returns the previous one. */
  set(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): RouteValue {
    const pos = this.find(vrf, dstLen, d0, d1, d2, d3);
    if (pos >= 0) {
      const s = this.ix.slotAt(pos);
      const old = this.val[s]!;
      if (value === ABSENT) {
        this.ix.removeAt(pos);
        this.freeList.push(s);
      } else this.val[s] = value;
      return old;
    }
    if (value === ABSENT) return ABSENT;
    let s: number;
    if (this.freeList.length) s = this.freeList.pop()!;
    else {
      if (this.used === this.cap) this.grow(this.cap * 2);
      s = this.used++;
    }
    this.fill(s, vrf, dstLen, d0, d1, d2, d3, value);
    this.ix.insertAt(pos, s);
    return ABSENT;
  }

  private fill(s: number, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): void {
    this.vrf[s] = vrf;
    this.len[s] = dstLen;
    const o = s * this.words;
    this.dst[o] = d0;
    if (this.words === 4) {
      this.dst[o + 1] = d1;
      this.dst[o + 2] = d2;
      this.dst[o + 3] = d3;
    }
    this.val[s] = value;
  }

  /**
   * Adds a row without indexing it, for a fresh table filled in one go (a rebuild): the caller
   * gives each key once, then calls indexAppended before any other use. A million index inserts
   * at random cost several times one pass over the rows (SlotIndex.bulkLoad).
   */
  append(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): void {
    if (this.used === this.cap) this.grow(this.cap * 2);
    this.fill(this.used++, vrf, dstLen, d0, d1, d2, d3, value);
  }

  /**
   * Indexes the rows append() added (the table must have held nothing else). A key given twice
   * keeps its first row; the others are freed and returned, by slot.
   */
  indexAppended(): number[] {
    if (this.ix.size !== 0 || this.freeList.length) throw new Error('indexAppended: the table was not fresh');
    const n = this.used;
    const slots = new Int32Array(n);
    const hashes = new Int32Array(n);
    const w = this.words;
    const d = this.dst;
    for (let s = 0; s < n; s++) {
      slots[s] = s;
      const o = s * w;
      hashes[s] = w === 1 ? prefixHash(this.vrf[s]!, this.len[s]!, d[o]!, 0, 0, 0, 1) : prefixHash(this.vrf[s]!, this.len[s]!, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, 4);
    }
    const repeated = this.ix.bulkLoad(slots, hashes, n);
    for (const s of repeated) this.freeList.push(s);
    return repeated;
  }

  /** A copy. */
  clone(): RouteTable {
    const c = new RouteTable(this.family, 1);
    c.cap = this.cap;
    c.used = this.used;
    c.freeList = [...this.freeList];
    c.vrf = this.vrf.slice();
    c.len = this.len.slice();
    c.dst = this.dst.slice();
    c.val = this.val.slice();
    c.ix.copyFrom(this.ix);
    return c;
  }

  /** The rows now, as slot numbers (a cursor over them stays valid while rows are only added). */
  slots(): Int32Array {
    const out = new Int32Array(this.ix.size);
    let i = 0;
    this.ix.forEach((s) => void (out[i++] = s));
    return out;
  }

  /** Calls `visit` with every row. */
  forEach(visit: (slot: number) => void): void {
    this.ix.forEach(visit);
  }

  vrfOf(s: number): number {
    return this.vrf[s]!;
  }
  dstLenOf(s: number): number {
    return this.len[s]!;
  }
  word(s: number, k: number): number {
    return k < this.words ? this.dst[s * this.words + k]! : 0;
  }
  valueOf(s: number): RouteValue {
    return this.val[s]!;
  }

  /** "vrf/10.0.0.0/8", for logs and tests. */
  keyText(s: number): string {
    return `${this.vrf[s]}/${dstText(this.family, this.word(s, 0), this.word(s, 1), this.word(s, 2), this.word(s, 3))}/${this.len[s]}`;
  }

  clear(): void {
    this.ix.reset(64);
    this.freeList = [];
    this.used = 0;
  }
}
