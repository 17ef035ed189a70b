// Addresses and prefixes as the device stores them: IPv4 as an unsigned 32-bit integer,
// IPv6 as 16 bytes, both validated the way hardware would refuse them.
import type { v1 } from '../src/driver/wire.ts';

export type Family = 4 | 6;

export type Addr = { family: 4; v4: number } | { family: 6; v6: Uint8Array };

/** A validation failure: the caller turns it into INVALID_ARGUMENT. */
export class BadInput extends Error {}

export function addrFromProto(a: v1.IIpAddress | null | undefined, what: string): Addr {
  if (!a) throw new BadInput(`${what}: missing address`);
  if (a.ipv4 != null) {
    const v = a.ipv4;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BadInput(`${what}: bad IPv4 value ${v}`);
    return { family: 4, v4: v };
  }
  if (a.ipv6 != null) {
    if (a.ipv6.length !== 16) throw new BadInput(`${what}: IPv6 address must be 16 bytes, got ${a.ipv6.length}`);
    return { family: 6, v6: a.ipv6 };
  }
  throw new BadInput(`${what}: address has neither ipv4 nor ipv6`);
}

export function addrToProto(a: Addr): v1.IIpAddress {
  return a.family === 4 ? { ipv4: a.v4 } : { ipv6: Buffer.from(a.v6) };
}

/** A string that identifies an address exactly, for map keys. */
export function addrKey(a: Addr): string {
  return a.family === 4 ? `4:${a.v4}` : `6:${Buffer.from(a.v6.buffer, a.v6.byteOffset, 16).toString('hex')}`;
}

/** Netmask of an IPv4 prefix length, as an unsigned integer. */
export function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export interface Prefix4 { family: 4; addr: number; len: number }
export interface Prefix6 { family: 6; addr: Uint8Array; len: number }
export type Prefix = Prefix4 | Prefix6;

/** IPv6 address bytes 4k..4k+3 as one word in network order. */
export function word6(a: Uint8Array, k: number): number {
  const o = k * 4;
  return ((a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!) >>> 0;
}

/**
 * What is wrong with a prefix whose address is known to be well formed (an IPv4 integer or 16
 * IPv6 bytes, as words in network order), or null: length in range, no host bits set. Shared by
 * the message path (prefixFromProto) and the compact path of route batches.
 */
export function prefixWordsError(family: Family, len: number, a0: number, a1: number, a2: number, a3: number): string | null {
  if (family === 4) {
    if (len > 32) return `prefix: IPv4 length ${len} is over 32`;
    return ((a0 & ~mask4(len)) >>> 0) !== 0 ? `prefix: host bits set beyond /${len}` : null;
  }
  if (len > 128) return `prefix: IPv6 length ${len} is over 128`;
  const host = (a0 & ~maskOfWord(len, 0)) | (a1 & ~maskOfWord(len, 1)) | (a2 & ~maskOfWord(len, 2)) | (a3 & ~maskOfWord(len, 3));
  return host !== 0 ? `prefix: host bits set beyond /${len}` : null;
}

/** Netmask of word k (0..3) of an IPv6 prefix of length `len`, as an unsigned integer. */
export function maskOfWord(len: number, k: number): number {
  const bits = len - 32 * k;
  return bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Validates a prefix: known family, length in range, no host bits set. */
export function prefixFromProto(p: v1.IIpPrefix | null | undefined): Prefix {
  if (!p) throw new BadInput('route: missing prefix');
  const len = p.length ?? 0;
  if (p.ipv4 != null) {
    const a = p.ipv4;
    if (!Number.isInteger(a) || a < 0 || a > 0xffffffff) throw new BadInput(`prefix: bad IPv4 value ${a}`);
    const err = prefixWordsError(4, len, a, 0, 0, 0);
    if (err) throw new BadInput(err);
    return { family: 4, addr: a, len };
  }
  if (p.ipv6 != null) {
    const a = p.ipv6;
    if (a.length !== 16) throw new BadInput(`prefix: IPv6 address must be 16 bytes, got ${a.length}`);
    const err = prefixWordsError(6, len, word6(a, 0), word6(a, 1), word6(a, 2), word6(a, 3));
    if (err) throw new BadInput(err);
    return { family: 6, addr: a, len };
  }
  throw new BadInput('prefix: neither ipv4 nor ipv6 is set');
}

/** A prefix from the words the route tables keep (network order). */
export function prefixFromWords(family: Family, len: number, a0: number, a1: number, a2: number, a3: number): Prefix {
  if (family === 4) return { family: 4, addr: a0 >>> 0, len };
  const addr = Buffer.allocUnsafe(16);
  addr.writeUInt32BE(a0 >>> 0, 0);
  addr.writeUInt32BE(a1 >>> 0, 4);
  addr.writeUInt32BE(a2 >>> 0, 8);
  addr.writeUInt32BE(a3 >>> 0, 12);
  return { family: 6, addr, len };
}

export function prefixToProto(p: Prefix): v1.IIpPrefix {
  return p.family === 4 ? { ipv4: p.addr, length: p.len } : { ipv6: Buffer.from(p.addr), length: p.len };
}

export function isUnicastMac(mac: Uint8Array | null | undefined): boolean {
  return !!mac && mac.length === 6 && (mac[0]! & 1) === 0;
}
