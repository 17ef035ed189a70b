// A recording of the rtnetlink stream the agent sees, as a pcap file of LINKTYPE_NETLINK packets
// that Wireshark and tshark decode. Each packet is one datagram behind the 16-byte cooked header
// (all fields big-endian, as in libpcap's Linux cooked captures):
//
//   0  packet type   4 = sent by us (a dump request), 0 = unicast to us (a dump reply),
//                    2 = multicast to us (an event of a subscribed group)
//   2  ARPHRD_NETLINK (824)
//   4  address length (0) and 8 bytes of address (zero)
//   14 protocol: the netlink family, NETLINK_ROUTE (0)
//
// then the datagram's netlink messages as the kernel sent them (host byte order). Dump replies
// carry NLM_F_MULTI and their request's sequence number, so tshark shows dumps and events apart
// too; the packet type is what the replay goes by.
import { LINKTYPE_NETLINK, PcapFormatError, PcapReader, PcapWriter, fileHeader } from './pcap.ts';
import type { NetlinkTap, TapKind } from '../netlink/tap.ts';

export const COOKED_HEADER_LEN = 16;
export const ARPHRD_NETLINK = 824;
export const NETLINK_ROUTE = 0;
/** The cooked header's packet types (linux/if_packet.h). */
export const PACKET = { HOST: 0, MULTICAST: 2, OUTGOING: 4 } as const;

const PACKET_OF: Record<TapKind, number> = { request: PACKET.OUTGOING, reply: PACKET.HOST, event: PACKET.MULTICAST };
const KIND_OF = new Map<number, TapKind>(Object.entries(PACKET_OF).map(([k, v]) => [v, k as TapKind]));

export function cookedHeader(packetType: number, protocol = NETLINK_ROUTE): Buffer {
  const b = Buffer.alloc(COOKED_HEADER_LEN);
  b.writeUInt16BE(packetType, 0);
  b.writeUInt16BE(ARPHRD_NETLINK, 2);
  b.writeUInt16BE(protocol, 14);
  return b;
}

const HEADERS: Record<TapKind, Buffer> = {
  request: cookedHeader(PACKET.OUTGOING), reply: cookedHeader(PACKET.HOST), event: cookedHeader(PACKET.MULTICAST),
};

/** Writes what a tap sees to a pcap file. */
export class CaptureWriter {
  private readonly pcap: PcapWriter;
  /** Datagrams written, by kind. */
  readonly counts: Record<TapKind, number> = { request: 0, reply: 0, event: 0 };

  constructor(path: string) {
    this.pcap = new PcapWriter(path, fileHeader(LINKTYPE_NETLINK));
  }

  readonly tap: NetlinkTap = (kind, datagram, at) => {
    this.pcap.write(at, HEADERS[kind], datagram);
    this.counts[kind]++;
  };

  get bytes(): number {
    return this.pcap.bytes;
  }

  close(): void {
    this.pcap.close();
  }
}

/** One recorded datagram; `datagram` is valid until the next read. */
export interface RecordedDatagram {
  kind: TapKind;
  /** Microseconds since the epoch. */
  at: number;
  datagram: Buffer;
}

/** Where a replay reads recorded datagrams from, in order. */
export interface DatagramSource {
  next(): RecordedDatagram | null;
  close(): void;
}

/** Reads a capture written by CaptureWriter (or anything of the same layout). */
export class CaptureReader implements DatagramSource {
  /** Packets passed over: not NETLINK_ROUTE, or of a packet type the layout does not use. */
  skipped = 0;

  private constructor(private readonly pcap: PcapReader) {
    if (pcap.header.linktype !== LINKTYPE_NETLINK) {
      pcap.close();
      throw new PcapFormatError(`link type ${pcap.header.linktype} is not LINKTYPE_NETLINK (${LINKTYPE_NETLINK})`);
    }
  }

  static open(path: string): CaptureReader {
    return new CaptureReader(PcapReader.open(path));
  }

  next(): RecordedDatagram | null {
    for (let r = this.pcap.next(); r; r = this.pcap.next()) {
      const d = r.data;
      const kind = d.length >= COOKED_HEADER_LEN && d.readUInt16BE(2) === ARPHRD_NETLINK && d.readUInt16BE(14) === NETLINK_ROUTE
        ? KIND_OF.get(d.readUInt16BE(0)) : undefined;
      if (!kind) {
        this.skipped++;
        continue;
      }
      const frac = this.pcap.header.nanos ? Math.floor(r.tsFrac / 1000) : r.tsFrac;
      return { kind, at: r.tsSec * 1e6 + frac, datagram: d.subarray(COOKED_HEADER_LEN) };
    }
    return null;
  }

  close(): void {
    this.pcap.close();
  }
}
