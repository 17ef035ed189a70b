// RTM_NEWNEIGH / RTM_DELNEIGH bodies (struct ndmsg + attributes).
import { AttrWriter, MalformedMessage, forEachAttr } from './attributes.ts';
import { ipBytes, ipText } from '../common/ip-text.ts';
import { AF_INET, AF_INET6 } from './route-codec.ts';

export const NDMSG_LEN = 12;
const NDA = { DST: 1, LLADDR: 2 } as const;

/** NUD_* states. */
export const Nud = {
  INCOMPLETE: 0x01, REACHABLE: 0x02, STALE: 0x04, DELAY: 0x08, PROBE: 0x10, FAILED: 0x20, NOARP: 0x40, PERMANENT: 0x80,
} as const;
/** States in which the neighbour's MAC is known and usable for forwarding. */
export const NUD_VALID = Nud.REACHABLE | Nud.STALE | Nud.DELAY | Nud.PROBE | Nud.PERMANENT | Nud.NOARP;

export interface KernelNeighbor {
  family: 4 | 6;
  ifindex: number;
  state: number;
  /** NTF_* */
  flags: number;
  ip: string;
  /** "" when the kernel has no link-layer address (INCOMPLETE, FAILED). */
  mac: string;
}

export function decodeNeighbor(buf: Buffer, start: number, end: number): KernelNeighbor | null {
  if (end - start < NDMSG_LEN) throw new MalformedMessage(`neighbour message of ${end - start} bytes`);
  const af = buf[start]!;
  // Bridge FDB entries (AF_BRIDGE) share the message type: not ours.
  if (af !== AF_INET && af !== AF_INET6) return null;
  const family = af === AF_INET ? 4 : 6;
  const n: KernelNeighbor = {
    family, ifindex: buf.readInt32LE(start + 4), state: buf.readUInt16LE(start + 8), flags: buf[start + 10]!, ip: '', mac: '',
  };
  forEachAttr(buf, start + NDMSG_LEN, end, (type, off, len) => {
    if (type === NDA.DST) {
      if (len !== (family === 4 ? 4 : 16)) throw new MalformedMessage(`NDA_DST of ${len} bytes`);
      n.ip = ipText(family, buf, off);
    } else if (type === NDA.LLADDR && len === 6) {
      n.mac = [...buf.subarray(off, off + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    }
  });
  if (!n.ip) throw new MalformedMessage('neighbour message without NDA_DST');
  return n;
}

export function encodeNeighbor(n: KernelNeighbor): Buffer {
  const head = Buffer.alloc(NDMSG_LEN);
  head[0] = n.family === 4 ? AF_INET : AF_INET6;
  head.writeInt32LE(n.ifindex, 4);
  head.writeUInt16LE(n.state, 8);
  head[10] = n.flags;
  head[11] = 1; // RTN_UNICAST
  const w = new AttrWriter().raw(NDA.DST, ipBytes(n.family, n.ip));
  if (n.mac) w.raw(NDA.LLADDR, Buffer.from(n.mac.split(':').map((x) => parseInt(x, 16))));
  return Buffer.concat([head, w.toBuffer()]);
}
