// RTM_NEWLINK / RTM_DELLINK bodies (struct ifinfomsg + attributes), including what the
// `netlink` package leaves raw: IFLA_LINKINFO with the VRF's table (IFLA_VRF_TABLE) and, on an
// enslaved port, its slave kind and the VRF table it is bound to (IFLA_VRF_PORT_TABLE).
import { AttrWriter, MalformedMessage, attrU32 as u32, forEachAttr } from './attributes.ts';

export const IFINFOMSG_LEN = 16;
export const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, LINK: 5, MASTER: 10, OPERSTATE: 16, LINKINFO: 18 } as const;
const INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4, SLAVE_DATA: 5 } as const;
const IFLA_VRF_TABLE = 1;
const IFLA_VRF_PORT_TABLE = 1;

export const IFF_UP = 0x1;
export const IFF_LOOPBACK = 0x8;
export const IFF_LOWER_UP = 0x10000;

/** IF_OPER_* (RFC 2863). */
export const OperState = { UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6 } as const;

export interface KernelLink {
  index: number;
  name: string;
  /** ARPHRD_* */
  type: number;
  /** IFF_* */
  flags: number;
  /** IFLA_INFO_KIND: "vrf", "veth", "bridge", ...; "" for a plain device. */
  kind: string;
  /** 0 when not enslaved. */
  master: number;
  /** aa:bb:cc:dd:ee:ff, "" when the device has none. */
  mac: string;
  mtu: number;
  operState: number;
  /** For a VRF device: its FIB table. */
  vrfTable?: number;
  /** For a port: its master's kind ("vrf", "bridge", ...). */
  slaveKind?: string;
  /** For a VRF port: the table of its VRF. */
  vrfPortTable?: number;
}

const cstr = (buf: Buffer, off: number, len: number) => {
  const z = buf.indexOf(0, off);
  return buf.toString('utf8', off, z >= 0 && z < off + len ? z : off + len);
};

function macText(buf: Buffer, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + buf[off + i]!.toString(16).padStart(2, '0');
  return s;
}


export function decodeLink(buf: Buffer, start: number, end: number): KernelLink {
  if (end - start < IFINFOMSG_LEN) throw new MalformedMessage(`link message of ${end - start} bytes`);
  const link: KernelLink = {
    type: buf.readUInt16LE(start + 2),
    index: buf.readInt32LE(start + 4),
    flags: buf.readUInt32LE(start + 8),
    name: '', kind: '', master: 0, mac: '', mtu: 0, operState: 0,
  };
  forEachAttr(buf, start + IFINFOMSG_LEN, end, (type, off, len) => {
    switch (type) {
      case IFLA.IFNAME: link.name = cstr(buf, off, len); break;
      case IFLA.ADDRESS: link.mac = macText(buf, off, len); break;
      case IFLA.MTU: link.mtu = u32(buf, off, len, 'IFLA_MTU'); break;
      case IFLA.MASTER: link.master = u32(buf, off, len, 'IFLA_MASTER'); break;
      case IFLA.OPERSTATE: link.operState = buf[off]!; break;
      case IFLA.LINKINFO:
        forEachAttr(buf, off, off + len, (it, ioff, ilen) => {
          if (it === INFO.KIND) link.kind = cstr(buf, ioff, ilen);
          else if (it === INFO.SLAVE_KIND) link.slaveKind = cstr(buf, ioff, ilen);
          else if (it === INFO.DATA) {
            forEachAttr(buf, ioff, ioff + ilen, (dt, doff, dlen) => {
              if (dt === IFLA_VRF_TABLE && link.kind === 'vrf') link.vrfTable = u32(buf, doff, dlen, 'IFLA_VRF_TABLE');
            });
          } else if (it === INFO.SLAVE_DATA) {
            forEachAttr(buf, ioff, ioff + ilen, (dt, doff, dlen) => {
              if (dt === IFLA_VRF_PORT_TABLE && link.slaveKind === 'vrf') link.vrfPortTable = u32(buf, doff, dlen, 'IFLA_VRF_PORT_TABLE');
            });
          }
        });
        break;
    }
  });
  // IFLA_INFO_KIND precedes IFLA_INFO_DATA in every kernel; a VRF without a table is malformed.
  if (link.kind === 'vrf' && link.vrfTable === undefined) throw new MalformedMessage(`VRF ${link.name} without IFLA_VRF_TABLE`);
  return link;
}

export function encodeLink(l: KernelLink): Buffer {
  const head = Buffer.alloc(IFINFOMSG_LEN);
  head.writeUInt16LE(l.type, 2);
  head.writeInt32LE(l.index, 4);
  head.writeUInt32LE(l.flags >>> 0, 8);
  const w = new AttrWriter().string(IFLA.IFNAME, l.name).u32(IFLA.MTU, l.mtu).u8(IFLA.OPERSTATE, l.operState);
  if (l.mac) w.raw(IFLA.ADDRESS, Buffer.from(l.mac.split(':').map((x) => parseInt(x, 16))));
  if (l.master) w.u32(IFLA.MASTER, l.master);
  if (l.kind || l.slaveKind) {
    const info = new AttrWriter();
    if (l.kind) info.string(INFO.KIND, l.kind);
    if (l.vrfTable !== undefined) info.nested(INFO.DATA, new AttrWriter().u32(IFLA_VRF_TABLE, l.vrfTable));
    if (l.slaveKind) info.string(INFO.SLAVE_KIND, l.slaveKind);
    if (l.vrfPortTable !== undefined) info.nested(INFO.SLAVE_DATA, new AttrWriter().u32(IFLA_VRF_PORT_TABLE, l.vrfPortTable));
    w.nested(IFLA.LINKINFO, info);
  }
  return Buffer.concat([head, w.toBuffer()]);
}
