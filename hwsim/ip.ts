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

/** Validates a prefix: known family, length in range, no host bits set. */
export function prefixFromProto(p: v1.IIpPrefix | null | undefined): Prefix {
  if (!p) throw new BadInput('route: missing prefix');
  const len = p.length ?? 0;
  if (p.ipv4 != null) {
    const a = p.ipv4;
    if (!Number.isInteger(a) || a < 0 || a > 0xffffffff) throw new BadInput(`prefix: bad IPv4 value ${a}`);
    if (len > 32) throw new BadInput(`prefix: IPv4 length ${len} is over 32`);
    if (((a & ~mask4(len)) >>> 0) !== 0) throw new BadInput(`prefix: host bits set beyond /${len}`);
    return { family: 4, addr: a, len };
  }
  if (p.ipv6 != null) {
    const a = p.ipv6;
    if (a.length !== 16) throw new BadInput(`prefix: IPv6 address must be 16 bytes, got ${a.length}`);
    if (len > 128) throw new BadInput(`prefix: IPv6 length ${len} is over 128`);
    for (let i = 0; i < 16; i++) {
      const bits = Math.min(8, Math.max(0, len - i * 8));
      const hostMask = 0xff >> bits;
      if (a[i]! & hostMask) throw new BadInput(`prefix: host bits set beyond /${len}`);
    }
    return { family: 6, addr: a, len };
  }
  throw new BadInput('prefix: neither ipv4 nor ipv6 is set');
}

export function prefixToProto(p: Prefix): v1.IIpPrefix {
  return p.family === 4 ? { ipv4: p.addr, length: p.len } : { ipv6: Buffer.from(p.addr), length: p.len };
}

export function isUnicastMac(mac: Uint8Array | null | undefined): boolean {
  return !!mac && mac.length === 6 && (mac[0]! & 1) === 0;
}
