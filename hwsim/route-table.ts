// Per-VRF route storage with longest-prefix match, for one address family, in typed arrays.
//
// A route is one row: VRF, prefix length, the network address as 32-bit words in network
// order (one for IPv4, four for IPv6), the action and target kind in one byte and the target
// id: 14 bytes for IPv4 and 26 for IPv6, plus 16 to 32 bytes of open-addressing index
// (src/common/slot-index.ts). A million routes cost no garbage-collected objects at all, which
// keeps hwsim's memory and its GC pauses flat during a full sync.
//
// Rows are kept in insertion order (deleted rows are marked dead and squeezed out when the
// arrays fill up), so Read lists a VRF's routes by length and, within a length, in the order
// they were inserted: a Read replayed as INSERTs reads back in the same order.
// LPM probes only the lengths present in the VRF, longest first (per-VRF counts per length).
import { SlotIndex, prefixHash, type KeyedRows } from '../src/common/slot-index.ts';
import { maskOfWord } from './ip.ts';

/** What a route points at. */
export const enum TargetKind { None = 0, NextHop = 1, Group = 2, Rif = 3 }

/** find() and lookup() when there is no such route. */
export const NO_ROUTE = -1;

/** A dead row's length: no prefix has it. */
const DEAD = 255;

export class RouteTable implements KeyedRows {
  readonly words: 1 | 4;
  readonly maxLen: number;
  /** Live routes. */
  size = 0;
  /** Rows in use, dead ones included. */
  private used = 0;
  private dead = 0;
  private cap = 0;
  private vrf = new Uint32Array(0);
  private len = new Uint8Array(0);
  private addr = new Uint32Array(0);
  /** action | kind << 2 */
  private meta = new Uint8Array(0);
  private target = new Uint32Array(0);
  private readonly ix: SlotIndex;
  /** Per VRF: routes per prefix length, then the VRF's total at [maxLen + 1]. */
  private readonly perVrf = new Map<number, Int32Array>();
  /**
   * The key being looked for (keyMatches): VRF, length, words. In a typed array rather than
   * fields: V8 keeps a field as a small integer until a uint32 past 2^30 shows up, and then
   * throws away all code that read it (the first IPv6 routes did that mid-sync).
   */
  private readonly q = new Uint32Array(6);
  /** Where find() left the index. */
  private pos = 0;

  constructor(readonly family: 4 | 6) {
    this.words = family === 4 ? 1 : 4;
    this.maxLen = family === 4 ? 32 : 128;
    this.ix = new SlotIndex(this, 64);
    this.resize(64);
  }

  keyMatches(s: number): boolean {
    const a = this.addr;
    const q = this.q;
    if (this.words === 1) return a[s] === q[2] && this.len[s] === q[1] && this.vrf[s] === q[0];
    const o = s * 4;
    return a[o] === q[2] && a[o + 1] === q[3] && a[o + 2] === q[4] && a[o + 3] === q[5]
      && this.len[s] === q[1] && this.vrf[s] === q[0];
  }

  /** The row of (vrf, prefix), or NO_ROUTE; an insert() or remove() may follow at once. */
  find(vrf: number, len: number, a0: number, a1: number, a2: number, a3: number): number {
    const q = this.q;
    q[0] = vrf;
    q[1] = len;
    q[2] = a0;
    q[3] = a1;
    q[4] = a2;
    q[5] = a3;
    const pos = (this.pos = this.ix.find(prefixHash(vrf, len, a0, a1, a2, a3, this.words)));
    return pos < 0 ? NO_ROUTE : this.ix.slotAt(pos);
  }

  /** Adds the route find() just missed. */
  insert(action: number, kind: TargetKind, target: number): void {
    const q = this.q;
    if (this.used === this.cap) {
      // Squeeze out dead rows when they are a quarter of the rows or more, else grow.
      if (this.dead * 4 >= this.used) this.compact();
      else this.resize(this.cap * 2);
      this.pos = this.ix.find(prefixHash(q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, this.words));
    }
    const s = this.used++;
    this.vrf[s] = q[0]!;
    this.len[s] = q[1]!;
    if (this.words === 1) this.addr[s] = q[2]!;
    else {
      const o = s * 4;
      this.addr[o] = q[2]!;
      this.addr[o + 1] = q[3]!;
      this.addr[o + 2] = q[4]!;
      this.addr[o + 3] = q[5]!;
    }
    this.meta[s] = action | (kind << 2);
    this.target[s] = target;
    this.ix.insertAt(this.pos, s);
    const counts = this.countsOf(q[0]!, true)!;
    counts[q[1]!]!++;
    counts[this.maxLen + 1]!++;
    this.size++;
  }

  /** Removes the route find() just found at row `s`. */
  remove(s: number): void {
    this.ix.removeAt(this.pos);
    const vrf = this.vrf[s]!;
    const counts = this.countsOf(vrf, false)!;
    counts[this.len[s]!]!--;
    if (--counts[this.maxLen + 1]! === 0) this.perVrf.delete(vrf);
    this.len[s] = DEAD;
    this.dead++;
    this.size--;
  }

  setValue(s: number, action: number, kind: TargetKind, target: number): void {
    this.meta[s] = action | (kind << 2);
    this.target[s] = target;
  }

  actionOf(s: number): number {
    return this.meta[s]! & 3;
  }
  kindOf(s: number): TargetKind {
    return (this.meta[s]! >> 2) as TargetKind;
  }
  targetOf(s: number): number {
    return this.target[s]!;
  }
  vrfOf(s: number): number {
    return this.vrf[s]!;
  }
  lenOf(s: number): number {
    return this.len[s]!;
  }
  /** Word k (0..3) of the row's network address; 0 past the family's words. */
  word(s: number, k: number): number {
    return k < this.words ? this.addr[s * this.words + k]! : 0;
  }

  /** Longest-prefix match of an address (words in network order): its row, or NO_ROUTE. */
  lookup(vrf: number, a0: number, a1 = 0, a2 = 0, a3 = 0): number {
    const counts = this.perVrf.get(vrf);
    if (!counts) return NO_ROUTE;
    for (let len = this.maxLen; len >= 0; len--) {
      if (counts[len] === 0) continue;
      const s = this.find(vrf, len, (a0 & maskOfWord(len, 0)) >>> 0, (a1 & maskOfWord(len, 1)) >>> 0,
        (a2 & maskOfWord(len, 2)) >>> 0, (a3 & maskOfWord(len, 3)) >>> 0);
      if (s !== NO_ROUTE) return s;
    }
    return NO_ROUTE;
  }

  countIn(vrf: number): number {
    return this.perVrf.get(vrf)?.[this.maxLen + 1] ?? 0;
  }

  /**
   * Every live row, VRF by VRF (ascending), shortest prefixes first, in insertion order within
   * a length: a counting sort over the rows, whose bucket sizes the per-VRF counts already hold.
   */
  rows(vrf?: number | null): Int32Array {
    const ids = vrf == null ? [...this.perVrf.keys()].sort((a, b) => a - b) : this.perVrf.has(vrf) ? [vrf] : [];
    const lens = this.maxLen + 1;
    const start = new Int32Array(ids.length * lens + 1);
    const rank = new Map<number, number>();
    ids.forEach((id, r) => {
      rank.set(id, r);
      const counts = this.perVrf.get(id)!;
      for (let l = 0; l < lens; l++) start[r * lens + l + 1] = counts[l]!;
    });
    for (let b = 1; b < start.length; b++) start[b]! += start[b - 1]!;
    const out = new Int32Array(start[start.length - 1]!);
    const single = ids.length === 1 ? ids[0]! : -1;
    for (let s = 0; s < this.used; s++) {
      const l = this.len[s]!;
      if (l === DEAD) continue;
      const v = this.vrf[s]!;
      const r = v === single ? 0 : single >= 0 ? undefined : rank.get(v);
      if (r === undefined) continue;
      out[start[r * lens + l]!++] = s;
    }
    return out;
  }

  clear(): void {
    this.perVrf.clear();
    this.ix.reset(64);
    this.size = this.used = this.dead = this.cap = 0;
    this.resize(64);
  }

  private countsOf(vrf: number, create: boolean): Int32Array | undefined {
    let c = this.perVrf.get(vrf);
    if (!c && create) this.perVrf.set(vrf, (c = new Int32Array(this.maxLen + 2)));
    return c;
  }

  private resize(cap: number) {
    const w = this.words;
    const keep = this.used;
    const vrf = new Uint32Array(cap);
    vrf.set(this.vrf.subarray(0, keep));
    const len = new Uint8Array(cap);
    len.set(this.len.subarray(0, keep));
    const addr = new Uint32Array(cap * w);
    addr.set(this.addr.subarray(0, keep * w));
    const meta = new Uint8Array(cap);
    meta.set(this.meta.subarray(0, keep));
    const target = new Uint32Array(cap);
    target.set(this.target.subarray(0, keep));
    this.vrf = vrf;
    this.len = len;
    this.addr = addr;
    this.meta = meta;
    this.target = target;
    this.cap = cap;
  }

  /** Moves the live rows down over the dead ones, in order, and indexes them again. */
  private compact() {
    const w = this.words;
    const a = this.addr;
    let to = 0;
    for (let s = 0; s < this.used; s++) {
      if (this.len[s] === DEAD) continue;
      if (to !== s) {
        this.vrf[to] = this.vrf[s]!;
        this.len[to] = this.len[s]!;
        this.meta[to] = this.meta[s]!;
        this.target[to] = this.target[s]!;
        a.copyWithin(to * w, s * w, s * w + w);
      }
      to++;
    }
    this.used = to;
    this.dead = 0;
    this.ix.reset(to);
    for (let s = 0; s < to; s++) {
      const o = s * w;
      const h = prefixHash(this.vrf[s]!, this.len[s]!, a[o]!, w === 4 ? a[o + 1]! : 0, w === 4 ? a[o + 2]! : 0, w === 4 ? a[o + 3]! : 0, w);
      this.ix.insertAt(this.ix.find(h), s);
    }
  }
}
