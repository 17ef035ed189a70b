// The classic pcap file format (libpcap's savefile): a 24-byte file header, then per packet a
// 16-byte record header and the bytes. Written in this host's byte order with microsecond
// timestamps, as libpcap writes; read in either byte order, with microsecond or nanosecond
// timestamps. Reading then writing a file gives it back byte for byte.
//
// Plain framing only: what the packets hold (netlink datagrams behind a cooked header) is
// src/record/capture.ts's business.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** Linux netlink, behind a 16-byte cooked header (libpcap's LINKTYPE_NETLINK). */
export const LINKTYPE_NETLINK = 253;
/** Large enough for any netlink datagram the agent reads (dumps read at most 64 KiB). */
export const DEFAULT_SNAPLEN = 262_144;

export class PcapFormatError extends Error {
  readonly code = 'VRFSYNC_PCAP_FORMAT';
}

export interface PcapFileHeader {
  littleEndian: boolean;
  /** Timestamps' fractions are nanoseconds (magic a1b23c4d), else microseconds. */
  nanos: boolean;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  linktype: number;
}

export interface PcapRecord {
  tsSec: number;
  /** Microseconds or nanoseconds, as the file header says. */
  tsFrac: number;
  /** The packet's length on the wire (the bytes kept may be fewer: data.length). */
  origLen: number;
  data: Buffer;
}

export function fileHeader(linktype: number, snaplen = DEFAULT_SNAPLEN): PcapFileHeader {
  return { littleEndian: true, nanos: false, versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen, linktype };
}

export function encodeFileHeader(h: PcapFileHeader): Buffer {
  const b = Buffer.alloc(PCAP_FILE_HEADER_LEN);
  const le = h.littleEndian;
  const u32 = (v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const u16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  u32(h.nanos ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, 0);
  u16(h.versionMajor, 4);
  u16(h.versionMinor, 6);
  if (le) b.writeInt32LE(h.thiszone, 8);
  else b.writeInt32BE(h.thiszone, 8);
  u32(h.sigfigs, 12);
  u32(h.snaplen, 16);
  u32(h.linktype, 20);
  return b;
}

export function decodeFileHeader(b: Buffer): PcapFileHeader {
  if (b.length < PCAP_FILE_HEADER_LEN) throw new PcapFormatError(`a pcap file starts with a 24-byte header; this one has ${b.length} bytes`);
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (le === PCAP_MAGIC_MICROS || le === PCAP_MAGIC_NANOS) [littleEndian, nanos] = [true, le === PCAP_MAGIC_NANOS];
  else if (be === PCAP_MAGIC_MICROS || be === PCAP_MAGIC_NANOS) [littleEndian, nanos] = [false, be === PCAP_MAGIC_NANOS];
  else if (be === 0x0a0d0d0a) throw new PcapFormatError('a pcapng file: save it as pcap (tshark -F pcap, editcap -F pcap)');
  else throw new PcapFormatError(`not a pcap file: magic 0x${be.toString(16).padStart(8, '0')}`);
  const u32 = (o: number) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (o: number) => (littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o));
  return {
    littleEndian, nanos, versionMajor: u16(4), versionMinor: u16(6),
    thiszone: littleEndian ? b.readInt32LE(8) : b.readInt32BE(8), sigfigs: u32(12), snaplen: u32(16), linktype: u32(20),
  };
}

export function encodeRecordHeader(h: PcapFileHeader, r: Omit<PcapRecord, 'data'> & { capLen: number }, into = Buffer.alloc(PCAP_RECORD_HEADER_LEN), at = 0): Buffer {
  const w = h.littleEndian ? into.writeUInt32LE.bind(into) : into.writeUInt32BE.bind(into);
  w(r.tsSec >>> 0, at);
  w(r.tsFrac >>> 0, at + 4);
  w(r.capLen >>> 0, at + 8);
  w(r.origLen >>> 0, at + 12);
  return into;
}

/** A whole file in memory, record by record (data are views into `b`). */
export function parsePcap(b: Buffer): { header: PcapFileHeader; records: PcapRecord[] } {
  const header = decodeFileHeader(b);
  const records: PcapRecord[] = [];
  let off = PCAP_FILE_HEADER_LEN;
  while (off < b.length) {
    const r = readRecord(header, b, off, b.length);
    if (!r) throw new PcapFormatError(`the file ends inside the packet at byte ${off}`);
    records.push(r.record);
    off = r.next;
  }
  return { header, records };
}

/** The inverse of parsePcap. */
export function serializePcap(header: PcapFileHeader, records: readonly PcapRecord[]): Buffer {
  const parts = [encodeFileHeader(header)];
  for (const r of records) parts.push(encodeRecordHeader(header, { ...r, capLen: r.data.length }), r.data);
  return Buffer.concat(parts);
}

/** The record at b[off, end), or null when it is not all there yet. */
function readRecord(h: PcapFileHeader, b: Buffer, off: number, end: number): { record: PcapRecord; next: number } | null {
  if (off + PCAP_RECORD_HEADER_LEN > end) return null;
  const u32 = (o: number) => (h.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const capLen = u32(off + 8);
  if (capLen > Math.max(h.snaplen, DEFAULT_SNAPLEN) * 4) throw new PcapFormatError(`packet at byte ${off} claims ${capLen} bytes: the file is damaged`);
  const start = off + PCAP_RECORD_HEADER_LEN;
  if (start + capLen > end) return null;
  return { record: { tsSec: u32(off), tsFrac: u32(off + 4), origLen: u32(off + 12), data: b.subarray(start, start + capLen) }, next: start + capLen };
}

/**
 * Writes a pcap file as packets come, through a buffer (a full-table dump is a few hundred MB:
 * one write per packet would cost more than the dump).
 */
export class PcapWriter {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  packets = 0;
  bytes = 0;

  constructor(path: string, readonly header: PcapFileHeader) {
    this.fd = openSync(path, 'w');
    this.put(encodeFileHeader(header));
  }

  /** One packet stamped `atMicros` (microseconds since the epoch), made of `parts` in order. */
  write(atMicros: number, ...parts: Buffer[]): void {
    let len = 0;
    for (const p of parts) len += p.length;
    if (this.used + PCAP_RECORD_HEADER_LEN > this.buf.length) this.flush();
    const sec = Math.floor(atMicros / 1e6);
    const micros = atMicros - sec * 1e6;
    const frac = this.header.nanos ? micros * 1000 : micros;
    encodeRecordHeader(this.header, { tsSec: sec, tsFrac: frac, capLen: len, origLen: len }, this.buf, this.used);
    this.used += PCAP_RECORD_HEADER_LEN;
    for (const p of parts) this.put(p);
    this.packets++;
  }

  private put(b: Buffer) {
    this.bytes += b.length;
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) {
      writeSync(this.fd, b);
      return;
    }
    b.copy(this.buf, this.used);
    this.used += b.length;
  }

  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Reads a pcap file packet by packet without holding it whole: a full-table capture is larger
 * than what replaying it should cost. A record's data is valid until the next call to next().
 */
export class PcapReader {
  readonly header: PcapFileHeader;
  private buf = Buffer.allocUnsafe(4 << 20);
  private start = 0;
  private end = 0;
  private eof = false;
  /** Where the next record starts in the file, for errors. */
  private fileOffset = 0;

  private constructor(private readonly fd: number) {
    this.fill();
    if (this.end - this.start < PCAP_FILE_HEADER_LEN) {
      throw new PcapFormatError(`a pcap file starts with a 24-byte header; this one has ${this.end} bytes`);
    }
    this.header = decodeFileHeader(this.buf.subarray(0, PCAP_FILE_HEADER_LEN));
    this.start = this.fileOffset = PCAP_FILE_HEADER_LEN;
  }

  static open(path: string): PcapReader {
    const fd = openSync(path, 'r');
    try {
      return new PcapReader(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  next(): PcapRecord | null {
    for (;;) {
      const r = readRecord(this.header, this.buf, this.start, this.end);
      if (r) {
        this.fileOffset += r.next - this.start;
        this.start = r.next;
        return r.record;
      }
      if (this.eof) {
        if (this.start < this.end) throw new PcapFormatError(`the file ends inside the packet at byte ${this.fileOffset}`);
        return null;
      }
      this.fill();
    }
  }

  /** Moves what is left to the front (growing the buffer for a large record) and reads more. */
  private fill() {
    const left = this.end - this.start;
    if (left > this.buf.length / 2) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else {
      this.buf.copy(this.buf, 0, this.start, this.end);
    }
    this.start = 0;
    this.end = left;
    while (this.end < this.buf.length) {
      const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
