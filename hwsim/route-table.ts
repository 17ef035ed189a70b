// Compact per-VRF route storage with longest-prefix match, for one address family.
//
// A route costs one Map entry: one map per (VRF, prefix length), keyed by the masked network
// address (an int32 for IPv4, a short latin1 string for IPv6) and valued by the route's
// action and target packed into one number. Nothing else is kept per route, which holds
// hwsim under 200 bytes per route with a full Internet table. LPM probes the lengths that
// are present in the VRF, longest first: at most 33 (or 129) map lookups.

/** What a route points at. */
export const enum TargetKind { None = 0, NextHop = 1, Group = 2, Rif = 3 }

export interface RouteValue {
  action: number;
  kind: TargetKind;
  target: number;
}

// target * 16 + kind * 4 + action: exact in a double for any uint32 target.
export function pack(action: number, kind: TargetKind, target: number): number {
  return target * 16 + kind * 4 + action;
}
export function unpack(v: number): RouteValue {
  return { action: v % 4, kind: (Math.floor(v / 4) % 4) as TargetKind, target: Math.floor(v / 16) };
}

export interface KeySpace<A, K> {
  readonly maxLen: number;
  /** Key of the network of `addr` at length `len` (host bits ignored). */
  key(addr: A, len: number): K;
  /** The network address a key stands for. */
  addr(key: K, len: number): A;
}

export const ipv4Keys: KeySpace<number, number> = {
  maxLen: 32,
  key: (addr, len) => (len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) | 0),
  addr: (key) => key >>> 0,
};

export const ipv6Keys: KeySpace<Uint8Array, string> = {
  maxLen: 128,
  key(addr, len) {
    const full = len >> 3;
    const rest = len & 7;
    let s = '';
    for (let i = 0; i < full; i++) s += String.fromCharCode(addr[i]!);
    if (rest) s += String.fromCharCode(addr[full]! & (0xff << (8 - rest)) & 0xff);
    return s;
  },
  addr(key) {
    const out = Buffer.alloc(16);
    for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
    return out;
  },
};

class VrfRoutes<K> {
  readonly byLen: (Map<K, number> | undefined)[];
  size = 0;
  constructor(maxLen: number) {
    this.byLen = new Array(maxLen + 1).fill(undefined);
  }
}

export class RouteTable<A, K> {
  private readonly vrfs = new Map<number, VrfRoutes<K>>();
  size = 0;

  constructor(readonly space: KeySpace<A, K>) {}

  get(vrf: number, addr: A, len: number): number | undefined {
    return this.vrfs.get(vrf)?.byLen[len]?.get(this.space.key(addr, len));
  }

  /** Inserts or replaces; returns the previous packed value, if any. */
  set(vrf: number, addr: A, len: number, value: number): number | undefined {
    let v = this.vrfs.get(vrf);
    if (!v) this.vrfs.set(vrf, (v = new VrfRoutes<K>(this.space.maxLen)));
    let m = v.byLen[len];
    if (!m) m = v.byLen[len] = new Map();
    const key = this.space.key(addr, len);
    const prev = m.get(key);
    m.set(key, value);
    if (prev === undefined) {
      v.size++;
      this.size++;
    }
    return prev;
  }

  /** Removes; returns the removed packed value, if any. */
  delete(vrf: number, addr: A, len: number): number | undefined {
    const v = this.vrfs.get(vrf);
    const m = v?.byLen[len];
    if (!v || !m) return undefined;
    const key = this.space.key(addr, len);
    const prev = m.get(key);
    if (prev === undefined) return undefined;
    m.delete(key);
    if (m.size === 0) v.byLen[len] = undefined;
    v.size--;
    this.size--;
    if (v.size === 0) this.vrfs.delete(vrf);
    return prev;
  }

  /** Longest-prefix match: the matching length and packed value, or undefined. */
  lookup(vrf: number, addr: A): { len: number; value: number } | undefined {
    const v = this.vrfs.get(vrf);
    if (!v) return undefined;
    for (let len = this.space.maxLen; len >= 0; len--) {
      const m = v.byLen[len];
      if (!m) continue;
      const value = m.get(this.space.key(addr, len));
      if (value !== undefined) return { len, value };
    }
    return undefined;
  }

  countIn(vrf: number): number {
    return this.vrfs.get(vrf)?.size ?? 0;
  }

  /** Every route, VRF by VRF, shortest prefixes first. */
  *entries(vrf?: number | null): Generator<{ vrf: number; addr: A; len: number; value: number }> {
    const ids = vrf == null ? [...this.vrfs.keys()].sort((a, b) => a - b) : [vrf];
    for (const id of ids) {
      const v = this.vrfs.get(id);
      if (!v) continue;
      for (let len = 0; len <= this.space.maxLen; len++) {
        const m = v.byLen[len];
        if (!m) continue;
        for (const [key, value] of m) yield { vrf: id, addr: this.space.addr(key, len), len, value };
      }
    }
  }

  clear(): void {
    this.vrfs.clear();
    this.size = 0;
  }
}
