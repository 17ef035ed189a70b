// RTM_NEWNEXTHOP / RTM_DELNEXTHOP bodies (struct nhmsg + attributes). The `netlink` package
// reads NHA_GROUP weights as a bare u8; the wire weight is ((weight_high << 8) | weight) + 1.
import { AttrWriter, MalformedMessage, attrU32, forEachAttr } from './attributes.ts';
import { ipBytes, ipText } from '../common/ip-text.ts';
import { AF_INET, AF_INET6 } from './route-codec.ts';

export const NHMSG_LEN = 8;
const NHA = { ID: 1, GROUP: 2, GROUP_TYPE: 3, BLACKHOLE: 4, OIF: 5, GATEWAY: 6, FDB: 11, RES_GROUP: 12 } as const;
/** Nested in NHA_RES_GROUP (include/uapi/linux/nexthop.h). */
const NHA_RES_GROUP = { BUCKETS: 1, IDLE_TIMER: 2, UNBALANCED_TIMER: 3 } as const;
export const NEXTHOP_GRP_TYPE = { MPATH: 0, RES: 1 } as const;
const AF_UNSPEC = 0;

export interface KernelNexthop {
  id: number;
  /** 0 for a group (AF_UNSPEC), else the gateway's family. */
  family: 0 | 4 | 6;
  /** RTNH_F_* (DEAD, ONLINK, LINKDOWN). */
  flags: number;
  protocol: number;
  ifindex: number;
  gateway?: string;
  blackhole: boolean;
  /** A bridge FDB nexthop: never used by routes. */
  fdb: boolean;
  /** Members with weights 1..65536, for a group. */
  group?: { id: number; weight: number }[];
  groupType?: number;
  /**
   * A resilient group's hash table (NEXTHOP_GRP_TYPE_RES): bucket count and timers in clock
   * ticks. Hardware sees it as a weighted group: the contract has no resilient hashing.
   */
  resilient?: { buckets: number; idleTimer: number; unbalancedTimer: number };
}

export function decodeNexthop(buf: Buffer, start: number, end: number): KernelNexthop {
  if (end - start < NHMSG_LEN) throw new MalformedMessage(`nexthop message of ${end - start} bytes`);
  const af = buf[start]!;
  const family = af === AF_INET ? 4 : af === AF_INET6 ? 6 : af === AF_UNSPEC ? 0 : -1;
  if (family < 0) throw new MalformedMessage(`nexthop family ${af}`);
  const nh: KernelNexthop = {
    id: 0, family: family as 0 | 4 | 6, protocol: buf[start + 2]!, flags: buf.readUInt32LE(start + 4),
    ifindex: 0, blackhole: false, fdb: false,
  };
  forEachAttr(buf, start + NHMSG_LEN, end, (type, off, len) => {
    switch (type) {
      case NHA.ID: nh.id = attrU32(buf, off, len, 'NHA_ID'); break;
      case NHA.OIF: nh.ifindex = attrU32(buf, off, len, 'NHA_OIF'); break;
      case NHA.BLACKHOLE: nh.blackhole = true; break;
      case NHA.FDB: nh.fdb = true; break;
      case NHA.GROUP_TYPE: nh.groupType = buf.readUInt16LE(off); break;
      case NHA.GATEWAY: {
        if (nh.family === 0 || len !== (nh.family === 4 ? 4 : 16)) throw new MalformedMessage(`NHA_GATEWAY of ${len} bytes`);
        nh.gateway = ipText(nh.family, buf, off);
        break;
      }
      case NHA.RES_GROUP: {
        const res = { buckets: 0, idleTimer: 0, unbalancedTimer: 0 };
        forEachAttr(buf, off, off + len, (t, o, l) => {
          if (t === NHA_RES_GROUP.BUCKETS) res.buckets = l >= 2 ? buf.readUInt16LE(o) : 0;
          else if (t === NHA_RES_GROUP.IDLE_TIMER) res.idleTimer = attrU32(buf, o, l, 'NHA_RES_GROUP_IDLE_TIMER');
          else if (t === NHA_RES_GROUP.UNBALANCED_TIMER) res.unbalancedTimer = attrU32(buf, o, l, 'NHA_RES_GROUP_UNBALANCED_TIMER');
        });
        nh.resilient = res;
        break;
      }
      case NHA.GROUP: {
        if (len % 8) throw new MalformedMessage(`NHA_GROUP of ${len} bytes`);
        nh.group = [];
        for (let p = off; p < off + len; p += 8) {
          nh.group.push({ id: buf.readUInt32LE(p), weight: ((buf[p + 5]! << 8) | buf[p + 4]!) + 1 });
        }
        break;
      }
    }
  });
  if (!nh.id) throw new MalformedMessage('nexthop message without NHA_ID');
  if (nh.group && nh.groupType === undefined) nh.groupType = NEXTHOP_GRP_TYPE.MPATH;
  return nh;
}

export function encodeNexthop(nh: KernelNexthop): Buffer {
  const head = Buffer.alloc(NHMSG_LEN);
  head[0] = nh.family === 4 ? AF_INET : nh.family === 6 ? AF_INET6 : AF_UNSPEC;
  head[2] = nh.protocol;
  head.writeUInt32LE(nh.flags >>> 0, 4);
  const w = new AttrWriter().u32(NHA.ID, nh.id);
  if (nh.group) {
    const g = Buffer.alloc(nh.group.length * 8);
    nh.group.forEach((m, i) => {
      g.writeUInt32LE(m.id, i * 8);
      g[i * 8 + 4] = (m.weight - 1) & 0xff;
      g[i * 8 + 5] = (m.weight - 1) >> 8;
    });
    w.raw(NHA.GROUP, g).u16(NHA.GROUP_TYPE, nh.groupType ?? 0);
  }
  if (nh.resilient) {
    w.nested(NHA.RES_GROUP, new AttrWriter().u16(NHA_RES_GROUP.BUCKETS, nh.resilient.buckets)
      .u32(NHA_RES_GROUP.IDLE_TIMER, nh.resilient.idleTimer).u32(NHA_RES_GROUP.UNBALANCED_TIMER, nh.resilient.unbalancedTimer));
  }
  if (nh.blackhole) w.flag(NHA.BLACKHOLE);
  if (nh.fdb) w.flag(NHA.FDB);
  if (nh.ifindex) w.u32(NHA.OIF, nh.ifindex);
  if (nh.gateway !== undefined && nh.family !== 0) w.raw(NHA.GATEWAY, ipBytes(nh.family, nh.gateway));
  return Buffer.concat([head, w.toBuffer()]);
}
