// An open-addressing hash index from keys to slot numbers, for tables that keep their rows in
// typed arrays (the kernel mirror's routes, the agent's hardware routes). It stores only
// (slot + 1, hash) pairs side by side, so a probe reads one cache line and the index grows
// and shifts entries back without touching a row. The owner compares keys: the index asks
// it whether a slot holds the key being looked for.
//
// Linear probing at most half full; deletion shifts the rest of the probe run back, so there
// are no tombstones and lookups stay short under churn.

export interface KeyedRows {
  /** Does row `slot` hold the key of the current lookup? */
  keyMatches(slot: number): boolean;
  /** Do rows `a` and `b` hold the same key? (bulkLoad: rows whose keys may repeat.) */
  sameKey?(a: number, b: number): boolean;
}

export const NOT_FOUND = -1;

/**
 * A zeroed entry array, its pages written once up front. A large typed array comes from fresh
 * mmap'd memory: probing reads a page before inserting writes it, so each page would be mapped
 * to the shared zero page first and then copied on write, and replacing that mapping flushes the
 * TLB of every core the process runs on (an inter-processor interrupt, dear in a VM). Written
 * first, a page faults once, with no flush.
 */
function zeroedEntries(n: number): Int32Array {
  return new Int32Array(n).fill(0);
}

export class SlotIndex {
  /** Entry p: entries[2p] = slot + 1 (0 when empty), entries[2p + 1] = hash. */
  private entries: Int32Array;
  private mask: number;
  size = 0;
  /** The hash of the last find() that missed: insertAt uses it. */
  private lastHash = 0;

  constructor(private readonly rows: KeyedRows, capacity = 8) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.entries = zeroedEntries(n * 2);
    this.mask = n - 1;
  }

  /** Position of the key with this hash, or -(insertion position) - 1 when absent. */
  find(hash: number): number {
    const e = this.entries;
    const mask = this.mask;
    const h = hash | 0;
    let pos = h & mask;
    for (;;) {
      const v = e[pos << 1]!;
      if (v === 0) {
        this.lastHash = h;
        return -pos - 1;
      }
      if (e[(pos << 1) + 1] === h && this.rows.keyMatches(v - 1)) return pos;
      pos = (pos + 1) & mask;
    }
  }

  /** The slot at a position find() returned. */
  slotAt(pos: number): number {
    return this.entries[pos << 1]! - 1;
  }

  /** Points an existing entry at another slot (same key). */
  setSlot(pos: number, slot: number): void {
    this.entries[pos << 1] = slot + 1;
  }

  /** Adds `slot` where find() said the key belongs (call find first). */
  insertAt(insertion: number, slot: number): void {
    const pos = -insertion - 1;
    this.entries[pos << 1] = slot + 1;
    this.entries[(pos << 1) + 1] = this.lastHash;
    if (++this.size * 2 > this.mask + 1) this.grow();
  }

  /** Removes the entry at `pos`, shifting later entries of its probe run back. */
  removeAt(pos: number): void {
    const e = this.entries;
    const mask = this.mask;
    let hole = pos;
    let j = pos;
    for (;;) {
      j = (j + 1) & mask;
      const v = e[j << 1]!;
      if (v === 0) break;
      const home = e[(j << 1) + 1]! & mask;
      // Move entry j into the hole unless its home lies cyclically in (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        e[hole << 1] = v;
        e[(hole << 1) + 1] = e[(j << 1) + 1]!;
        hole = j;
      }
    }
    e[hole << 1] = 0;
    this.size--;
  }

  /**
   * Empties the index and fills it with rows `slots[0, n)` (their hashes in `hashes`), sized for
   * them. The rows are placed in order of their home position, so the index is written front to
   * back once: inserted one by one, a million rows land at random and most of the time goes on
   * cache misses. Rows whose key an earlier row of the list holds (by `sameKey`; none are looked
   * for without it) are left out and returned, in list order.
   */
  bulkLoad(slots: Int32Array, hashes: Int32Array, n: number): number[] {
    this.reset(n);
    const e = this.entries;
    const mask = this.mask;
    const order = sortByHome(hashes, n, mask);
    const repeated: number[] = [];
    const wrapped: number[] = [];
    let next = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      const h = hashes[i]!;
      const home = h & mask;
      if (this.rows.sameKey && this.repeats(home, next, h, slots[i]!)) {
        repeated.push(i);
        continue;
      }
      const pos = home > next ? home : next;
      if (pos > mask) {
        wrapped.push(i);
        continue;
      }
      e[pos << 1] = slots[i]! + 1;
      e[(pos << 1) + 1] = h;
      next = pos + 1;
      this.size++;
    }
    // Runs that reach the end of the index go on at its start, as a probe does.
    for (const i of wrapped) {
      const h = hashes[i]!;
      // (A row equal to one placed before the end would have been found repeated above.)
      let pos = 0;
      let dup = false;
      while (!dup && e[pos << 1] !== 0) {
        dup = e[(pos << 1) + 1] === h && this.rows.sameKey?.(e[pos << 1]! - 1, slots[i]!) === true;
        pos++;
      }
      if (dup) {
        repeated.push(i);
        continue;
      }
      e[pos << 1] = slots[i]! + 1;
      e[(pos << 1) + 1] = h;
      this.size++;
    }
    return repeated.sort((a, b) => a - b).map((i) => slots[i]!);
  }

  /** Does the run from `home` to `end` (exclusive) already hold `slot`'s key (hash `h`)? */
  private repeats(home: number, end: number, h: number, slot: number): boolean {
    const e = this.entries;
    for (let p = home; p < end; p++) if (e[(p << 1) + 1] === h && this.rows.sameKey!(e[p << 1]! - 1, slot)) return true;
    return false;
  }

  /** Calls `visit` with every slot, in index order. */
  forEach(visit: (slot: number) => void): void {
    const e = this.entries;
    for (let i = 0; i < e.length; i += 2) if (e[i] !== 0) visit(e[i]! - 1);
  }

  /** Grows the index at once to hold `capacity` keys at half load. */
  reserve(capacity: number): void {
    let n = this.mask + 1;
    while (n < capacity * 2) n *= 2;
    if (n !== this.mask + 1) this.resize(n);
  }

  /** Empties the index, sized for `capacity` keys. */
  reset(capacity: number): void {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.entries = zeroedEntries(n * 2);
    this.mask = n - 1;
    this.size = 0;
  }

  private grow() {
    this.resize((this.mask + 1) * 2);
  }

  private resize(n: number) {
    const old = this.entries;
    const e = (this.entries = zeroedEntries(n * 2));
    const mask = (this.mask = n - 1);
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i]!;
      if (v === 0) continue;
      const h = old[i + 1]!;
      let pos = h & mask;
      while (e[pos << 1] !== 0) pos = (pos + 1) & mask;
      e[pos << 1] = v;
      e[(pos << 1) + 1] = h;
    }
  }
}

/**
 * Indexes 0..n-1 ordered by home position (hash & mask), stably: a radix sort in two passes of
 * half the index's bits each.
 */
function sortByHome(hashes: Int32Array, n: number, mask: number): Int32Array {
  const bits = 32 - Math.clz32(mask);
  const lo = bits >>> 1;
  const loMask = (1 << lo) - 1;
  const tmp = new Int32Array(n);
  const out = new Int32Array(n);
  const count = new Int32Array((1 << (bits - lo)) + 1);
  // Pass 1: by the low bits of home, into tmp.
  const countLo = new Int32Array((1 << lo) + 1);
  for (let i = 0; i < n; i++) countLo[(hashes[i]! & loMask) + 1]!++;
  for (let b = 1; b < countLo.length; b++) countLo[b]! += countLo[b - 1]!;
  for (let i = 0; i < n; i++) tmp[countLo[hashes[i]! & loMask]!++] = i;
  // Pass 2: by the high bits, stable, into out.
  for (let j = 0; j < n; j++) count[((hashes[tmp[j]!]! & mask) >>> lo) + 1]!++;
  for (let b = 1; b < count.length; b++) count[b]! += count[b - 1]!;
  for (let j = 0; j < n; j++) {
    const i = tmp[j]!;
    out[count[(hashes[i]! & mask) >>> lo]!++] = i;
  }
  return out;
}

function mix(h: number, v: number): number {
  h ^= v;
  h = Math.imul(h, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h, 0x1b873593);
}

/** The hash of a prefix in a scope (a table or a VRF): words in network order, one for IPv4. */
export function prefixHash(scope: number, dstLen: number, d0: number, d1: number, d2: number, d3: number, words: 1 | 4): number {
  let h = mix(scope, d0);
  if (words === 4) h = mix(mix(mix(h, d1), d2), d3);
  h = mix(h, dstLen);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
