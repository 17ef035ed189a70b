// IP addresses between bytes (network order) and text, shared by the netlink codecs (a hot
// path of route decoding) and the driver tools.

export function ipv4Text(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text of 16 bytes: lower case, longest run of zero groups (two or more) as "::". */
export function ipv6Text(buf: Buffer, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(buf.readUInt16BE(off + i * 2));
  // IPv4-mapped addresses print as ::ffff:a.b.c.d, as iproute2 does.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4Text(buf, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

export function ipText(family: 4 | 6, buf: Buffer, off: number): string {
  return family === 4 ? ipv4Text(buf, off) : ipv6Text(buf, off);
}

/**
 * An IPv4 address in dotted-quad text as one number in network order (first octet highest);
 * throws on anything else. The hot path of turning decoded route events into records.
 */
export function ipv4Word(text: string): number {
  let word = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) throw new Error(`bad IPv4 address ${text}`);
    } else if (c === 46 && digits > 0 && dots < 3) {
      word = (word << 8) | octet;
      octet = 0;
      digits = 0;
      dots++;
    } else throw new Error(`bad IPv4 address ${text}`);
  }
  if (dots !== 3 || digits === 0) throw new Error(`bad IPv4 address ${text}`);
  return ((word << 8) | octet) >>> 0;
}

/** Bytes of an address in text form; throws on text that is not an address of the family. */
export function ipBytes(family: 4 | 6, text: string): Buffer {
  if (family === 4) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(ipv4Word(text));
    return b;
  }
  let head = text;
  let tail = '';
  let v4: number[] = [];
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    head = m[1]!.endsWith('::') ? m[1]! : m[1]!.slice(0, -1);
    v4 = [...ipBytes(4, m[2]!)];
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0) {
    tail = head.slice(dbl + 2);
    head = head.slice(0, dbl);
  }
  const groups = (s: string) => (s ? s.split(':') : []);
  const hg = groups(head);
  const tg = groups(tail);
  const want = v4.length ? 6 : 8;
  const fill = want - hg.length - tg.length;
  if (fill < 0 || (dbl < 0 && fill !== 0) || (dbl >= 0 && fill < 1)) throw new Error(`bad IPv6 address ${text}`);
  const all = [...hg, ...Array<string>(dbl >= 0 ? fill : 0).fill('0'), ...tg];
  const out = Buffer.alloc(16);
  all.forEach((x, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(x)) throw new Error(`bad IPv6 address ${text}`);
    out.writeUInt16BE(parseInt(x, 16), i * 2);
  });
  if (v4.length) Buffer.from(v4).copy(out, 12);
  return out;
}
