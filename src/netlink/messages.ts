// Netlink message framing (struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid),
// read in place from received datagrams.
import { MalformedMessage } from './attributes.ts';

export const NLMSG_HDRLEN = 16;
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const NLM_F = {
  REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, DUMP_INTR: 0x10, DUMP_FILTERED: 0x20,
  ROOT: 0x100, MATCH: 0x200, DUMP: 0x300, REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800,
} as const;

export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
  NEWNEIGH: 28, DELNEIGH: 29, GETNEIGH: 30,
  NEWRULE: 32, DELRULE: 33, GETRULE: 34,
  NEWNEXTHOP: 104, DELNEXTHOP: 105, GETNEXTHOP: 106,
} as const;

export interface MessageHeader {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Offsets of the body in the datagram: [bodyStart, end). */
  bodyStart: number;
  end: number;
}

/** Calls `visit` for each message in a datagram; throws MalformedMessage on a bad length. */
export function forEachMessage(buf: Buffer, visit: (h: MessageHeader) => void): void {
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) {
      throw new MalformedMessage(`netlink message at ${off} has length ${len} in a datagram of ${buf.length}`);
    }
    visit({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      bodyStart: off + NLMSG_HDRLEN,
      end: off + len,
    });
    off += (len + 3) & ~3;
  }
}

export function encodeMessage(type: number, flags: number, seq: number, body: Buffer, pid = 0): Buffer {
  const h = Buffer.alloc(NLMSG_HDRLEN);
  h.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt32LE(seq >>> 0, 8);
  h.writeUInt32LE(pid >>> 0, 12);
  const pad = (4 - (body.length & 3)) & 3;
  return Buffer.concat([h, body, Buffer.alloc(pad)]);
}

/** The errno of an NLMSG_ERROR body (0 is an ACK). */
export function errorCode(buf: Buffer, h: MessageHeader): number {
  if (h.end - h.bodyStart < 4) throw new MalformedMessage('NLMSG_ERROR too short');
  return -buf.readInt32LE(h.bodyStart);
}
