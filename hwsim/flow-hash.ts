// ECMP member choice by a flow hash, as switch ASICs do it: every packet of one flow (here:
// source and destination address) takes the same member; flows spread by member weight.
import type { Addr } from './ip.ts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mixByte(h: number, b: number): number {
  return Math.imul(h ^ b, FNV_PRIME) >>> 0;
}

function mixAddr(h: number, a: Addr | null): number {
  if (!a) return mixByte(h, 0);
  if (a.family === 4) {
    h = mixByte(h, 4);
    for (let s = 24; s >= 0; s -= 8) h = mixByte(h, (a.v4 >>> s) & 0xff);
    return h;
  }
  h = mixByte(h, 6);
  for (let i = 0; i < 16; i++) h = mixByte(h, a.v6[i]!);
  return h;
}

/** FNV-1a over (source, destination), then murmur3's finalizer so every bit is mixed. */
export function flowHash(destination: Addr, source: Addr | null): number {
  let h = mixAddr(mixAddr(FNV_OFFSET, source), destination);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Index of the member a hash selects, each member owning `weight` consecutive slots. */
export function pickWeighted(hash: number, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0) return -1;
  let slot = hash % total;
  for (let i = 0; i < weights.length; i++) {
    slot -= weights[i]!;
    if (slot < 0) return i;
  }
  return weights.length - 1;
}
