// The hot path of a full-table dump: a route message read into one reusable RouteRecord, with
// no object allocated per route. The key (table, prefix, tos, metric) lands in plain numbers;
// everything else the mirror keeps (type, protocol, flags, nexthops, ...) is written as a
// canonical signature: a short sequence of 32-bit words that is equal for two routes exactly
// when what they forward with is equal. The mirror interns each distinct signature once (a full
// table has a handful: one per set of peers), so a route costs a few numbers.
//
// Signatures are written from bytes here and from KernelRoute objects (events, merged IPv6
// siblings) by recordFromRoute: both paths feed the same words in the same order.
import { MalformedMessage } from './attributes.ts';
import { ipBytes, ipText, ipv4Word } from '../common/ip-text.ts';
import { AF_INET, AF_INET6, RTA, RTMSG_LEN, type KernelRoute, type RouteNextHop } from './route-codec.ts';

const u16 = (b: Buffer, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Buffer, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
/** An address word in network order, read as a host integer (10.0.0.1 is 0x0A000001). */
const be32 = (b: Buffer, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Presence bits of the optional fields, in signature word 2. */
const HAS = { SRC: 1, PREFSRC: 2, NH_ID: 4, PREF: 8 } as const;
/** Signature words before the optional fields: [protocol|scope|type|srcLen, flags, presence]. */
const SIG_HEAD = 3;

export class RouteRecord {
  family: 4 | 6 = 4;
  table = 0;
  dstLen = 0;
  tos = 0;
  priority = 0;
  /** rtm_flags: RTM_F_CLONED routes are not state. */
  flags = 0;
  /** The destination as 32-bit words in network order (one word for IPv4). */
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  srcLen = 0;
  /** The signature: sig[0, sigLen). */
  sig = new Uint32Array(64);
  sigLen = 0;
  hash = 0;

  /** Appends one signature word. */
  put(w: number): void {
    if (this.sigLen === this.sig.length) {
      const bigger = new Uint32Array(this.sig.length * 2);
      bigger.set(this.sig);
      this.sig = bigger;
    }
    this.sig[this.sigLen++] = w;
  }

  /** Hash of the signature (FNV-1a over words, then a finalizer). */
  seal(): void {
    let h = 0x811c9dc5 | 0;
    const s = this.sig;
    for (let i = 0; i < this.sigLen; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    this.hash = (h ^ (h >>> 12)) >>> 0;
  }
}

function familyOf(af: number): 4 | 6 {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  throw new MalformedMessage(`route family ${af} is not AF_INET or AF_INET6`);
}

function checkLen(len: number, want: number, what: string) {
  if (len !== want) throw new MalformedMessage(`${what}: ${len} bytes, expected ${want}`);
}

function putAddr(rec: RouteRecord, buf: Buffer, off: number, words: number) {
  for (let i = 0; i < words; i++) rec.put(be32(buf, off + i * 4));
}

/** One nexthop's words: ifindex, weight|flags|gateway family, gateway words. */
function putNexthop(rec: RouteRecord, ifindex: number, weight: number, flags: number, gwFamily: number) {
  rec.put(ifindex >>> 0);
  rec.put((weight & 0xffff) | ((flags & 0xff) << 16) | (gwFamily << 24));
}

/**
 * Reads a route message body (after the 16-byte nlmsghdr) buf[start, end) into `rec`; throws
 * MalformedMessage. Two passes over the attributes, byte math instead of bounds-checked reads
 * (bounds are checked once per attribute), no strings.
 */
export function scanRoute(buf: Buffer, start: number, end: number, rec: RouteRecord): void {
  if (end - start < RTMSG_LEN || end > buf.length) throw new MalformedMessage(`route message of ${end - start} bytes`);
  const family = familyOf(buf[start]!);
  const alen = family === 4 ? 4 : 16;
  const words = alen / 4;
  rec.family = family;
  rec.dstLen = buf[start + 1]!;
  rec.srcLen = buf[start + 2]!;
  rec.tos = buf[start + 3]!;
  rec.table = buf[start + 4]!;
  rec.flags = u32(buf, start + 8);
  rec.priority = 0;
  rec.d0 = rec.d1 = rec.d2 = rec.d3 = 0;
  if (rec.dstLen > alen * 8) throw new MalformedMessage(`dst_len ${rec.dstLen} for IPv${family}`);
  // First pass: the key and where the signature's parts are.
  let src = -1;
  let prefsrc = -1;
  let nhId = -1;
  let pref = -1;
  let oif = 0;
  let gw = -1;
  let gwFamily = 0;
  let mp = -1;
  let mpEnd = 0;
  let off = start + RTMSG_LEN;
  while (off + 4 <= end) {
    const len = u16(buf, off);
    const type = u16(buf, off + 2) & 0x3fff;
    if (len < 4 || off + len > end) throw new MalformedMessage(`attribute ${type} at ${off} has length ${len}, past the end ${end}`);
    const p = off + 4;
    const plen = len - 4;
    switch (type) {
      case RTA.DST:
        checkLen(plen, alen, 'RTA_DST');
        rec.d0 = be32(buf, p);
        if (words === 4) {
          rec.d1 = be32(buf, p + 4);
          rec.d2 = be32(buf, p + 8);
          rec.d3 = be32(buf, p + 12);
        }
        break;
      case RTA.SRC: checkLen(plen, alen, 'RTA_SRC'); src = p; break;
      case RTA.OIF: checkLen(plen, 4, 'RTA_OIF'); oif = u32(buf, p); break;
      case RTA.GATEWAY: checkLen(plen, alen, 'RTA_GATEWAY'); gw = p; gwFamily = family; break;
      case RTA.VIA: {
        if (plen < 2) throw new MalformedMessage('RTA_VIA too short');
        gwFamily = familyOf(u16(buf, p));
        checkLen(plen - 2, gwFamily === 4 ? 4 : 16, 'RTA_VIA');
        gw = p + 2;
        break;
      }
      case RTA.PRIORITY: checkLen(plen, 4, 'RTA_PRIORITY'); rec.priority = u32(buf, p); break;
      case RTA.PREFSRC: checkLen(plen, alen, 'RTA_PREFSRC'); prefsrc = p; break;
      case RTA.TABLE: checkLen(plen, 4, 'RTA_TABLE'); rec.table = u32(buf, p); break;
      case RTA.MULTIPATH: mp = p; mpEnd = p + plen; break;
      case RTA.NH_ID: checkLen(plen, 4, 'RTA_NH_ID'); nhId = u32(buf, p); break;
      case RTA.PREF: if (plen < 1) throw new MalformedMessage('RTA_PREF empty'); pref = buf[p]!; break;
    }
    off += (len + 3) & ~3;
  }
  // Second pass: the signature, in the order recordFromRoute writes it.
  rec.sigLen = 0;
  rec.put(buf[start + 5]! | (buf[start + 6]! << 8) | (buf[start + 7]! << 16) | (rec.srcLen << 24));
  rec.put(rec.flags);
  rec.put((src >= 0 ? HAS.SRC : 0) | (prefsrc >= 0 ? HAS.PREFSRC : 0) | (nhId >= 0 ? HAS.NH_ID : 0) | (pref >= 0 ? HAS.PREF : 0));
  if (src >= 0) putAddr(rec, buf, src, words);
  if (prefsrc >= 0) putAddr(rec, buf, prefsrc, words);
  if (nhId >= 0) rec.put(nhId);
  if (pref >= 0) rec.put(pref);
  if (mp >= 0) {
    const countAt = rec.sigLen;
    rec.put(0);
    let n = 0;
    let o = mp;
    while (o + 8 <= mpEnd) {
      const len = u16(buf, o);
      if (len < 8 || o + len > mpEnd) throw new MalformedMessage(`rtnexthop at ${o} has length ${len}`);
      let ngw = -1;
      let nfam = 0;
      let a = o + 8;
      while (a + 4 <= o + len) {
        const alen2 = u16(buf, a);
        const atype = u16(buf, a + 2) & 0x3fff;
        if (alen2 < 4 || a + alen2 > o + len) throw new MalformedMessage(`attribute ${atype} at ${a} has length ${alen2}, past the end ${o + len}`);
        if (atype === RTA.GATEWAY) {
          checkLen(alen2 - 4, alen, 'RTA_GATEWAY');
          ngw = a + 4;
          nfam = family;
        } else if (atype === RTA.VIA) {
          if (alen2 - 4 < 2) throw new MalformedMessage('RTA_VIA too short');
          nfam = familyOf(u16(buf, a + 4));
          checkLen(alen2 - 6, nfam === 4 ? 4 : 16, 'RTA_VIA');
          ngw = a + 6;
        }
        a += (alen2 + 3) & ~3;
      }
      putNexthop(rec, buf.readInt32LE(o + 4), buf[o + 3]! + 1, buf[o + 2]!, ngw >= 0 ? nfam : 0);
      if (ngw >= 0) putAddr(rec, buf, ngw, nfam === 4 ? 1 : 4);
      n++;
      o += (len + 3) & ~3;
    }
    rec.sig[countAt] = n;
  } else if (oif || gw >= 0) {
    rec.put(1);
    putNexthop(rec, oif, 1, rec.flags & 0xff, gw >= 0 ? gwFamily : 0);
    if (gw >= 0) putAddr(rec, buf, gw, gwFamily === 4 ? 1 : 4);
  } else {
    rec.put(0);
  }
  rec.seal();
}

function putText(rec: RouteRecord, family: 4 | 6, text: string) {
  if (family === 4) {
    rec.put(ipv4Word(text));
    return;
  }
  putAddr(rec, ipBytes(6, text), 0, 4);
}

/** Fills `rec` from a decoded route: the same key and signature scanRoute gives its bytes. */
export function recordFromRoute(r: KernelRoute, rec: RouteRecord): RouteRecord {
  rec.family = r.family;
  rec.table = r.table;
  rec.dstLen = r.dstLen;
  rec.srcLen = r.srcLen;
  rec.tos = r.tos;
  rec.priority = r.priority;
  rec.flags = r.flags >>> 0;
  if (r.family === 4) {
    rec.d0 = ipv4Word(r.dst);
    rec.d1 = rec.d2 = rec.d3 = 0;
  } else {
    const d = ipBytes(6, r.dst);
    rec.d0 = be32(d, 0);
    rec.d1 = be32(d, 4);
    rec.d2 = be32(d, 8);
    rec.d3 = be32(d, 12);
  }
  rec.sigLen = 0;
  rec.put(r.protocol | (r.scope << 8) | (r.type << 16) | (r.srcLen << 24));
  rec.put(rec.flags);
  rec.put((r.src !== undefined ? HAS.SRC : 0) | (r.prefsrc !== undefined ? HAS.PREFSRC : 0)
    | (r.nhId !== undefined ? HAS.NH_ID : 0) | (r.pref !== undefined ? HAS.PREF : 0));
  if (r.src !== undefined) putText(rec, r.family, r.src);
  if (r.prefsrc !== undefined) putText(rec, r.family, r.prefsrc);
  if (r.nhId !== undefined) rec.put(r.nhId);
  if (r.pref !== undefined) rec.put(r.pref);
  rec.put(r.nexthops.length);
  for (const nh of r.nexthops) {
    const gf = nh.gateway === undefined ? 0 : nh.gatewayFamily ?? r.family;
    putNexthop(rec, nh.ifindex, nh.weight, nh.flags, gf);
    if (gf) putText(rec, gf as 4 | 6, nh.gateway!);
  }
  rec.seal();
  return rec;
}

/** What a signature says, as plain values: everything of a route but its key. */
export interface RouteAttrs {
  protocol: number;
  scope: number;
  type: number;
  /** rtm_flags (RTM_F_* and, for a single-path route, its nexthop's RTNH_F_* bits). */
  flags: number;
  srcLen: number;
  src?: string;
  prefsrc?: string;
  nhId?: number;
  pref?: number;
  nexthops: RouteNextHop[];
}

const v6Scratch = Buffer.alloc(16);

function wordsText(family: 4 | 6, sig: ArrayLike<number>, at: number): string {
  const w = sig[at]!;
  if (family === 4) return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  for (let i = 0; i < 4; i++) v6Scratch.writeUInt32BE(sig[at + i]!, i * 4);
  return ipText(6, v6Scratch, 0);
}

/** Decodes a signature of a route of `family` (the inverse of recordFromRoute). */
export function attrsFromSignature(family: 4 | 6, sig: ArrayLike<number>): RouteAttrs {
  const words = family === 4 ? 1 : 4;
  const head = sig[0]!;
  const has = sig[2]!;
  const attrs: RouteAttrs = {
    protocol: head & 0xff, scope: (head >>> 8) & 0xff, type: (head >>> 16) & 0xff, srcLen: head >>> 24,
    flags: sig[1]!, nexthops: [],
  };
  let i = SIG_HEAD;
  if (has & HAS.SRC) { attrs.src = wordsText(family, sig, i); i += words; }
  if (has & HAS.PREFSRC) { attrs.prefsrc = wordsText(family, sig, i); i += words; }
  if (has & HAS.NH_ID) attrs.nhId = sig[i++]!;
  if (has & HAS.PREF) attrs.pref = sig[i++]!;
  const n = sig[i++]!;
  for (let k = 0; k < n; k++) {
    const ifindex = sig[i++]! | 0;
    const w = sig[i++]!;
    const nh: RouteNextHop = { ifindex, weight: w & 0xffff, flags: (w >>> 16) & 0xff };
    const gf = (w >>> 24) as 0 | 4 | 6;
    if (gf) {
      nh.gateway = wordsText(gf, sig, i);
      if (gf !== family) nh.gatewayFamily = gf;
      i += gf === 4 ? 1 : 4;
    }
    attrs.nexthops.push(nh);
  }
  return attrs;
}

const decodeScratch = new RouteRecord();

/** Decodes a route message body into a plain object: the event path, tests and tools. */
export function decodeRoute(buf: Buffer, start: number, end: number): KernelRoute {
  const rec = decodeScratch;
  scanRoute(buf, start, end, rec);
  return { family: rec.family, table: rec.table, dst: dstText(rec.family, rec.d0, rec.d1, rec.d2, rec.d3), dstLen: rec.dstLen, tos: rec.tos, priority: rec.priority, ...attrsFromSignature(rec.family, rec.sig.subarray(0, rec.sigLen)) };
}

/** The destination words of a record as text ("10.1.0.0", "2001:db8::"). */
export function dstText(family: 4 | 6, d0: number, d1: number, d2: number, d3: number): string {
  if (family === 4) return wordsText(4, [d0], 0);
  return wordsText(6, [d0, d1, d2, d3], 0);
}
