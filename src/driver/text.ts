// Contract addresses, prefixes and MACs to and from the text people type and iproute2 prints.
// In the contract an IPv4 address is a host-order uint32 (10.0.0.1 = 0x0A000001) and an IPv6
// address 16 bytes.
import { ipBytes, ipv6Text } from '../common/ip-text.ts';
import type { v1 } from './wire.ts';

export class TextError extends Error {
  readonly code = 'VRFSYNC_BAD_TEXT';
}

export function formatIp(a: v1.IIpAddress | null | undefined): string {
  if (!a) return '';
  if (a.ipv4 != null) return `${a.ipv4 >>> 24}.${(a.ipv4 >>> 16) & 255}.${(a.ipv4 >>> 8) & 255}.${a.ipv4 & 255}`;
  if (a.ipv6 != null && a.ipv6.length === 16) return ipv6Text(Buffer.from(a.ipv6), 0);
  return '';
}

export function parseIp(text: string): v1.IIpAddress {
  try {
    if (text.includes(':')) return { ipv6: ipBytes(6, text) };
    return { ipv4: ipBytes(4, text).readUInt32BE(0) };
  } catch {
    throw new TextError(`not an IP address: ${JSON.stringify(text)}`);
  }
}

export function formatPrefix(p: v1.IIpPrefix | null | undefined): string {
  if (!p) return '';
  const addr = p.ipv4 != null ? formatIp({ ipv4: p.ipv4 }) : formatIp({ ipv6: p.ipv6 });
  return `${addr}/${p.length ?? 0}`;
}

/** "10.0.0.0/8", or an address alone as a host prefix. Host bits are kept as given. */
export function parsePrefix(text: string): v1.IIpPrefix {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || !addr) throw new TextError(`not a prefix: ${JSON.stringify(text)}`);
  const ip = parseIp(addr);
  const max = ip.ipv4 != null ? 32 : 128;
  const length = len === undefined ? max : Number(len);
  if (!/^\d+$/.test(len ?? String(max)) || length > max) throw new TextError(`bad prefix length in ${JSON.stringify(text)}`);
  return ip.ipv4 != null ? { ipv4: ip.ipv4, length } : { ipv6: ip.ipv6, length };
}

export function formatMac(mac: Uint8Array | null | undefined): string {
  if (!mac) return '';
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) throw new TextError(`not a MAC address: ${JSON.stringify(text)}`);
  return Buffer.from(text.split(':').map((x) => parseInt(x, 16)));
}
