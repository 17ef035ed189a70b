// Which addresses the forwarding check asks both sides about: for every route of the desired
// state its first, its last and a random address, and a number of random addresses per VRF,
// half anywhere in the family's unicast space and half around the VRF's routes (where a wrong
// longest-prefix match would show). Addresses no unicast packet is forwarded to (0/8, loopback,
// multicast, limited broadcast, ::, ::1, link-local, ff00::/8) are left out: the kernel answers
// them by special cases, not by its FIB.
import type { HardwareState } from '../translate/hardware-state.ts';
import type { RouteTable } from '../translate/route-table.ts';

export interface Probe {
  vrfId: number;
  /** The kernel VRF device to look the address up in (RTA_OIF); 0 for the default VRF. */
  oif: number;
  family: 4 | 6;
  /** The address as 32-bit words in network order; IPv4 uses d0. */
  d0: number;
  d1: number;
  d2: number;
  d3: number;
}

/** A seeded generator (mulberry32) of uint32 values: the same seed probes the same addresses. */
export function randomWords(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Mask of word k (0..3) of a prefix of length `len` over words of 32 bits. */
function maskOf(len: number, k: number): number {
  const bits = len - 32 * k;
  return bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function isProbeable(family: 4 | 6, d0: number, d1: number, d2: number, d3: number): boolean {
  if (family === 4) {
    const first = d0 >>> 24;
    return first !== 0 && first !== 127 && first < 224;
  }
  const top = d0 >>> 16;
  if (top >= 0xff00 || (top & 0xffc0) === 0xfe80) return false;
  return !(d0 === 0 && d1 === 0 && d2 === 0 && (d3 === 0 || d3 === 1));
}

/** Collects probes, each (VRF, address) once. */
class ProbeSet {
  readonly probes: Probe[] = [];
  /** Per VRF: IPv4 addresses as numbers, IPv6 ones as text of their words. */
  private readonly seen4 = new Map<number, Set<number>>();
  private readonly seen6 = new Map<number, Set<string>>();

  constructor(private readonly oifOf: ReadonlyMap<number, number>) {}

  /** Adds a probe; false when it is not probeable or already there. */
  add(vrfId: number, family: 4 | 6, d0: number, d1: number, d2: number, d3: number): boolean {
    d0 >>>= 0;
    if (family === 4) d1 = d2 = d3 = 0;
    else {
      d1 >>>= 0;
      d2 >>>= 0;
      d3 >>>= 0;
    }
    if (!isProbeable(family, d0, d1, d2, d3)) return false;
    if (family === 4) {
      let seen = this.seen4.get(vrfId);
      if (!seen) this.seen4.set(vrfId, (seen = new Set()));
      if (seen.has(d0)) return false;
      seen.add(d0);
    } else {
      let seen = this.seen6.get(vrfId);
      if (!seen) this.seen6.set(vrfId, (seen = new Set()));
      const key = `${d0}:${d1}:${d2}:${d3}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
    this.probes.push({ vrfId, oif: this.oifOf.get(vrfId) ?? 0, family, d0, d1, d2, d3 });
    return true;
  }

  /** First, last and a random address of prefix `w`/`len`. */
  addPrefix(vrfId: number, family: 4 | 6, len: number, w: readonly number[], rnd: () => number): void {
    const n = family === 4 ? 1 : 4;
    const first = [0, 0, 0, 0];
    const last = [0, 0, 0, 0];
    for (let k = 0; k < n; k++) {
      const m = maskOf(len, k);
      first[k] = (w[k]! & m) >>> 0;
      last[k] = (first[k]! | ~m) >>> 0;
    }
    this.add(vrfId, family, first[0]!, first[1]!, first[2]!, first[3]!);
    this.add(vrfId, family, last[0]!, last[1]!, last[2]!, last[3]!);
    this.addRandom(vrfId, family, len, w, rnd);
  }

  /** A random address of prefix `w`/`len`. */
  addRandom(vrfId: number, family: 4 | 6, len: number, w: readonly number[], rnd: () => number): boolean {
    const a = [0, 0, 0, 0];
    for (let k = 0; k < (family === 4 ? 1 : 4); k++) {
      const m = maskOf(len, k);
      a[k] = ((w[k]! & m) | (rnd() & ~m)) >>> 0;
    }
    return this.add(vrfId, family, a[0]!, a[1]!, a[2]!, a[3]!);
  }
}

/** Route slots of `table` per VRF, for the VRFs asked about. */
function slotsByVrf(table: RouteTable, vrfIds: ReadonlySet<number>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  table.forEach((s) => {
    const vrf = table.vrfOf(s);
    if (!vrfIds.has(vrf)) return;
    let list = out.get(vrf);
    if (!list) out.set(vrf, (list = []));
    list.push(s);
  });
  return out;
}

/**
 * The probes for VRFs `vrfs` of `desired` (hardware id, kernel device): three per route, then
 * `perVrf` random ones per VRF (alternating families). Deterministic for a given seed.
 */
export function probeAddresses(desired: HardwareState, vrfs: readonly { id: number; oif: number }[], perVrf: number, seed: number): Probe[] {
  const rnd = randomWords(seed);
  const set = new ProbeSet(new Map(vrfs.map((v) => [v.id, v.oif])));
  const vrfIds = vrfs.map((v) => v.id);
  const wanted = new Set(vrfIds);
  const bySlot = { 4: slotsByVrf(desired.routes(4), wanted), 6: slotsByVrf(desired.routes(6), wanted) };
  const words = (t: RouteTable, s: number) => [t.word(s, 0), t.word(s, 1), t.word(s, 2), t.word(s, 3)];
  for (const family of [4, 6] as const) {
    const t = desired.routes(family);
    for (const [vrf, slots] of bySlot[family]) {
      for (const s of slots) set.addPrefix(vrf, family, t.dstLenOf(s), words(t, s), rnd);
    }
  }
  for (const vrf of vrfIds) {
    // A draw may fall on an address left out or already probed: draw again, within reason.
    let added = 0;
    for (let i = 0; added < perVrf && i < perVrf * 4; i++) {
      const family: 4 | 6 = i % 2 === 0 ? 4 : 6;
      const slots = bySlot[family].get(vrf) ?? [];
      const t = desired.routes(family);
      let ok: boolean;
      if ((i >> 1) % 2 === 1 && slots.length) {
        // Around a route: a random address of its prefix widened by 8 bits.
        const s = slots[rnd() % slots.length]!;
        ok = set.addRandom(vrf, family, Math.max(0, t.dstLenOf(s) - 8), words(t, s), rnd);
      } else if (family === 4) ok = set.add(vrf, 4, rnd(), 0, 0, 0);
      // IPv6 anywhere: the global unicast space, 2000::/3.
      else ok = set.add(vrf, 6, ((rnd() & 0x1fffffff) | 0x20000000) >>> 0, rnd(), rnd(), rnd());
      if (ok) added++;
    }
  }
  return set.probes;
}
