// RTM_NEWROUTE / RTM_DELROUTE bodies (struct rtmsg + attributes) to and from plain objects.
// This is the hot path of a full-table dump: it reads the buffer in place and decodes what the
// `netlink` package leaves raw (RTA_MULTIPATH with weights and per-nexthop flags, RTA_NH_ID,
// RTA_VIA) or gets wrong (rtm_table is a u8: RTA_TABLE is the truth).
import { AttrWriter, MalformedMessage, attrU32, forEachAttr } from './attributes.ts';
import { ipBytes, ipText } from '../common/ip-text.ts';

export const RTMSG_LEN = 12;

export const AF_INET = 2;
export const AF_INET6 = 10;

export const RTA = {
  DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, METRICS: 8, MULTIPATH: 9,
  FLOW: 11, CACHEINFO: 12, TABLE: 15, MARK: 16, VIA: 18, PREF: 20, ENCAP_TYPE: 21, ENCAP: 22,
  EXPIRES: 23, NH_ID: 30,
} as const;

/** rtm_type values. */
export const RouteType = {
  UNSPEC: 0, UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5, BLACKHOLE: 6,
  UNREACHABLE: 7, PROHIBIT: 8, THROW: 9, NAT: 10, XRESOLVE: 11,
} as const;

export const RTM_F_CLONED = 0x200;
export const RTNH_F_DEAD = 1;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_LINKDOWN = 16;

export interface RouteNextHop {
  ifindex: number;
  /** Absent for a device-only next hop. */
  gateway?: string;
  /** Family of the gateway when it differs from the route's (RTA_VIA: IPv4 via IPv6). */
  gatewayFamily?: 4 | 6;
  /** 1..256 (rtnh_hops + 1). */
  weight: number;
  /** RTNH_F_* bits: DEAD, ONLINK, LINKDOWN, ... */
  flags: number;
}

export interface KernelRoute {
  family: 4 | 6;
  /** The full table id: RTA_TABLE when present, else rtm_table. */
  table: number;
  dst: string;
  dstLen: number;
  src?: string;
  srcLen: number;
  tos: number;
  protocol: number;
  scope: number;
  type: number;
  /** RTM_F_* bits. */
  flags: number;
  /** Metric; 0 when absent. */
  priority: number;
  prefsrc?: string;
  /** A nexthop object id (RTA_NH_ID). */
  nhId?: number;
  /** IPv6 router preference (RTA_PREF). */
  pref?: number;
  /** One entry for a single-path route, several for RTA_MULTIPATH; empty for e.g. blackhole. */
  nexthops: RouteNextHop[];
}

function familyOf(af: number): 4 | 6 {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  throw new MalformedMessage(`route family ${af} is not AF_INET or AF_INET6`);
}

function addrLen(f: 4 | 6) {
  return f === 4 ? 4 : 16;
}

function readAddr(buf: Buffer, f: 4 | 6, off: number, len: number, what: string): string {
  if (len !== addrLen(f)) throw new MalformedMessage(`${what}: ${len} bytes for an IPv${f} address`);
  return ipText(f, buf, off);
}

/** struct rtvia { u16 family; u8 addr[] } */
function readVia(buf: Buffer, off: number, len: number): { family: 4 | 6; text: string } {
  if (len < 2) throw new MalformedMessage('RTA_VIA too short');
  const f = familyOf(buf.readUInt16LE(off));
  return { family: f, text: readAddr(buf, f, off + 2, len - 2, 'RTA_VIA') };
}

function decodeMultipath(buf: Buffer, f: 4 | 6, start: number, end: number): RouteNextHop[] {
  const out: RouteNextHop[] = [];
  let off = start;
  while (off + 8 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 8 || off + len > end) throw new MalformedMessage(`rtnexthop at ${off} has length ${len}`);
    const nh: RouteNextHop = {
      ifindex: buf.readInt32LE(off + 4),
      weight: buf[off + 3]! + 1,
      flags: buf[off + 2]!,
    };
    forEachAttr(buf, off + 8, off + len, (type, aoff, alen) => {
      if (type === RTA.GATEWAY) nh.gateway = readAddr(buf, f, aoff, alen, 'RTA_GATEWAY');
      else if (type === RTA.VIA) {
        const via = readVia(buf, aoff, alen);
        nh.gateway = via.text;
        nh.gatewayFamily = via.family;
      }
    });
    out.push(nh);
    off += (len + 3) & ~3;
  }
  return out;
}

const u16 = (b: Buffer, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Buffer, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;

/**
 * Decodes the body of a route message (after the 16-byte nlmsghdr): buf[start, end).
 * The hot path of a full-table dump: one pass over the attributes, no closures, byte math
 * instead of bounds-checked reads (bounds are checked once per attribute).
 */
export function decodeRoute(buf: Buffer, start: number, end: number): KernelRoute {
  if (end - start < RTMSG_LEN || end > buf.length) throw new MalformedMessage(`route message of ${end - start} bytes`);
  const family = familyOf(buf[start]!);
  const alen = family === 4 ? 4 : 16;
  const route: KernelRoute = {
    family,
    table: buf[start + 4]!,
    dst: family === 4 ? '0.0.0.0' : '::',
    dstLen: buf[start + 1]!,
    srcLen: buf[start + 2]!,
    tos: buf[start + 3]!,
    protocol: buf[start + 5]!,
    scope: buf[start + 6]!,
    type: buf[start + 7]!,
    flags: u32(buf, start + 8),
    priority: 0,
    nexthops: [],
  };
  if (route.dstLen > alen * 8) throw new MalformedMessage(`dst_len ${route.dstLen} for IPv${family}`);
  let oif = 0;
  let gateway: string | undefined;
  let gatewayFamily: 4 | 6 | undefined;
  let multipath: RouteNextHop[] | undefined;
  let off = start + RTMSG_LEN;
  while (off + 4 <= end) {
    const len = u16(buf, off);
    const type = u16(buf, off + 2) & 0x3fff;
    if (len < 4 || off + len > end) throw new MalformedMessage(`attribute ${type} at ${off} has length ${len}, past the end ${end}`);
    const p = off + 4;
    const plen = len - 4;
    switch (type) {
      case RTA.DST: route.dst = readAddr(buf, family, p, plen, 'RTA_DST'); break;
      case RTA.SRC: route.src = readAddr(buf, family, p, plen, 'RTA_SRC'); break;
      case RTA.OIF: oif = attrU32(buf, p, plen, 'RTA_OIF'); break;
      case RTA.GATEWAY: gateway = readAddr(buf, family, p, plen, 'RTA_GATEWAY'); break;
      case RTA.VIA: {
        const via = readVia(buf, p, plen);
        gateway = via.text;
        gatewayFamily = via.family;
        break;
      }
      case RTA.PRIORITY: route.priority = attrU32(buf, p, plen, 'RTA_PRIORITY'); break;
      case RTA.PREFSRC: route.prefsrc = readAddr(buf, family, p, plen, 'RTA_PREFSRC'); break;
      case RTA.TABLE: route.table = attrU32(buf, p, plen, 'RTA_TABLE'); break;
      case RTA.MULTIPATH: multipath = decodeMultipath(buf, family, p, p + plen); break;
      case RTA.NH_ID: route.nhId = attrU32(buf, p, plen, 'RTA_NH_ID'); break;
      case RTA.PREF: route.pref = buf[p]!; break;
    }
    off += (len + 3) & ~3;
  }
  if (multipath) route.nexthops = multipath;
  else if (oif || gateway) {
    const nh: RouteNextHop = { ifindex: oif, weight: 1, flags: route.flags & 0xff };
    if (gateway !== undefined) nh.gateway = gateway;
    if (gatewayFamily !== undefined && gatewayFamily !== family) nh.gatewayFamily = gatewayFamily;
    route.nexthops = [nh];
  }
  return route;
}

/** Encodes a route body (rtmsg + attributes), as the kernel would send it. For tests and requests. */
export function encodeRoute(r: KernelRoute): Buffer {
  const af = r.family === 4 ? AF_INET : AF_INET6;
  const head = Buffer.alloc(RTMSG_LEN);
  head[0] = af;
  head[1] = r.dstLen;
  head[2] = r.srcLen;
  head[3] = r.tos;
  head[4] = r.table < 256 ? r.table : 252;
  head[5] = r.protocol;
  head[6] = r.scope;
  head[7] = r.type;
  head.writeUInt32LE(r.flags >>> 0, 8);
  const w = new AttrWriter().u32(RTA.TABLE, r.table);
  if (r.dstLen > 0) w.raw(RTA.DST, ipBytes(r.family, r.dst));
  if (r.src !== undefined) w.raw(RTA.SRC, ipBytes(r.family, r.src));
  if (r.priority) w.u32(RTA.PRIORITY, r.priority);
  if (r.prefsrc !== undefined) w.raw(RTA.PREFSRC, ipBytes(r.family, r.prefsrc));
  if (r.nhId !== undefined) w.u32(RTA.NH_ID, r.nhId);
  if (r.pref !== undefined) w.u8(RTA.PREF, r.pref);
  const gw = (nh: RouteNextHop, into: AttrWriter) => {
    if (nh.gateway === undefined) return;
    const gf = nh.gatewayFamily ?? r.family;
    if (gf === r.family) into.raw(RTA.GATEWAY, ipBytes(gf, nh.gateway));
    else {
      const fam = Buffer.alloc(2);
      fam.writeUInt16LE(gf === 4 ? AF_INET : AF_INET6);
      into.raw(RTA.VIA, Buffer.concat([fam, ipBytes(gf, nh.gateway)]));
    }
  };
  if (r.nexthops.length === 1) {
    const nh = r.nexthops[0]!;
    gw(nh, w);
    if (nh.ifindex) w.u32(RTA.OIF, nh.ifindex);
  } else if (r.nexthops.length > 0) {
    const parts = r.nexthops.map((nh) => {
      const attrs = new AttrWriter();
      gw(nh, attrs);
      const body = attrs.toBuffer();
      const rtnh = Buffer.alloc(8);
      rtnh.writeUInt16LE(8 + body.length, 0);
      rtnh[2] = nh.flags;
      rtnh[3] = nh.weight - 1;
      rtnh.writeInt32LE(nh.ifindex, 4);
      return Buffer.concat([rtnh, body]);
    });
    w.raw(RTA.MULTIPATH, Buffer.concat(parts));
  }
  return Buffer.concat([head, w.toBuffer()]);
}
