// RTM_NEWROUTE / RTM_DELROUTE bodies (struct rtmsg + attributes): constants, the decoded shape
// and the encoder. Decoding lives in route-record.ts: one parser for the full-table fast path
// and for decoded objects, covering what the `netlink` package leaves raw (RTA_MULTIPATH with
// weights and per-nexthop flags, RTA_NH_ID, RTA_VIA) or gets wrong (rtm_table is a u8:
// RTA_TABLE is the truth).
import { AttrWriter } from './attributes.ts';
import { ipBytes } from '../common/ip-text.ts';

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
