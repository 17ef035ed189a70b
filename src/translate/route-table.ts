// Hardware routes of one address family, (VRF, prefix) -> packed value, in typed arrays: what
// the agent wants installed and what the driver acknowledged, about 30 bytes per route.
//
// Two tables can share their keys (twin()). After a cold sync the installed routes are the
// desired ones, and both then change a few keys at a time: a twin holds its own values over
// the same rows and index, 8 bytes a route where a copy would cost the whole 30 again (40 MiB
// of a full table's peak).
import { SlotIndex, prefixHash, type KeyedRows } from '../common/slot-index.ts';
import { dstText } from '../netlink/route-record.ts';
import type { RouteValue } from './route-value.ts';

export const ABSENT = -1;

/**
 * Keys and their index, for the tables that share them. Every table's values run over all
 * rows, ABSENT where the table does not hold the row; a row is freed once no table holds it.
 */
class KeyRows implements KeyedRows {
  cap = 0;
  used = 0;
  freeList: number[] = [];
  vrf = new Uint32Array(0);
  len = new Uint8Array(0);
  dst = new Uint32Array(0);
  readonly ix: SlotIndex;
  /** The tables whose values run over these rows. */
  tables: RouteTable[] = [];
  private qVrf = 0;
  private qLen = 0;
  private qD0 = 0;
  private qD1 = 0;
  private qD2 = 0;
  private qD3 = 0;

  constructor(readonly words: 1 | 4, capacity: number) {
    this.grow(Math.max(1, capacity));
    this.ix = new SlotIndex(this, capacity);
  }

  grow(cap: number) {
    const w = this.words;
    const vrf = new Uint32Array(cap);
    vrf.set(this.vrf);
    const len = new Uint8Array(cap);
    len.set(this.len);
    const dst = new Uint32Array(cap * w);
    dst.set(this.dst);
    this.vrf = vrf;
    this.len = len;
    this.dst = dst;
    this.cap = cap;
    for (const t of this.tables) t.growValues(cap);
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

  find(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): number {
    this.qVrf = vrf;
    this.qLen = dstLen;
    this.qD0 = d0;
    this.qD1 = d1;
    this.qD2 = d2;
    this.qD3 = d3;
    return this.ix.find(prefixHash(vrf, dstLen, d0, d1, d2, d3, this.words));
  }

  /** The index position of row `s` (which must be indexed). */
  positionOf(s: number): number {
    const o = s * this.words;
    const d = this.dst;
    return this.words === 1 ? this.find(this.vrf[s]!, this.len[s]!, d[o]!, 0, 0, 0) : this.find(this.vrf[s]!, this.len[s]!, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
  }

  /** A row for a key find() just missed, indexed where find() said; returns its slot. */
  add(insertion: number, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): number {
    let s: number;
    if (this.freeList.length) s = this.freeList.pop()!;
    else {
      if (this.used === this.cap) this.grow(this.cap * 2);
      s = this.used++;
    }
    this.fill(s, vrf, dstLen, d0, d1, d2, d3);
    this.ix.insertAt(insertion, s);
    return s;
  }

  fill(s: number, vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): void {
    this.vrf[s] = vrf;
    this.len[s] = dstLen;
    const o = s * this.words;
    this.dst[o] = d0;
    if (this.words === 4) {
      this.dst[o + 1] = d1;
      this.dst[o + 2] = d2;
      this.dst[o + 3] = d3;
    }
  }

  /** Frees row `s` at index position `pos` unless a table still holds it. */
  freeIfUnheld(pos: number, s: number): void {
    for (const t of this.tables) if (t.valueOf(s) !== ABSENT) return;
    this.ix.removeAt(pos);
    this.freeList.push(s);
  }
}

export class RouteTable {
  readonly words: 1 | 4;
  private readonly rows: KeyRows;
  private val: Float64Array;
  private count = 0;

  /** A table of its own, or (twinOf) one sharing another's keys and holding its routes now. */
  constructor(readonly family: 4 | 6, capacity = 64, twinOf?: RouteTable) {
    this.words = family === 4 ? 1 : 4;
    if (twinOf) {
      this.rows = twinOf.rows;
      this.val = twinOf.val.slice();
      this.count = twinOf.count;
    } else {
      this.rows = new KeyRows(this.words, capacity);
      this.val = new Float64Array(this.rows.cap).fill(ABSENT);
    }
    this.rows.tables.push(this);
  }

  get size(): number {
    return this.count;
  }

  /** Makes room for `n` rows without growing step by step (each step leaves a copy behind). */
  reserve(n: number): void {
    const rows = this.rows;
    if (n <= rows.cap) return;
    rows.grow(n);
    if (n > rows.ix.size * 2) rows.ix.reserve(n);
  }

  /** KeyRows.grow: this table's values over the new rows, none held. */
  growValues(cap: number): void {
    const val = new Float64Array(cap);
    val.set(this.val);
    val.fill(ABSENT, this.val.length);
    this.val = val;
  }

  /** The value of (vrf, prefix), or ABSENT. */
  get(vrf: number, dstLen: number, d0: number, d1 = 0, d2 = 0, d3 = 0): RouteValue {
    const rows = this.rows;
    const pos = rows.find(vrf, dstLen, d0, d1, d2, d3);
    return pos < 0 ? ABSENT : this.val[rows.ix.slotAt(pos)]!;
  }

  /** Sets (or, with ABSENT, removes) the value of (vrf, prefix); returns the previous one. */
  set(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): RouteValue {
    const rows = this.rows;
    const pos = rows.find(vrf, dstLen, d0, d1, d2, d3);
    if (pos >= 0) {
      const s = rows.ix.slotAt(pos);
      const old = this.val[s]!;
      if (value === ABSENT) {
        if (old === ABSENT) return ABSENT;
        this.val[s] = ABSENT;
        this.count--;
        rows.freeIfUnheld(pos, s);
      } else {
        if (old === ABSENT) this.count++;
        this.val[s] = value;
      }
      return old;
    }
    if (value === ABSENT) return ABSENT;
    const s = rows.add(pos, vrf, dstLen, d0, d1, d2, d3);
    this.val[s] = value;
    this.count++;
    return ABSENT;
  }

  /**
   * Adds a row without indexing it, for a fresh table filled in one go (a rebuild): the caller
   * gives each key once, then calls indexAppended before any other use. A million index inserts
   * at random cost several times one pass over the rows (SlotIndex.bulkLoad).
   */
  append(vrf: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, value: RouteValue): void {
    const rows = this.rows;
    if (rows.used === rows.cap) rows.grow(rows.cap * 2);
    const s = rows.used++;
    rows.fill(s, vrf, dstLen, d0, d1, d2, d3);
    this.val[s] = value;
  }

  /**
   * Indexes the rows append() added (the table must have held nothing else, alone). A key given
   * twice keeps its first row; the others are freed, and their values returned, by slot.
   */
  indexAppended(): RouteValue[] {
    const rows = this.rows;
    if (rows.ix.size !== 0 || rows.freeList.length || rows.tables.length !== 1) throw new Error('indexAppended: the table was not fresh');
    const n = rows.used;
    const slots = new Int32Array(n);
    const hashes = new Int32Array(n);
    const w = this.words;
    const d = rows.dst;
    for (let s = 0; s < n; s++) {
      slots[s] = s;
      const o = s * w;
      hashes[s] = w === 1 ? prefixHash(rows.vrf[s]!, rows.len[s]!, d[o]!, 0, 0, 0, 1) : prefixHash(rows.vrf[s]!, rows.len[s]!, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, 4);
    }
    const repeated = rows.ix.bulkLoad(slots, hashes, n);
    const values: RouteValue[] = [];
    for (const s of repeated) {
      values.push(this.val[s]!);
      this.val[s] = ABSENT;
      rows.freeList.push(s);
    }
    this.count = n - repeated.length;
    return values;
  }

  /**
   * A table sharing this one's keys and holding its routes now; from then on each changes on
   * its own. Cheap (its values only) while the two hold mostly the same keys.
   */
  twin(): RouteTable {
    return new RouteTable(this.family, 0, this);
  }

  /**
   * This table is done with (replaced): the rows only it held are freed for the tables that
   * share them. It must not be used again.
   */
  release(): void {
    const rows = this.rows;
    rows.tables = rows.tables.filter((t) => t !== this);
    if (rows.tables.length) this.dropAll();
    this.val = new Float64Array(0);
    this.count = 0;
  }

  /** Removes every route of this table, freeing the rows no other table holds. */
  private dropAll(): void {
    const held = this.slots();
    const rows = this.rows;
    for (const s of held) {
      this.val[s] = ABSENT;
      rows.freeIfUnheld(rows.positionOf(s), s);
    }
    this.count = 0;
  }

  /** The rows now, as slot numbers (a cursor over them stays valid while rows are only added). */
  slots(): Int32Array {
    const out = new Int32Array(this.count);
    let i = 0;
    this.forEach((s) => void (out[i++] = s));
    return out;
  }

  /** Calls `visit` with every row. */
  forEach(visit: (slot: number) => void): void {
    this.rows.ix.forEach((s) => {
      if (this.val[s] !== ABSENT) visit(s);
    });
  }

  vrfOf(s: number): number {
    return this.rows.vrf[s]!;
  }
  dstLenOf(s: number): number {
    return this.rows.len[s]!;
  }
  word(s: number, k: number): number {
    return k < this.words ? this.rows.dst[s * this.words + k]! : 0;
  }
  valueOf(s: number): RouteValue {
    return this.val[s]!;
  }

  /** "vrf/10.0.0.0/8", for logs and tests. */
  keyText(s: number): string {
    return `${this.vrfOf(s)}/${dstText(this.family, this.word(s, 0), this.word(s, 1), this.word(s, 2), this.word(s, 3))}/${this.dstLenOf(s)}`;
  }

  clear(): void {
    const rows = this.rows;
    if (rows.tables.length > 1) return this.dropAll();
    rows.ix.reset(64);
    rows.freeList = [];
    rows.used = 0;
    this.val.fill(ABSENT);
    this.count = 0;
  }
}
