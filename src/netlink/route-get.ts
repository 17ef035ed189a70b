// The kernel's own forwarding answer for many addresses at once: RTM_GETROUTE as
// `ip route get ADDR [vrf NAME] fibmatch` sends it (iproute2's iproute_get), many requests
// concatenated in one datagram. The kernel runs every message of a datagram inside the one
// sendmsg, each answered by its own reply (RTM_NEWROUTE, or NLMSG_ERROR with the errno the
// lookup failed with), matched here by sequence number.
//
// RTM_F_FIB_MATCH asks for the FIB entry that matched, with every nexthop, rather than the one
// path a flow hash would pick; RTM_F_LOOKUP_TABLE for the table it is in (else the answer says
// main). RTA_OIF set to a VRF device looks the address up in that VRF (the l3mdev rule);
// without it, the default VRF's rules apply. Errors are answers: no route is ENETUNREACH, an
// unreachable route EHOSTUNREACH, a prohibit route EACCES and a blackhole EINVAL, in both
// families (what fib_props and ip6_route_output say of reject routes).
//
// This file is the bytes; route-getter.ts sends them and collects the replies.
import { MalformedMessage } from './attributes.ts';
import { NLMSG, NLMSG_HDRLEN, NLM_F, RTM } from './messages.ts';
import { AF_INET, AF_INET6, RTA, RTMSG_LEN, type KernelRoute } from './route-codec.ts';
import { decodeRoute } from './route-record.ts';

export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;
/** What a reply that does not decode is answered with (EBADMSG): it never happens with a sane kernel. */
const EBADMSG = 74;

export interface RouteQuery {
  family: 4 | 6;
  /** The destination as 32-bit words in network order (10.0.0.1 is 0x0A000001); IPv4 uses d0. */
  d0: number;
  d1: number;
  d2: number;
  d3: number;
  /** A VRF device's ifindex to look up in that VRF; 0 for the default VRF. */
  oif: number;
}

export type RouteAnswer = { kind: 'route'; route: KernelRoute } | { kind: 'error'; errno: number };

/** Bytes of one request. */
export function requestLength(q: RouteQuery): number {
  return NLMSG_HDRLEN + RTMSG_LEN + 4 + (q.family === 4 ? 4 : 16) + (q.oif ? 8 : 0);
}

/** Requests for queries[from, to) in one datagram, query i with sequence number seq + (i - from). */
export function encodeRouteGets(queries: readonly RouteQuery[], from: number, to: number, seq: number): Buffer {
  let size = 0;
  for (let i = from; i < to; i++) size += requestLength(queries[i]!);
  const b = Buffer.alloc(size);
  let o = 0;
  for (let i = from; i < to; i++) {
    const q = queries[i]!;
    const len = requestLength(q);
    const alen = q.family === 4 ? 4 : 16;
    b.writeUInt32LE(len, o);
    b.writeUInt16LE(RTM.GETROUTE, o + 4);
    b.writeUInt16LE(NLM_F.REQUEST, o + 6);
    b.writeUInt32LE((seq + i - from) >>> 0, o + 8);
    // pid 0: the kernel fills in the sender's port.
    const r = o + NLMSG_HDRLEN;
    b[r] = q.family === 4 ? AF_INET : AF_INET6;
    b[r + 1] = alen * 8; // rtm_dst_len: a host address
    b.writeUInt32LE(RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE, r + 8);
    const a = r + RTMSG_LEN;
    b.writeUInt16LE(4 + alen, a);
    b.writeUInt16LE(RTA.DST, a + 2);
    b.writeUInt32BE(q.d0 >>> 0, a + 4);
    if (alen === 16) {
      b.writeUInt32BE(q.d1 >>> 0, a + 8);
      b.writeUInt32BE(q.d2 >>> 0, a + 12);
      b.writeUInt32BE(q.d3 >>> 0, a + 16);
    }
    if (q.oif) {
      const f = a + 4 + alen;
      b.writeUInt16LE(8, f);
      b.writeUInt16LE(RTA.OIF, f + 2);
      b.writeUInt32LE(q.oif >>> 0, f + 4);
    }
    o += len;
  }
  return b;
}

/**
 * Answers decoded once per distinct reply: the probes of one route get byte-identical replies
 * (they describe the matched entry, not the address asked about), so a table's worth of
 * lookups decodes a table's worth of routes. Answers are shared: never modify one.
 */
export class AnswerCache {
  private readonly routes = new Map<string, RouteAnswer>();
  private readonly errors = new Map<number, RouteAnswer>();

  constructor(private readonly limit = 250_000) {}

  answer(type: number, buf: Buffer, start: number, end: number): RouteAnswer {
    if (type === NLMSG.ERROR) {
      const errno = end - start >= 4 ? -buf.readInt32LE(start) : EBADMSG;
      let a = this.errors.get(errno);
      if (!a) this.errors.set(errno, (a = { kind: 'error', errno }));
      return a;
    }
    const key = buf.toString('latin1', start, end);
    let a = this.routes.get(key);
    if (!a) {
      if (this.routes.size >= this.limit) this.routes.clear();
      this.routes.set(key, (a = decodeAnswer(buf, start, end)));
    }
    return a;
  }
}

function decodeAnswer(buf: Buffer, start: number, end: number): RouteAnswer {
  try {
    return { kind: 'route', route: decodeRoute(buf, start, end) };
  } catch (err) {
    if (!(err instanceof MalformedMessage) && !(err instanceof RangeError)) throw err;
    return { kind: 'error', errno: EBADMSG };
  }
}

/**
 * Reads the replies in one datagram: the reply to the request with sequence number seq + k
 * (0 <= k < count) goes to answers[at + k]. Replies to other sequence numbers are ignored.
 * Returns how many answers it filled that were empty. Throws MalformedMessage on bad framing.
 */
export function takeRouteAnswers(buf: Buffer, seq: number, count: number, answers: (RouteAnswer | undefined)[], at: number, cache = new AnswerCache()): number {
  let filled = 0;
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) {
      throw new MalformedMessage(`netlink message at ${off} has length ${len} in a datagram of ${buf.length}`);
    }
    const type = buf.readUInt16LE(off + 4);
    const k = (buf.readUInt32LE(off + 8) - seq) >>> 0;
    if (k < count && answers[at + k] === undefined && (type === RTM.NEWROUTE || type === NLMSG.ERROR)) {
      answers[at + k] = cache.answer(type, buf, off + NLMSG_HDRLEN, off + len);
      filled++;
    }
    off += (len + 3) & ~3;
  }
  return filled;
}
