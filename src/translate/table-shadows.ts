// A VRF of several kernel tables (the default VRF: local, main, default, in FIB rule order)
// answers a lookup from the first table with any route for the destination, however much more
// specific a later table's route is: a 127.0.0.0/8 local route takes 127.1.0.0/16 from main, a
// main default route takes everything from table default. Hardware has one table per VRF, where
// the longest prefix wins, so a later table's route that an earlier table's shorter route covers
// must forward as that covering route does.
//
// This keeps what finding those covers takes without slowing down the common case, a million
// routes in main: the short routes of a small earlier table (local: 127/8, ranges of local
// addresses) in a list compared word by word; a big earlier table (main, over default's routes)
// looked up prefix length by prefix length; and the keys of small later tables (default; main
// while small), to translate again when a route covering them changes. What cannot be kept
// cheaply (a short route of local over a big main) is answered by translating the whole family
// again when such a route changes: correct, and rare.
import type { FamilyRoutes } from '../kernel/family-routes.ts';

/** An earlier table with at most this many routes shorter than a host route is kept as a list. */
const LIST_LIMIT = 256;
/** A later table with at most this many routes is tracked by key. */
const TRACK_LIMIT = 65_536;
const STRIDE = 5;

/** The mask of the word-th 32-bit word of a prefix of length `len`. */
function maskWord(len: number, word: number): number {
  const bits = len - word * 32;
  if (bits >= 32) return 0xffffffff;
  if (bits <= 0) return 0;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Does prefix (qLen, q0..q3) contain (len, d0..d3)? */
function contains(words: number, qLen: number, q: ArrayLike<number>, at: number, len: number, d0: number, d1: number, d2: number, d3: number): boolean {
  if (qLen > len) return false;
  if (((d0 & maskWord(qLen, 0)) >>> 0) !== q[at]) return false;
  if (words === 1 || qLen <= 32) return true;
  return ((d1 & maskWord(qLen, 1)) >>> 0) === q[at + 1] && ((d2 & maskWord(qLen, 2)) >>> 0) === q[at + 2] && ((d3 & maskWord(qLen, 3)) >>> 0) === q[at + 3];
}

/** Prefixes of one family as (len, d0..d3) rows, longest first. */
class PrefixList {
  rows: number[] = [];
  get length(): number {
    return this.rows.length / STRIDE;
  }
  push(len: number, d0: number, d1: number, d2: number, d3: number): void {
    this.rows.push(len, d0, d1, d2, d3);
  }
  /** Inserts in place, keeping the order (longest first). */
  insert(len: number, d0: number, d1: number, d2: number, d3: number): void {
    let i = 0;
    while (i < this.rows.length && this.rows[i]! >= len) i += STRIDE;
    this.rows.splice(i, 0, len, d0, d1, d2, d3);
  }
  remove(len: number, d0: number, d1: number, d2: number, d3: number): void {
    const r = this.rows;
    for (let i = 0; i < r.length; i += STRIDE) {
      if (r[i] === len && r[i + 1] === d0 && r[i + 2] === d1 && r[i + 3] === d2 && r[i + 4] === d3) {
        r.splice(i, STRIDE);
        return;
      }
    }
  }
}

/** What the earlier tables of a VRF may cover a later table's prefix with (TableShadows.coversOf). */
export interface EarlierCovers {
  /** Their short routes, (len, d0..d3) rows. */
  rows: number[];
  /** Some earlier table has too many short routes to list: look up every prefix. */
  lookup: boolean;
}

export class TableShadows {
  /** Per earlier table of a VRF: its routes shorter than a host route, longest first; null: too many (look up). */
  private readonly shortRoutes = new Map<number, PrefixList | null>();
  /** Per later table of a VRF: its keys by text, when few enough; null: too many. */
  private readonly laterKeys = new Map<number, Map<string, number[]> | null>();
  private readonly hostLen: number;

  constructor(readonly family: 4 | 6) {
    this.hostLen = family === 4 ? 32 : 128;
  }

  /**
   * Forgets everything and reads the tables of multi-table VRFs from the mirror: `heads`, the
   * first alias of every prefix (the walk the caller is about to make anyway).
   */
  reset(kernel: FamilyRoutes, vrfTables: Iterable<readonly number[]>, heads: Int32Array): void {
    this.shortRoutes.clear();
    this.laterKeys.clear();
    for (const tables of vrfTables) {
      if (tables.length < 2) continue;
      tables.forEach((t, k) => {
        const counts = kernel.lengthCounts(t);
        const all = counts?.[0] ?? 0;
        if (k < tables.length - 1) {
          const short = all - (counts?.[1 + this.hostLen] ?? 0);
          this.shortRoutes.set(t, short <= LIST_LIMIT ? new PrefixList() : null);
        }
        if (k > 0) this.laterKeys.set(t, all <= TRACK_LIMIT ? new Map() : null);
      });
    }
    // The tables to read, by id (a big main is neither listed nor tracked: most heads are skipped at once).
    const wanted = new Set<number>();
    for (const [t, l] of this.shortRoutes) if (l && (kernel.lengthCounts(t)?.[0] ?? 0) > 0) wanted.add(t);
    for (const [t, k] of this.laterKeys) if (k && (kernel.lengthCounts(t)?.[0] ?? 0) > 0) wanted.add(t);
    if (wanted.size === 0) return;
    const w = kernel.words;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      const t = kernel.tableOf(h);
      if (!wanted.has(t)) continue;
      const len = kernel.dstLenOf(h);
      const d0 = kernel.dstWord(h, 0);
      const d1 = w === 4 ? kernel.dstWord(h, 1) : 0;
      const d2 = w === 4 ? kernel.dstWord(h, 2) : 0;
      const d3 = w === 4 ? kernel.dstWord(h, 3) : 0;
      if (len < this.hostLen) this.shortRoutes.get(t)?.push(len, d0, d1, d2, d3);
      this.laterKeys.get(t)?.set(keyText(len, d0, d1, d2, d3), [len, d0, d1, d2, d3]);
    }
    for (const [t, list] of this.shortRoutes) if (list) this.shortRoutes.set(t, longestFirst(list));
  }

  /**
   * What tables[0, at) can cover, for a walk over one table's prefixes: their short routes in
   * one list, and whether some earlier table is too big to list (then every prefix must be
   * looked up: mayCover answers true).
   */
  coversOf(tables: readonly number[], at: number): EarlierCovers {
    const rows: number[] = [];
    let lookup = false;
    for (let k = 0; k < at; k++) {
      const list = this.shortRoutes.get(tables[k]!);
      if (list === null) lookup = true;
      else if (list) rows.push(...list.rows);
    }
    return { rows, lookup };
  }

  /** Might a route of `covers` (coversOf) contain the prefix (len, d)? False is sure; true needs cover(). */
  mayCover(covers: EarlierCovers, words: number, len: number, d0: number, d1: number, d2: number, d3: number): boolean {
    if (covers.lookup) return true;
    const r = covers.rows;
    for (let i = 0; i < r.length; i += STRIDE) if (r[i]! < len && contains(words, r[i]!, r, i + 1, len, d0, d1, d2, d3)) return true;
    return false;
  }

  /**
   * The active route of `table`'s longest prefix shorter than (len, d) that contains it and
   * that `usable` accepts, or -1 (always for a table that is no earlier table of a VRF).
   */
  cover(kernel: FamilyRoutes, table: number, len: number, d0: number, d1: number, d2: number, d3: number, usable: (kernel: FamilyRoutes, slot: number) => boolean): number {
    if (len === 0 || !this.shortRoutes.has(table)) return -1;
    const list = this.shortRoutes.get(table);
    const w = kernel.words;
    if (list) {
      const r = list.rows;
      if (r.length === 0) return -1;
      for (let i = 0; i < r.length; i += STRIDE) {
        if (r[i]! >= len || !contains(w, r[i]!, r, i + 1, len, d0, d1, d2, d3)) continue;
        const s = kernel.active(table, r[i]!, r[i + 1]!, r[i + 2]!, r[i + 3]!, r[i + 4]!);
        if (s >= 0 && usable(kernel, s)) return s;
      }
      return -1;
    }
    for (let l = len - 1; l >= 0; l--) {
      if (!kernel.hasLength(table, l)) continue;
      const s = kernel.active(table, l, (d0 & maskWord(l, 0)) >>> 0, (d1 & maskWord(l, 1)) >>> 0, (d2 & maskWord(l, 2)) >>> 0, (d3 & maskWord(l, 3)) >>> 0);
      if (s >= 0 && usable(kernel, s)) return s;
    }
    return -1;
  }

  /**
   * After the mirror changed (table, len, d): keeps the lists and key sets current, and says
   * what else that change may translate differently: 'none', 'family' (everything: the covered
   * routes are in a table too big to track), or the keys (len, d0..d3 rows) of later tables
   * under the changed prefix.
   */
  changed(kernel: FamilyRoutes, tables: readonly number[], table: number, len: number, d0: number, d1: number, d2: number, d3: number): 'none' | 'family' | number[][] {
    const keys = this.laterKeys.get(table);
    const list = len < this.hostLen ? this.shortRoutes.get(table) : undefined;
    // A lookup only for a table kept here: most changes (a VRF's table, a big main) skip it.
    const present = (keys || list) && kernel.head(table, len, d0, d1, d2, d3) >= 0;
    if (keys) {
      if (present) keys.set(keyText(len, d0, d1, d2, d3), [len, d0, d1, d2, d3]);
      else keys.delete(keyText(len, d0, d1, d2, d3));
      if (keys.size > TRACK_LIMIT) this.laterKeys.set(table, null);
    }
    if (len >= this.hostLen || !this.shortRoutes.has(table)) return 'none';
    if (list) {
      list.remove(len, d0, d1, d2, d3);
      if (present) list.insert(len, d0, d1, d2, d3);
      if (list.length > LIST_LIMIT) this.shortRoutes.set(table, null);
    }
    let any = false;
    for (let k = tables.indexOf(table) + 1; k < tables.length && !any; k++) any = this.laterKeys.get(tables[k]!)?.size !== 0;
    if (!any) return 'none';
    const under: number[][] = [];
    const w = kernel.words;
    const q = [(d0 & maskWord(len, 0)) >>> 0, (d1 & maskWord(len, 1)) >>> 0, (d2 & maskWord(len, 2)) >>> 0, (d3 & maskWord(len, 3)) >>> 0];
    for (let k = tables.indexOf(table) + 1; k < tables.length; k++) {
      const later = this.laterKeys.get(tables[k]!);
      if (later === null) return 'family';
      for (const key of later?.values() ?? []) if (contains(w, len, q, 0, key[0]!, key[1]!, key[2]!, key[3]!, key[4]!)) under.push(key);
    }
    return under.length ? under : 'none';
  }
}

function keyText(len: number, d0: number, d1: number, d2: number, d3: number): string {
  return `${len}/${d0}/${d1}/${d2}/${d3}`;
}

function longestFirst(list: PrefixList): PrefixList {
  const rows: number[][] = [];
  for (let i = 0; i < list.rows.length; i += STRIDE) rows.push(list.rows.slice(i, i + STRIDE));
  rows.sort((a, b) => b[0]! - a[0]!);
  const out = new PrefixList();
  out.rows = rows.flat();
  return out;
}
