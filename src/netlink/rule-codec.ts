// RTM_NEWRULE / RTM_DELRULE bodies (struct fib_rule_hdr + FRA_* attributes). The agent needs
// rules to know where a lookup that misses in a VRF's table falls through to.
import { AttrWriter, MalformedMessage, attrU32, forEachAttr } from './attributes.ts';
import { ipBytes, ipText } from '../common/ip-text.ts';
import { AF_INET, AF_INET6 } from './route-codec.ts';

export const FIB_RULE_HDR_LEN = 12;
const FRA = { DST: 1, SRC: 2, IIFNAME: 3, PRIORITY: 6, FWMARK: 10, TABLE: 15, OIFNAME: 17, L3MDEV: 19, PROTOCOL: 21 } as const;
export const FR_ACT = { TO_TBL: 1, GOTO: 2, NOP: 3, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8 } as const;

export interface KernelRule {
  family: 4 | 6;
  priority: number;
  action: number;
  table: number;
  /** The l3mdev rule: look up the table of the VRF the packet's device belongs to. */
  l3mdev: boolean;
  dst?: string;
  dstLen: number;
  src?: string;
  srcLen: number;
  tos: number;
  iifname?: string;
  oifname?: string;
  fwmark?: number;
  protocol: number;
  /** FIB_RULE_* flags (e.g. INVERT). */
  flags: number;
}

const cstr = (buf: Buffer, off: number, len: number) => buf.toString('utf8', off, off + Math.max(0, len - 1));

export function decodeRule(buf: Buffer, start: number, end: number): KernelRule {
  if (end - start < FIB_RULE_HDR_LEN) throw new MalformedMessage(`rule message of ${end - start} bytes`);
  const af = buf[start]!;
  if (af !== AF_INET && af !== AF_INET6) throw new MalformedMessage(`rule family ${af}`);
  const family = af === AF_INET ? 4 : 6;
  const r: KernelRule = {
    family, dstLen: buf[start + 1]!, srcLen: buf[start + 2]!, tos: buf[start + 3]!, table: buf[start + 4]!,
    action: buf[start + 7]!, flags: buf.readUInt32LE(start + 8), priority: 0, l3mdev: false, protocol: 0,
  };
  const want = family === 4 ? 4 : 16;
  forEachAttr(buf, start + FIB_RULE_HDR_LEN, end, (type, off, len) => {
    switch (type) {
      case FRA.DST: if (len !== want) throw new MalformedMessage('FRA_DST length'); r.dst = ipText(family, buf, off); break;
      case FRA.SRC: if (len !== want) throw new MalformedMessage('FRA_SRC length'); r.src = ipText(family, buf, off); break;
      case FRA.PRIORITY: r.priority = attrU32(buf, off, len, 'FRA_PRIORITY'); break;
      case FRA.TABLE: r.table = attrU32(buf, off, len, 'FRA_TABLE'); break;
      case FRA.L3MDEV: r.l3mdev = buf[off] === 1; break;
      case FRA.IIFNAME: r.iifname = cstr(buf, off, len); break;
      case FRA.OIFNAME: r.oifname = cstr(buf, off, len); break;
      case FRA.FWMARK: r.fwmark = attrU32(buf, off, len, 'FRA_FWMARK'); break;
      case FRA.PROTOCOL: r.protocol = buf[off]!; break;
    }
  });
  return r;
}

export function encodeRule(r: KernelRule): Buffer {
  const head = Buffer.alloc(FIB_RULE_HDR_LEN);
  head[0] = r.family === 4 ? AF_INET : AF_INET6;
  head[1] = r.dstLen;
  head[2] = r.srcLen;
  head[3] = r.tos;
  head[4] = r.table < 256 ? r.table : 252;
  head[7] = r.action;
  head.writeUInt32LE(r.flags >>> 0, 8);
  const w = new AttrWriter().u32(FRA.PRIORITY, r.priority).u32(FRA.TABLE, r.table).u8(FRA.PROTOCOL, r.protocol);
  if (r.l3mdev) w.u8(FRA.L3MDEV, 1);
  if (r.dst !== undefined) w.raw(FRA.DST, ipBytes(r.family, r.dst));
  if (r.src !== undefined) w.raw(FRA.SRC, ipBytes(r.family, r.src));
  if (r.iifname !== undefined) w.string(FRA.IIFNAME, r.iifname);
  if (r.oifname !== undefined) w.string(FRA.OIFNAME, r.oifname);
  if (r.fwmark !== undefined) w.u32(FRA.FWMARK, r.fwmark);
  return Buffer.concat([head, w.toBuffer()]);
}
