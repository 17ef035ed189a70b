// The pcap framing byte by byte, both ways: headers against hand-written bytes, files written and
// read back unchanged (either byte order, micro- or nanosecond stamps), a streaming reader over
// records that straddle its buffer or outgrow it, and damaged files refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LINKTYPE_NETLINK, PcapFormatError, PcapReader, PcapWriter, decodeFileHeader, encodeFileHeader, fileHeader, parsePcap, serializePcap,
  type PcapFileHeader, type PcapRecord,
} from '../../src/record/pcap.ts';
import { CaptureReader, CaptureWriter, cookedHeader } from '../../src/record/capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'vrfsync-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function readAll(path: string): PcapRecord[] {
  const r = PcapReader.open(path);
  const out: PcapRecord[] = [];
  for (let p = r.next(); p; p = r.next()) out.push({ ...p, data: Buffer.from(p.data) });
  r.close();
  return out;
}

describe('pcap framing', () => {
  it('writes the file header as libpcap does on a little-endian host', () => {
    expect(encodeFileHeader(fileHeader(LINKTYPE_NETLINK))).toEqual(hex(`
      d4c3b2a1 0200 0400 00000000 00000000 00000400 fd000000`));
  });

  it('reads big-endian and nanosecond headers', () => {
    const be = hex('a1b23c4d 0002 0004 fffffff0 00000000 0000ffff 00000001');
    const h = decodeFileHeader(be);
    expect(h).toEqual({ littleEndian: false, nanos: true, versionMajor: 2, versionMinor: 4, thiszone: -16, sigfigs: 0, snaplen: 65535, linktype: 1 });
    expect(encodeFileHeader(h)).toEqual(be);
  });

  it('writes records with microsecond stamps and reads them back byte for byte', () => {
    const path = join(dir, 'two.pcap');
    const w = new PcapWriter(path, fileHeader(LINKTYPE_NETLINK));
    w.write(1_700_000_000_123_456, hex('0102'), hex('03'));
    w.write(1_700_000_001_000_000, Buffer.alloc(0));
    w.close();
    const bytes = readFileSync(path);
    expect(bytes).toEqual(Buffer.concat([
      encodeFileHeader(fileHeader(LINKTYPE_NETLINK)),
      hex('00f15365 40e20100 03000000 03000000 010203'),
      hex('01f15365 00000000 00000000 00000000'),
    ]));
    const { header, records } = parsePcap(bytes);
    expect(records.map((r) => [r.tsSec, r.tsFrac, r.origLen, r.data.toString('hex')])).toEqual([
      [1_700_000_000, 123_456, 3, '010203'], [1_700_000_001, 0, 0, ''],
    ]);
    expect(serializePcap(header, records)).toEqual(bytes);
    expect(readAll(path)).toEqual(records.map((r) => ({ ...r, data: Buffer.from(r.data) })));
  });

  it('gives any file back unchanged: either byte order, micro- or nanoseconds, truncated captures', () => {
    for (const [littleEndian, nanos] of [[true, false], [false, false], [true, true], [false, true]] as const) {
      const header: PcapFileHeader = { ...fileHeader(LINKTYPE_NETLINK, 100), littleEndian, nanos };
      const records: PcapRecord[] = [
        { tsSec: 1, tsFrac: nanos ? 999_999_999 : 999_999, origLen: 4, data: hex('deadbeef') },
        { tsSec: 0xffffffff, tsFrac: 0, origLen: 500, data: Buffer.alloc(100, 7) },
      ];
      const bytes = serializePcap(header, records);
      const back = parsePcap(bytes);
      expect(back.header).toEqual(header);
      expect(back.records).toEqual(records);
      expect(serializePcap(back.header, back.records)).toEqual(bytes);
    }
  });

  it('streams records across its buffer and grows it for a record larger than the buffer', () => {
    const path = join(dir, 'big.pcap');
    const w = new PcapWriter(path, fileHeader(LINKTYPE_NETLINK, 16 << 20));
    const sizes = [...Array.from({ length: 3000 }, (_, i) => 1 + ((i * 7919) % 4000)), 6 << 20, 10, 0];
    sizes.forEach((n, i) => w.write(1_000_000 * i + i, Buffer.alloc(n, i & 255)));
    w.close();
    const got = readAll(path);
    expect(got.map((r) => r.data.length)).toEqual(sizes);
    expect(got.every((r, i) => r.data.equals(Buffer.alloc(r.data.length, i & 255)) && r.tsSec === i && r.tsFrac === i)).toBe(true);
    // (Buffer.equals: a deep toEqual of megabytes takes minutes.)
    expect(serializePcap(fileHeader(LINKTYPE_NETLINK, 16 << 20), got).equals(readFileSync(path))).toBe(true);
  });

  it('refuses what is not a whole pcap file', () => {
    const good = serializePcap(fileHeader(LINKTYPE_NETLINK), [{ tsSec: 1, tsFrac: 2, origLen: 3, data: hex('010203') }]);
    expect(() => parsePcap(good.subarray(0, good.length - 1))).toThrow(PcapFormatError);
    expect(() => parsePcap(Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff', 'hex'))).toThrow(/a pcapng file/);
    expect(() => parsePcap(Buffer.alloc(24, 0x7b))).toThrow(/not a pcap file: magic 0x7b7b7b7b/);
    expect(() => parsePcap(good.subarray(0, 10))).toThrow(PcapFormatError);
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, good.subarray(0, good.length - 2));
    const r = PcapReader.open(path);
    expect(() => r.next()).toThrow(/ends inside the packet at byte 24/);
    r.close();
  });
});

describe('netlink captures', () => {
  it('puts each datagram behind the cooked header: packet type, ARPHRD_NETLINK, no address, NETLINK_ROUTE', () => {
    expect(cookedHeader(4)).toEqual(hex('0004 0338 0000 0000000000000000 0000'));
    const path = join(dir, 'capture.pcap');
    const w = new CaptureWriter(path);
    w.tap('request', hex('aa'), 10_000_001);
    w.tap('reply', hex('bbbb'), 10_000_002);
    w.tap('event', hex('cc'), 10_999_999);
    w.close();
    const { header, records } = parsePcap(readFileSync(path));
    expect(header.linktype).toBe(LINKTYPE_NETLINK);
    expect(records.map((r) => r.data.subarray(0, 2).toString('hex'))).toEqual(['0004', '0000', '0002']);
    expect(records[1]!.data).toEqual(Buffer.concat([cookedHeader(0), hex('bbbb')]));
    const reader = CaptureReader.open(path);
    const back = [];
    for (let d = reader.next(); d; d = reader.next()) back.push([d.kind, d.at, d.datagram.toString('hex')]);
    reader.close();
    expect(back).toEqual([['request', 10_000_001, 'aa'], ['reply', 10_000_002, 'bbbb'], ['event', 10_999_999, 'cc']]);
  });

  it('passes over packets of other families or packet types, and refuses other link types', () => {
    const path = join(dir, 'mixed.pcap');
    const other = Buffer.concat([cookedHeader(2, 16), hex('01')]);
    const nlmon = Buffer.concat([cookedHeader(7), hex('02')]);
    const ours = Buffer.concat([cookedHeader(2), hex('03')]);
    writeFileSync(path, serializePcap(fileHeader(LINKTYPE_NETLINK), [other, nlmon, ours].map((data) => ({ tsSec: 0, tsFrac: 0, origLen: data.length, data }))));
    const reader = CaptureReader.open(path);
    expect(reader.next()!.datagram).toEqual(hex('03'));
    expect(reader.next()).toBeNull();
    expect(reader.skipped).toBe(2);
    reader.close();
    writeFileSync(path, serializePcap(fileHeader(1), []));
    expect(() => CaptureReader.open(path)).toThrow(/link type 1 is not LINKTYPE_NETLINK/);
  });
});
