// Every kernel route of one address family, by (table, prefix), with its aliases in kernel
// order, in a few typed arrays: about 30 bytes per IPv4 route and 42 per IPv6 route instead of
// an object graph. Route slots live in parallel arrays (destination words, table, prefix
// length|tos|source length, metric, attribute id, next alias); an open-addressing index maps
// (table, prefix) to the first alias of its chain.
//
// Kernel order (net/ipv4/fib_trie.c, net/ipv6/ip6_fib.c): IPv4 keeps aliases by tos (higher
// first), then metric (lower first), then insertion order, where a plain add or a prepend goes
// before the aliases of the same (tos, metric), an append after them, and a replace takes the
// first one's place. The active route is the first alias with tos 0 and no source prefix: a tos
// or source-specific route matches only some packets, which hardware cannot tell apart.
// IPv6 keeps one route per (prefix, metric, source): gateway routes of one metric are siblings
// of one multipath route, stored as one alias with every sibling as a nexthop, as dumps and
// append notifications show them.
import { recordFromRoute, dstText, RouteRecord } from '../netlink/route-record.ts';
import type { KernelRoute, RouteNextHop } from '../netlink/route-codec.ts';
import type { AttrsTable, RouteAttrs } from './route-attrs.ts';
import type { RouteKeyList } from './route-keys.ts';
import { SlotIndex, prefixHash, type KeyedRows } from '../common/slot-index.ts';

export interface AddHow {
  replace: boolean;
  append: boolean;
}

const NONE = -1;
/** In `info`: a first alias that load() appended and finishLoad has yet to index. */
const LOADED_HEAD = 1 << 24;
/** load() indexes what it appended every this many slots. */
const INDEX_STEP = 8192;
/** How a dump's routes are added: in the order the kernel lists them. */
export const DUMP_ORDER: AddHow = Object.freeze({ replace: false, append: true });

const isGateway = (a: RouteAttrs) => a.type === 1 && a.nexthops.length > 0 && a.nexthops.every((n) => n.gateway !== undefined);
const nhKey = (n: RouteNextHop) => `${n.ifindex}|${n.gateway ?? ''}|${n.weight}`;

/** Same nexthops as sets (IPv6 siblings may be reported in another order), state flags aside. */
export function sameNexthops(a: readonly RouteNextHop[], b: readonly RouteNextHop[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 1) return nhKey(a[0]!) === nhKey(b[0]!);
  const keys = new Set(a.map(nhKey));
  return b.every((n) => keys.has(nhKey(n)));
}

function pushRecordKey(out: RouteKeyList | null, rec: RouteRecord) {
  out?.push(rec.family, rec.table, rec.dstLen, rec.d0, rec.d1, rec.d2, rec.d3);
}

export class FamilyRoutes implements KeyedRows {
  readonly words: 1 | 4;
  /** Routes (every alias). */
  count = 0;
  /** Per table: [routes, routes of prefix length 0, 1, ... 128]. */
  private readonly lengths = new Map<number, Uint32Array>();
  private lastTable = -1;
  private lastCounts: Uint32Array = new Uint32Array(130);

  private cap = 0;
  private used = 0;
  private freeHead = NONE;
  private dst = new Uint32Array(0);
  private tbl = new Uint32Array(0);
  /** dstLen | tos << 8 | srcLen << 16 */
  private info = new Uint32Array(0);
  private prio = new Uint32Array(0);
  private attr = new Uint32Array(0);
  private next = new Int32Array(0);
  /** (table, prefix) -> first alias. */
  private readonly ix: SlotIndex;
  /** The key being looked up (see keyMatches). */
  private qTable = 0;
  private qLen = 0;
  private qD0 = 0;
  private qD1 = 0;
  private qD2 = 0;
  private qD3 = 0;
  private readonly scratch = new RouteRecord();

  /** `indexStep`: load() indexes what it appended every this many slots (tests make it small). */
  constructor(readonly family: 4 | 6, readonly attrs: AttrsTable, initialCapacity = 1024, private readonly indexStep = INDEX_STEP) {
    this.words = family === 4 ? 1 : 4;
    this.grow(initialCapacity);
    this.ix = new SlotIndex(this, initialCapacity);
  }

  /** Distinct (table, prefix) keys. */
  get prefixes(): number {
    return this.ix.size;
  }

  // ---- slots ------------------------------------------------------------------------------

  private grow(cap: number) {
    const w = this.words;
    const copy = <T extends Uint32Array | Int32Array>(old: T, make: (n: number) => T, n: number): T => {
      const a = make(n);
      a.set(old);
      return a;
    };
    this.dst = copy(this.dst, (n) => new Uint32Array(n), cap * w);
    this.tbl = copy(this.tbl, (n) => new Uint32Array(n), cap);
    this.info = copy(this.info, (n) => new Uint32Array(n), cap);
    this.prio = copy(this.prio, (n) => new Uint32Array(n), cap);
    this.attr = copy(this.attr, (n) => new Uint32Array(n), cap);
    this.next = copy(this.next, (n) => new Int32Array(n), cap);
    this.cap = cap;
  }

  /** A slot holding the record's key and `attrId` (already counted for it). */
  /** A slot for `rec`; `fresh`: past every slot used so far, never a freed one. */
  private alloc(rec: RouteRecord, attrId: number, fresh = false): number {
    let s: number;
    if (this.freeHead !== NONE && !fresh) {
      s = this.freeHead;
      this.freeHead = this.next[s]!;
    } else {
      if (this.used === this.cap) this.grow(this.cap * 2);
      s = this.used++;
    }
    const o = s * this.words;
    this.dst[o] = rec.d0;
    if (this.words === 4) {
      this.dst[o + 1] = rec.d1;
      this.dst[o + 2] = rec.d2;
      this.dst[o + 3] = rec.d3;
    }
    this.tbl[s] = rec.table;
    this.info[s] = rec.dstLen | (rec.tos << 8) | (rec.srcLen << 16);
    this.prio[s] = rec.priority;
    this.attr[s] = attrId;
    this.next[s] = NONE;
    this.count++;
    const c = this.countsOf(rec.table);
    c[0]!++;
    c[1 + rec.dstLen]!++;
    return s;
  }

  private countsOf(table: number): Uint32Array {
    if (table === this.lastTable) return this.lastCounts;
    let c = this.lengths.get(table);
    if (!c) this.lengths.set(table, (c = new Uint32Array(130)));
    this.lastTable = table;
    this.lastCounts = c;
    return c;
  }

  /** Routes per table. */
  get perTable(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [t, c] of this.lengths) if (c[0]) out.set(t, c[0]);
    return out;
  }

  /** Routes of `table`: [all, of prefix length 0, 1, ... 128], or undefined when it never had any. */
  lengthCounts(table: number): Uint32Array | undefined {
    return this.lengths.get(table);
  }

  /** Does `table` hold any route of prefix length `dstLen`? (A lookup that cannot hit is skipped.) */
  hasLength(table: number, dstLen: number): boolean {
    const c = table === this.lastTable ? this.lastCounts : this.lengths.get(table);
    return c !== undefined && c[1 + dstLen]! > 0;
  }

  private free(s: number) {
    this.attrs.release(this.attr[s]!);
    const c = this.countsOf(this.tbl[s]!);
    c[0]!--;
    c[1 + (this.info[s]! & 0xff)]!--;
    this.count--;
    this.next[s] = this.freeHead;
    this.freeHead = s;
  }

  // ---- slot accessors (for the translator and tests) ---------------------------------------

  tableOf(s: number): number {
    return this.tbl[s]!;
  }
  dstLenOf(s: number): number {
    return this.info[s]! & 0xff;
  }
  tosOf(s: number): number {
    return (this.info[s]! >>> 8) & 0xff;
  }
  priorityOf(s: number): number {
    return this.prio[s]!;
  }
  attrIdOf(s: number): number {
    return this.attr[s]!;
  }
  attrsOf(s: number): RouteAttrs {
    return this.attrs.get(this.attr[s]!);
  }
  /** Destination word k (network order); IPv4 has word 0 only. */
  dstWord(s: number, k: number): number {
    return this.dst[s * this.words + k]!;
  }
  nextAlias(s: number): number {
    return this.next[s]!;
  }

  /** The route in slot `s` as a plain object. */
  route(s: number): KernelRoute {
    return this.routeWith(s, this.attrsOf(s));
  }

  /** The key and metric of slot `s` with attributes `a`. */
  private routeWith(s: number, a: RouteAttrs): KernelRoute {
    const o = s * this.words;
    const d = this.dst;
    const text = this.words === 1 ? dstText(4, d[o]!, 0, 0, 0) : dstText(6, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
    const r: KernelRoute = {
      family: this.family, table: this.tbl[s]!, dst: text, dstLen: this.dstLenOf(s), srcLen: a.srcLen, tos: this.tosOf(s),
      protocol: a.protocol, scope: a.scope, type: a.type, flags: a.flags, priority: this.prio[s]!,
      nexthops: a.nexthops.map((n) => ({ ...n })),
    };
    if (a.src !== undefined) r.src = a.src;
    if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
    if (a.nhId !== undefined) r.nhId = a.nhId;
    if (a.pref !== undefined) r.pref = a.pref;
    return r;
  }

  // ---- the (table, prefix) index ------------------------------------------------------------

  keyMatches(s: number): boolean {
    const o = s * this.words;
    const d = this.dst;
    return d[o] === this.qD0 && this.tbl[s] === this.qTable && (this.info[s]! & 0xff) === this.qLen
      && (this.words === 1 || (d[o + 1] === this.qD1 && d[o + 2] === this.qD2 && d[o + 3] === this.qD3));
  }

  /** Index position of the key, or -(insertion position) - 1 when absent. */
  private probe(table: number, dstLen: number, d0: number, d1: number, d2: number, d3: number): number {
    this.qTable = table;
    this.qLen = dstLen;
    this.qD0 = d0;
    this.qD1 = d1;
    this.qD2 = d2;
    this.qD3 = d3;
    return this.ix.find(prefixHash(table, dstLen, d0, d1, d2, d3, this.words));
  }

  /** First alias of (table, prefix), or -1. */
  head(table: number, dstLen: number, d0: number, d1 = 0, d2 = 0, d3 = 0): number {
    this.finishLoad();
    const pos = this.probe(table, dstLen, d0, d1, d2, d3);
    return pos < 0 ? NONE : this.ix.slotAt(pos);
  }

  /** The active alias of a chain (first with tos 0 and no source prefix), or -1. */
  activeOf(head: number): number {
    for (let s = head; s !== NONE; s = this.next[s]!) if ((this.info[s]! & 0xffff00) === 0) return s;
    return NONE;
  }

  /** The active route of (table, prefix), or -1. */
  active(table: number, dstLen: number, d0: number, d1 = 0, d2 = 0, d3 = 0): number {
    if (!this.hasLength(table, dstLen)) return NONE;
    const h = this.head(table, dstLen, d0, d1, d2, d3);
    return h === NONE ? NONE : this.activeOf(h);
  }

  /** The first alias of every (table, prefix), now (a walk that may pause in between). */
  headSlots(): Int32Array {
    this.finishLoad();
    const out = new Int32Array(this.ix.size);
    let i = 0;
    this.ix.forEach((h) => void (out[i++] = h));
    return out;
  }

  /** Calls `visit` with the first alias of every (table, prefix). */
  forEachHead(visit: (head: number) => void): void {
    this.finishLoad();
    this.ix.forEach(visit);
  }

  private pushKey(out: RouteKeyList | null, s: number) {
    if (!out) return;
    const o = s * this.words;
    const d = this.dst;
    if (this.words === 1) out.push(this.family, this.tbl[s]!, this.info[s]! & 0xff, d[o]!, 0, 0, 0);
    else out.push(this.family, this.tbl[s]!, this.info[s]! & 0xff, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
  }

  // ---- loading a dump ------------------------------------------------------------------------

  /** load() appended routes that finishLoad has not indexed yet. */
  private loading = false;
  private lastHead = NONE;
  /** Slots below this one that load() appended are indexed. */
  private indexedUpTo = 0;

  /**
   * Appends a route as a dump lists it: a table walk, so the aliases of one prefix come one
   * after another, in kernel order. No index lookup per route (the index is built once, by
   * finishLoad, with every key known); a prefix that shows up again later is merged then.
   */
  load(rec: RouteRecord): void {
    if (!this.loading) {
      if (this.count) throw new Error('load() is for a fresh table');
      this.loading = true;
    }
    const attrId = this.attrs.intern(rec);
    const h = this.lastHead;
    if (h !== NONE && this.tbl[h] === rec.table && (this.info[h]! & 0xff) === rec.dstLen && this.sameDst(h, rec)) {
      const list = this.chain(h);
      if (this.family === 6) this.addV6(list, rec, attrId, DUMP_ORDER);
      else this.addV4(list, rec, attrId, DUMP_ORDER);
      this.linkChain(list);
      for (const s of list) this.info[s]! &= ~LOADED_HEAD;
      this.info[list[0]!]! |= LOADED_HEAD;
      this.lastHead = list[0]!;
      return;
    }
    // A fresh slot: the heads below indexedUpTo are indexed already, and this one is not yet.
    const s = this.alloc(rec, attrId, true);
    this.info[s]! |= LOADED_HEAD;
    this.lastHead = s;
    // Index what came before this prefix as the dump goes: the work then overlaps the kernel's
    // (the reading thread waits on it) instead of following the dump's last message.
    if (s - this.indexedUpTo >= this.indexStep) this.indexLoaded(s);
  }

  /**
   * Indexes the heads load() appended at slots [indexedUpTo, end), walking them in order (the
   * heads are flagged in `info`). `end` is the slot of the prefix being loaded, or past the last.
   */
  private indexLoaded(end: number): void {
    const rec = this.scratch;
    const w = this.words;
    const d = this.dst;
    for (let h = this.indexedUpTo; h < end; h++) {
      if (!(this.info[h]! & LOADED_HEAD)) continue;
      this.info[h]! &= ~LOADED_HEAD;
      const o = h * w;
      const pos = w === 1
        ? this.probe(this.tbl[h]!, this.info[h]! & 0xff, d[o]!, 0, 0, 0)
        : this.probe(this.tbl[h]!, this.info[h]! & 0xff, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
      if (pos < 0) {
        this.ix.insertAt(pos, h);
        continue;
      }
      // The same prefix again, apart from its first aliases: add these after them.
      for (let s = h; s !== NONE;) {
        const next = this.next[s]!;
        this.recordOf(s, rec);
        this.free(s);
        this.addIndexed(rec, DUMP_ORDER, null);
        s = next;
      }
    }
    this.indexedUpTo = end;
  }

  /** Indexes the rest of what load() appended. Called before any other use of the table. */
  finishLoad(): void {
    if (!this.loading) return;
    this.loading = false;
    this.lastHead = NONE;
    this.indexLoaded(this.used);
    this.indexedUpTo = 0;
  }

  private sameDst(s: number, rec: RouteRecord): boolean {
    const o = s * this.words;
    const d = this.dst;
    return d[o] === rec.d0 && (this.words === 1 || (d[o + 1] === rec.d1 && d[o + 2] === rec.d2 && d[o + 3] === rec.d3));
  }

  /** Slot `s` as a record (key and signature), to add it again. */
  private recordOf(s: number, rec: RouteRecord): void {
    const o = s * this.words;
    rec.family = this.family;
    rec.table = this.tbl[s]!;
    rec.dstLen = this.info[s]! & 0xff;
    rec.tos = (this.info[s]! >>> 8) & 0xff;
    rec.srcLen = (this.info[s]! >>> 16) & 0xff;
    rec.priority = this.prio[s]!;
    rec.d0 = this.dst[o]!;
    rec.d1 = this.words === 4 ? this.dst[o + 1]! : 0;
    rec.d2 = this.words === 4 ? this.dst[o + 2]! : 0;
    rec.d3 = this.words === 4 ? this.dst[o + 3]! : 0;
    this.attrs.fillRecord(this.attr[s]!, rec);
  }

  // ---- changes ------------------------------------------------------------------------------

  private chain(head: number): number[] {
    const list: number[] = [];
    for (let s = head; s !== NONE; s = this.next[s]!) list.push(s);
    return list;
  }

  private linkChain(list: number[]) {
    for (let i = 0; i < list.length; i++) this.next[list[i]!] = i + 1 < list.length ? list[i + 1]! : NONE;
  }

  /** Makes `list` the chain of index entry `pos` (or drops the entry when it is empty). */
  private relink(pos: number, list: number[]) {
    if (list.length === 0) {
      this.ix.removeAt(pos);
      return;
    }
    this.linkChain(list);
    this.ix.setSlot(pos, list[0]!);
  }

  /** Did the active route change (appear, go, or forward differently)? */
  private activeMoved(beforeSlot: number, beforeAttr: number, beforePrio: number, after: number): boolean {
    if (beforeSlot === NONE || after === NONE) return beforeSlot !== after;
    return beforeAttr !== this.attr[after] || beforePrio !== this.prio[after];
  }

  private order(a: number, tos: number, prio: number): number {
    return tos - this.tosOf(a) || this.prio[a]! - prio;
  }

  /** Inserts `s` before (or, with `after`, behind) the aliases that sort equal to it. */
  private insertOrdered(list: number[], s: number, after: boolean) {
    const tos = this.tosOf(s);
    const prio = this.prio[s]!;
    let i = 0;
    while (i < list.length && (this.order(list[i]!, tos, prio) < 0 || (after && this.order(list[i]!, tos, prio) === 0))) i++;
    list.splice(i, 0, s);
  }

  /**
   * Applies an RTM_NEWROUTE as the kernel applied it (flags from the notification; a dump adds
   * with append). Pushes the key to `changed` when the active route moved.
   */
  add(rec: RouteRecord, how: AddHow, changed: RouteKeyList | null): void {
    this.finishLoad();
    this.addIndexed(rec, how, changed);
  }

  private addIndexed(rec: RouteRecord, how: AddHow, changed: RouteKeyList | null): void {
    const pos = this.probe(rec.table, rec.dstLen, rec.d0, rec.d1, rec.d2, rec.d3);
    const attrId = this.attrs.intern(rec);
    if (pos < 0) {
      // A new prefix: the common case of a dump, kept free of any allocation.
      const s = this.alloc(rec, attrId);
      this.ix.insertAt(pos, s);
      if ((this.info[s]! & 0xffff00) === 0) pushRecordKey(changed, rec);
      return;
    }
    const list = this.chain(this.ix.slotAt(pos));
    const before = this.activeOf(list[0]!);
    const beforeAttr = before === NONE ? 0 : this.attr[before]!;
    const beforePrio = before === NONE ? 0 : this.prio[before]!;
    if (this.family === 6) this.addV6(list, rec, attrId, how);
    else this.addV4(list, rec, attrId, how);
    this.relink(pos, list);
    const after = this.activeOf(list[0]!);
    if (this.activeMoved(before, beforeAttr, beforePrio, after)) pushRecordKey(changed, rec);
  }

  private addV4(list: number[], rec: RouteRecord, attrId: number, how: AddHow) {
    const same = list.findIndex((x) => this.tosOf(x) === rec.tos && this.prio[x] === rec.priority);
    // The kernel refuses an identical alias (EEXIST), so a notification for a route already here
    // (replayed after a dump that included it) changes nothing.
    if (!how.replace && list.some((x) => this.tosOf(x) === rec.tos && this.prio[x] === rec.priority && this.attr[x] === attrId)) {
      this.attrs.release(attrId);
      return;
    }
    if (how.replace && same >= 0) {
      const s = list[same]!;
      this.attrs.release(this.attr[s]!);
      this.attr[s] = attrId;
      return;
    }
    this.insertOrdered(list, this.alloc(rec, attrId), how.append);
  }

  private sameV6Slot(x: number, priority: number, a: RouteAttrs): boolean {
    const xa = this.attrsOf(x);
    return this.prio[x] === priority && xa.srcLen === a.srcLen && xa.src === a.src;
  }

  private addV6(list: number[], rec: RouteRecord, attrId: number, how: AddHow) {
    const a = this.attrs.get(attrId);
    const i = list.findIndex((x) => this.sameV6Slot(x, rec.priority, a)
      && (how.replace || (isGateway(this.attrsOf(x)) && isGateway(a)) || sameNexthops(this.attrsOf(x).nexthops, a.nexthops)));
    if (i < 0) {
      this.insertOrdered(list, this.alloc(rec, attrId), true);
      return;
    }
    const s = list[i]!;
    const old = this.attrsOf(s);
    let id = attrId;
    // A replace carries the whole new state; an append or add of a sibling carries the full set
    // on current kernels and one sibling on older ones: the union is right for both.
    if (!how.replace && isGateway(old) && isGateway(a) && !sameNexthops(old.nexthops, a.nexthops)) {
      const merged = [...old.nexthops];
      for (const n of a.nexthops) if (!merged.some((m) => m.ifindex === n.ifindex && m.gateway === n.gateway)) merged.push(n);
      id = this.internRoute({ ...this.routeWith(s, a), nexthops: merged });
      this.attrs.release(attrId);
    }
    this.attrs.release(this.attr[s]!);
    this.attr[s] = id;
  }

  private internRoute(r: KernelRoute): number {
    return this.attrs.intern(recordFromRoute(r, this.scratch));
  }

  /**
   * Applies an RTM_DELROUTE: removes the alias the kernel removed (or, for IPv6, the siblings
   * named). Pushes the key to `changed` when the active route moved.
   */
  delete(rec: RouteRecord, r: RouteAttrs, changed: RouteKeyList | null): void {
    this.finishLoad();
    const pos = this.probe(rec.table, rec.dstLen, rec.d0, rec.d1, rec.d2, rec.d3);
    if (pos < 0) return;
    const list = this.chain(this.ix.slotAt(pos));
    const before = this.activeOf(list[0]!);
    const beforeAttr = before === NONE ? 0 : this.attr[before]!;
    const beforePrio = before === NONE ? 0 : this.prio[before]!;
    const v4 = this.family === 4;
    const candidates = list.filter((x) => this.tosOf(x) === rec.tos && this.prio[x] === rec.priority && (v4 || this.sameV6Slot(x, rec.priority, r)));
    const exact = candidates.find((x) => this.attrsOf(x).type === r.type && sameNexthops(this.attrsOf(x).nexthops, r.nexthops));
    const sameDevice = candidates.find((x) => this.attrsOf(x).nexthops[0]?.ifindex === r.nexthops[0]?.ifindex
      && (v4 || !isGateway(r) || this.attrsOf(x).nexthops.some((n) => n.gateway === r.nexthops[0]?.gateway)));
    const victim = exact ?? sameDevice ?? candidates[0];
    if (victim === undefined) return;
    const va = this.attrsOf(victim);
    let removed = true;
    if (exact === undefined && !v4 && r.nexthops.length > 0 && r.nexthops.length < va.nexthops.length) {
      // IPv6 deletes one sibling of a multipath route: the rest stays.
      const remaining = va.nexthops.filter((n) => !r.nexthops.some((d) => d.ifindex === n.ifindex && d.gateway === n.gateway));
      if (remaining.length < va.nexthops.length && remaining.length > 0) {
        const id = this.internRoute({ ...this.route(victim), nexthops: remaining });
        this.attrs.release(this.attr[victim]!);
        this.attr[victim] = id;
        removed = false;
      }
    }
    if (removed) {
      list.splice(list.indexOf(victim), 1);
      this.free(victim);
    }
    this.relink(pos, list);
    const after = list.length ? this.activeOf(list[0]!) : NONE;
    if (this.activeMoved(before, beforeAttr, beforePrio, after)) pushRecordKey(changed, rec);
  }

  // ---- whole-table operations ---------------------------------------------------------------

  /** Pushes every key whose active route differs between this table and `next` (or, when this one is empty, marks the family whole). */
  diffActive(next: FamilyRoutes, changed: RouteKeyList): void {
    next.finishLoad();
    if (this.prefixes === 0) {
      // Everything is new (the first dump): say so once instead of once per route.
      if (next.prefixes > 0) changed.markWhole(this.family);
      return;
    }
    next.forEachHead((h) => {
      const after = next.activeOf(h);
      const o = h * this.words;
      const nd = next.dst;
      const mine = this.words === 1
        ? this.head(next.tbl[h]!, next.info[h]! & 0xff, nd[o]!)
        : this.head(next.tbl[h]!, next.info[h]! & 0xff, nd[o]!, nd[o + 1]!, nd[o + 2]!, nd[o + 3]!);
      const before = mine === NONE ? NONE : this.activeOf(mine);
      if (before === NONE && after === NONE) return;
      if (before === NONE || after === NONE || this.attr[before] !== next.attr[after] || this.prio[before] !== next.prio[after]) {
        next.pushKey(changed, h);
      }
    });
    this.forEachHead((h) => {
      const o = h * this.words;
      const d = this.dst;
      const theirs = this.words === 1
        ? next.head(this.tbl[h]!, this.info[h]! & 0xff, d[o]!)
        : next.head(this.tbl[h]!, this.info[h]! & 0xff, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
      if (theirs === NONE && this.activeOf(h) !== NONE) this.pushKey(changed, h);
    });
  }

  /** Releases every attribute reference (before this table is dropped for another). */
  releaseAll(): void {
    this.forEachHead((h) => {
      for (let s = h; s !== NONE; s = this.next[s]!) this.attrs.release(this.attr[s]!);
    });
  }

  /** Every route (all aliases), as objects: for tests and the CLI. */
  *routes(): Generator<KernelRoute> {
    const heads: number[] = [];
    this.forEachHead((h) => heads.push(h));
    for (const h of heads) for (let s = h; s !== NONE; s = this.next[s]!) yield this.route(s);
  }
}
