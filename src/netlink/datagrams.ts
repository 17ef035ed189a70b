// From received datagrams to kernel changes, one path for the live subscription and for the
// replay of a recording: what each kind of dump asks for, how dump replies and event datagrams
// are decoded, and a recorded dump fed its replies as the live dump is. A replay that decodes
// with anything else would test something other than what runs.
import { MalformedMessage } from './attributes.ts';
import { IFADDRMSG_LEN } from './addr-codec.ts';
import type { KernelChange } from './changes.ts';
import { decodeChange, type DecodeStats } from './decode.ts';
import { Replies, type DumpVisitor } from './dump.ts';
import { IFINFOMSG_LEN } from './link-codec.ts';
import { NLMSG_HDRLEN, NLM_F, RTM, forEachMessage } from './messages.ts';
import { NDMSG_LEN } from './neigh-codec.ts';
import { NHMSG_LEN } from './nexthop-codec.ts';
import { AF_INET, AF_INET6, RTMSG_LEN, RTM_F_CLONED } from './route-codec.ts';
import { RouteRecord, scanRoute } from './route-record.ts';
import { FIB_RULE_HDR_LEN } from './rule-codec.ts';

/** What one kind of dump asks for: message type, request header size, families, in dump order. */
export const DUMPS: { what: DumpKind; type: number; len: number; families: number[] }[] = [
  { what: 'links', type: RTM.GETLINK, len: IFINFOMSG_LEN, families: [0] },
  { what: 'addresses', type: RTM.GETADDR, len: IFADDRMSG_LEN, families: [AF_INET, AF_INET6] },
  { what: 'neighbors', type: RTM.GETNEIGH, len: NDMSG_LEN, families: [AF_INET, AF_INET6] },
  { what: 'nexthops', type: RTM.GETNEXTHOP, len: NHMSG_LEN, families: [0] },
  { what: 'ipv4-routes', type: RTM.GETROUTE, len: RTMSG_LEN, families: [AF_INET] },
  { what: 'ipv6-routes', type: RTM.GETROUTE, len: RTMSG_LEN, families: [AF_INET6] },
  { what: 'rules', type: RTM.GETRULE, len: FIB_RULE_HDR_LEN, families: [AF_INET, AF_INET6] },
];
export type DumpKind = 'links' | 'addresses' | 'neighbors' | 'nexthops' | 'ipv4-routes' | 'ipv6-routes' | 'rules';
export const ALL_KINDS: readonly DumpKind[] = DUMPS.map((d) => d.what);

/** Where a route dump's records go; reset() starts over when the dump has to be repeated. */
export interface RouteSink {
  reset(): void;
  add(rec: RouteRecord): void;
}

/** Visits an object dump's replies: each message decoded and pushed to `out`. */
export function objectDumpVisitor(out: KernelChange[], stats: DecodeStats): DumpVisitor {
  return (type, _flags, buf, start, end) => {
    const c = decodeChange(type, 0, buf, start, end, stats);
    if (c) out.push(c);
  };
}

/**
 * Visits a route dump's replies of address family `af`: each route read into `rec` (no object
 * per route) and handed to `sink`. Malformed messages are counted and skipped.
 */
export function routeDumpVisitor(af: number, rec: RouteRecord, sink: RouteSink, stats: DecodeStats): DumpVisitor {
  return (type, _flags, buf, start, end) => {
    if (type !== RTM.NEWROUTE || buf[start] !== af) return;
    try {
      scanRoute(buf, start, end, rec);
    } catch (err) {
      if (!(err instanceof MalformedMessage)) throw err;
      stats.malformed++;
      stats.lastError = `route: ${err.message}`;
      return;
    }
    if (!(rec.flags & RTM_F_CLONED)) sink.add(rec);
  };
}

/** The changes one event datagram carries, in kernel order (a malformed datagram is counted, not thrown). */
export function decodeEventDatagram(buf: Buffer, stats: DecodeStats): KernelChange[] {
  const out: KernelChange[] = [];
  try {
    forEachMessage(buf, (h) => {
      const c = decodeChange(h.type, h.flags, buf, h.bodyStart, h.end, stats);
      if (c) out.push(c);
    });
  } catch (err) {
    if (!(err instanceof MalformedMessage)) throw err;
    stats.malformed++;
    stats.lastError = err.message;
  }
  return out;
}

/** A recorded dump request: which kind it asked for, and its place among the kind's families. */
export interface DumpRequest {
  seq: number;
  type: number;
  family: number;
  kind: DumpKind;
  /** Index of `family` in the kind's families (addresses: 0 for IPv4, 1 for IPv6). */
  familyIndex: number;
  /** The kind's last family: after it, the kind is dumped whole. */
  last: boolean;
}

/** Reads a request datagram; null when it is not one of the dumps the subscription sends. */
export function parseDumpRequest(buf: Buffer): DumpRequest | null {
  if (buf.length < NLMSG_HDRLEN + 1) return null;
  const type = buf.readUInt16LE(4);
  const flags = buf.readUInt16LE(6);
  if ((flags & NLM_F.DUMP) !== NLM_F.DUMP) return null;
  const family = buf[NLMSG_HDRLEN]!;
  for (const d of DUMPS) {
    const i = d.type === type ? d.families.indexOf(family) : -1;
    if (i >= 0) return { seq: buf.readUInt32LE(8), type, family, kind: d.what, familyIndex: i, last: i === d.families.length - 1 };
  }
  return null;
}

/** The sequence number of a datagram's first message (a dump's replies carry the request's), or -1. */
export function firstSeq(buf: Buffer): number {
  return buf.length >= NLMSG_HDRLEN ? buf.readUInt32LE(8) : -1;
}

/** How many netlink messages a datagram holds (headers only; stops at a bad length). */
export function countMessages(buf: Buffer): number {
  let n = 0;
  for (let off = 0; off + NLMSG_HDRLEN <= buf.length; n++) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    off += (len + 3) & ~3;
  }
  return n;
}

/**
 * One recorded dump: its reply datagrams are taken in order, exactly as the live dump takes them
 * (sequence check, NLM_F_DUMP_INTR, NLMSG_DONE, NLMSG_ERROR), and their messages go to `visit`.
 */
export class RecordedDump {
  private readonly replies: Replies;

  constructor(readonly request: DumpRequest, visit: DumpVisitor) {
    this.replies = new Replies(request.type, request.seq, visit);
  }

  take(buf: Buffer): void {
    if (!this.replies.done) this.replies.take(buf);
  }

  get done(): boolean {
    return this.replies.done;
  }

  /** How the dump ended: null while it runs or when it succeeded; else why it does not count. */
  get failure(): 'interrupted' | Error | null {
    if (this.replies.error) return this.replies.error;
    return this.replies.interrupted ? 'interrupted' : null;
  }
}
