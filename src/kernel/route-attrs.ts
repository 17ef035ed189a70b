// Interned route attributes: everything of a route but its key, once per distinct value.
// A full Internet table has a million routes and a handful of distinct attribute sets (one per
// set of peers), so routes store a small id and share one decoded RouteAttrs object.
// Identity is the canonical signature src/netlink writes (RouteRecord.sig): equal signatures,
// equal attributes; so two routes forward alike exactly when their ids are equal.
import { attrsFromSignature, type RouteAttrs, type RouteRecord } from '../netlink/route-record.ts';

export type { RouteAttrs };

/** Sets remembered by hash for intern(): more than any table alternates between. */
const RECENT_MASK = 255;

export class AttrsTable {
  private sigs: Uint32Array[] = [];
  private values: RouteAttrs[] = [];
  private hashes: number[] = [];
  private refs: number[] = [];
  private freeIds: number[] = [];
  private lastId = -1;
  /** id + 1 of a set recently interned, by hash & RECENT_MASK; 0 for none. */
  private readonly recent = new Int32Array(RECENT_MASK + 1);
  /** hash -> id, or ids when several signatures share a hash. */
  private readonly byHash = new Map<number, number | number[]>();

  constructor(readonly family: 4 | 6) {}

  /** The id of the record's attributes, counting one more user. */
  intern(rec: RouteRecord): number {
    // Consecutive routes of a dump mostly share attributes: try the last ones first.
    const last = this.lastId;
    if (last >= 0 && this.hashes[last] === rec.hash && this.sameSig(last, rec)) {
      this.refs[last]!++;
      return last;
    }
    // Then the few sets a table alternates between (one per peer), by hash, before the map.
    const slot = rec.hash & RECENT_MASK;
    const recent = this.recent[slot]! - 1;
    if (recent >= 0 && this.hashes[recent] === rec.hash && this.sameSig(recent, rec)) {
      this.refs[recent]!++;
      this.lastId = recent;
      return recent;
    }
    const id = this.find(rec);
    this.lastId = id;
    this.recent[slot] = id + 1;
    return id;
  }

  private find(rec: RouteRecord): number {
    const hit = this.byHash.get(rec.hash);
    if (hit !== undefined) {
      if (typeof hit === 'number') {
        if (this.sameSig(hit, rec)) {
          this.refs[hit]!++;
          return hit;
        }
      } else {
        for (const id of hit) {
          if (this.sameSig(id, rec)) {
            this.refs[id]!++;
            return id;
          }
        }
      }
    }
    const id = this.freeIds.length ? this.freeIds.pop()! : this.sigs.length;
    this.sigs[id] = rec.sig.slice(0, rec.sigLen);
    this.values[id] = Object.freeze(attrsFromSignature(this.family, rec.sig.subarray(0, rec.sigLen))) as RouteAttrs;
    this.hashes[id] = rec.hash;
    this.refs[id] = 1;
    if (hit === undefined) this.byHash.set(rec.hash, id);
    else if (typeof hit === 'number') this.byHash.set(rec.hash, [hit, id]);
    else hit.push(id);
    return id;
  }

  /** One more user of an id already held. */
  retain(id: number): void {
    this.refs[id]!++;
  }

  /** One user fewer; the attributes are forgotten with their last user. */
  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    const h = this.hashes[id]!;
    const hit = this.byHash.get(h);
    if (typeof hit === 'number') this.byHash.delete(h);
    else if (hit) {
      hit.splice(hit.indexOf(id), 1);
      if (hit.length === 1) this.byHash.set(h, hit[0]!);
    }
    this.sigs[id] = EMPTY;
    this.hashes[id] = -1;
    this.freeIds.push(id);
  }

  /** Puts an id's signature and hash back into a record (to re-add a stored route). */
  fillRecord(id: number, rec: RouteRecord): void {
    const sig = this.sigs[id]!;
    rec.sigLen = 0;
    for (let i = 0; i < sig.length; i++) rec.put(sig[i]!);
    rec.hash = this.hashes[id]!;
  }

  get(id: number): RouteAttrs {
    return this.values[id]!;
  }

  /** Does any attribute set in use satisfy `test`? (A handful of sets, not a walk of routes.) */
  some(test: (a: RouteAttrs) => boolean): boolean {
    for (let id = 0; id < this.sigs.length; id++) {
      if (this.refs[id]! > 0 && test(this.values[id]!)) return true;
    }
    return false;
  }

  /** Distinct attribute sets in use. */
  get size(): number {
    return this.sigs.length - this.freeIds.length;
  }

  private sameSig(id: number, rec: RouteRecord): boolean {
    const s = this.sigs[id]!;
    if (s.length !== rec.sigLen) return false;
    const r = rec.sig;
    for (let i = 0; i < s.length; i++) if (s[i] !== r[i]) return false;
    return true;
  }
}

const EMPTY = new Uint32Array(0);
