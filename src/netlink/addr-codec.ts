// RTM_NEWADDR / RTM_DELADDR bodies (struct ifaddrmsg + attributes).
import { AttrWriter, MalformedMessage, forEachAttr } from './attributes.ts';
import { ipBytes, ipText } from '../common/ip-text.ts';
import { AF_INET, AF_INET6 } from './route-codec.ts';

export const IFADDRMSG_LEN = 8;
const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, FLAGS: 8 } as const;

export interface KernelAddress {
  family: 4 | 6;
  index: number;
  prefixLen: number;
  scope: number;
  /** The interface's own address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6). */
  address: string;
  /** IFA_ADDRESS when it differs from IFA_LOCAL (a point-to-point peer). */
  peer?: string;
  /** IFA_F_* (the 32-bit IFA_FLAGS when present). */
  flags: number;
}

export function decodeAddress(buf: Buffer, start: number, end: number): KernelAddress {
  if (end - start < IFADDRMSG_LEN) throw new MalformedMessage(`address message of ${end - start} bytes`);
  const af = buf[start]!;
  if (af !== AF_INET && af !== AF_INET6) throw new MalformedMessage(`address family ${af}`);
  const family = af === AF_INET ? 4 : 6;
  const a: KernelAddress = {
    family, prefixLen: buf[start + 1]!, flags: buf[start + 2]!, scope: buf[start + 3]!, index: buf.readInt32LE(start + 4), address: '',
  };
  let local: string | undefined;
  let address: string | undefined;
  const want = family === 4 ? 4 : 16;
  forEachAttr(buf, start + IFADDRMSG_LEN, end, (type, off, len) => {
    if ((type === IFA.ADDRESS || type === IFA.LOCAL) && len !== want) throw new MalformedMessage(`IFA attribute of ${len} bytes`);
    if (type === IFA.ADDRESS) address = ipText(family, buf, off);
    else if (type === IFA.LOCAL) local = ipText(family, buf, off);
    else if (type === IFA.FLAGS && len >= 4) a.flags = buf.readUInt32LE(off);
  });
  a.address = local ?? address ?? '';
  if (!a.address) throw new MalformedMessage('address message without IFA_LOCAL or IFA_ADDRESS');
  if (local !== undefined && address !== undefined && address !== local) a.peer = address;
  return a;
}

export function encodeAddress(a: KernelAddress): Buffer {
  const head = Buffer.alloc(IFADDRMSG_LEN);
  head[0] = a.family === 4 ? AF_INET : AF_INET6;
  head[1] = a.prefixLen;
  head[2] = a.flags & 0xff;
  head[3] = a.scope;
  head.writeInt32LE(a.index, 4);
  const w = new AttrWriter().raw(IFA.ADDRESS, ipBytes(a.family, a.peer ?? a.address));
  if (a.family === 4) w.raw(IFA.LOCAL, ipBytes(4, a.address));
  w.u32(IFA.FLAGS, a.flags);
  return Buffer.concat([head, w.toBuffer()]);
}
