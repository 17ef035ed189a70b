// The native route scanner (native/route-scan) must give exactly what the JavaScript path gives:
// the same records in the same order, the same messages counted malformed. It scans the common
// routes itself and hands everything else to JavaScript, so a datagram read with it and without
// it must be indistinguishable, whatever its bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Replies } from '../../src/netlink/dump.ts';
import { routeDumpVisitor } from '../../src/netlink/datagrams.ts';
import { newDecodeStats } from '../../src/netlink/decode.ts';
import { encodeMessage, NLM_F, NLMSG, RTM } from '../../src/netlink/messages.ts';
import { AF_INET, AF_INET6, RTM_F_CLONED, encodeRoute, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { RouteRecord } from '../../src/netlink/route-record.ts';
import { bulkRouteScan, nativeRouteScan } from '../../src/netlink/route-scan.ts';
import { kernelRoute, plainRoute } from '../helpers/route-arbitrary.ts';

const SEQ = 4242;

/** A route with a source prefix sometimes, and a gateway of the other family (RTA_VIA) sometimes. */
const route = fc.tuple(kernelRoute, fc.nat(9)).map(([r, pick]): KernelRoute => {
  if (pick === 0) return { ...r, src: r.family === 4 ? '10.9.8.0' : '2001:db8:9::', srcLen: 24 };
  if (pick === 1 && r.family === 4 && r.nexthops[0]) {
    return { ...r, nexthops: [{ ...r.nexthops[0], gateway: 'fe80::1', gatewayFamily: 6 }, ...r.nexthops.slice(1)] };
  }
  return r;
});

/** One record as plain values, to compare sequences. */
function snapshot(rec: RouteRecord) {
  return [rec.family, rec.table, rec.dstLen, rec.tos, rec.srcLen, rec.priority, rec.flags, rec.d0, rec.d1, rec.d2, rec.d3, rec.hash, ...rec.sig.subarray(0, rec.sigLen)];
}

/** Reads one datagram of a dump of family `af` as the mirror does, with or without the native scanner. */
function read(datagram: Buffer, af: number, native: boolean) {
  const stats = newDecodeStats();
  const records: number[][] = [];
  const rec = new RouteRecord();
  const sink = { reset: () => undefined, add: (r: RouteRecord) => void records.push(snapshot(r)) };
  const bulk = native ? bulkRouteScan(af, rec, (r) => sink.add(r)) : null;
  const replies = new Replies(RTM.GETROUTE, SEQ, routeDumpVisitor(af, rec, sink, stats), bulk);
  replies.take(datagram);
  return { records, malformed: stats.malformed, lastError: stats.lastError, done: replies.done, interrupted: replies.interrupted, error: replies.error?.message };
}

function message(r: KernelRoute, flags: number = NLM_F.MULTI, seq = SEQ): Buffer {
  return encodeMessage(RTM.NEWROUTE, flags, seq, encodeRoute(r));
}

const done = () => encodeMessage(NLMSG.DONE, NLM_F.MULTI, SEQ, Buffer.alloc(4));

describe('native route scanner', () => {
  it('is built (npm ci builds native/route-scan)', () => {
    expect(nativeRouteScan).toBe(true);
  });

  it('scans the routes of a dump itself, as JavaScript scans them', () => {
    fc.assert(fc.property(fc.constantFrom(AF_INET, AF_INET6), fc.array(kernelRoute, { minLength: 1, maxLength: 40 }), (af, routes) => {
      const family = af === AF_INET ? 4 : 6;
      const own = routes.filter((r) => r.family === family);
      const datagram = Buffer.concat([...own.map((r) => message(r)), done()]);
      // Counted through the scanner: every route of these shapes is its own, none left to JavaScript.
      let scanned = 0;
      const rec = new RouteRecord();
      const bulk = bulkRouteScan(af, rec, () => void scanned++)!;
      const stop = bulk(datagram, 0, datagram.length, SEQ);
      expect(scanned).toBe(own.length);
      expect(stop).toBe(datagram.length - done().length);
      expect(read(datagram, af, true)).toEqual(read(datagram, af, false));
    }), { numRuns: 300 });
  });

  it('hands JavaScript what is not a plain route of the dump, and the result is the same', () => {
    const r4 = { ...plainRoute(4), dst: '10.1.0.0', dstLen: 16, nexthops: [{ ifindex: 3, gateway: '10.0.0.1', weight: 1, flags: 0 }] };
    const cloned = { ...r4, flags: RTM_F_CLONED };
    const via = { ...r4, nexthops: [{ ifindex: 3, gateway: 'fe80::1', gatewayFamily: 6 as const, weight: 1, flags: 0 }] };
    const tooLong = message(r4);
    tooLong[16 + 1] = 33; // dst_len 33 for IPv4
    const truncated = message(r4);
    truncated.writeUInt16LE(40, 16 + 12); // first attribute claims more than the message holds
    const datagram = Buffer.concat([
      message(r4), message(cloned), message(via), message(r4, NLM_F.MULTI, SEQ + 1), message(plainRoute(6)),
      truncated, tooLong, message(r4, NLM_F.MULTI | NLM_F.DUMP_INTR), message(r4), done(), message(r4),
    ]);
    const withNative = read(datagram, AF_INET, true);
    expect(withNative).toEqual(read(datagram, AF_INET, false));
    // The plain, the RTA_VIA and the interrupted one; after NLMSG_DONE nothing.
    expect(withNative.records).toHaveLength(4);
    expect(withNative.malformed).toBe(2);
    expect(withNative.interrupted).toBe(true);
    expect(withNative.done).toBe(true);
  });

  it('reads mutated datagrams exactly as JavaScript reads them', () => {
    const datagram = fc.tuple(fc.constantFrom(AF_INET, AF_INET6), fc.array(route, { minLength: 1, maxLength: 12 })).map(([af, routes]) => ({
      af, messages: [...routes.map((r) => message(r)), done()],
    }));
    // Edits mostly in headers and first attributes, often with values at the edges of a field.
    const edit = fc.tuple(fc.nat(), fc.oneof(fc.nat(63), fc.nat()), fc.oneof(fc.nat(255), fc.constantFrom(0, 1, 3, 4, 5, 8, 12, 16, 17, 20, 24, 32, 33, 128, 129, 255)));
    fc.assert(fc.property(datagram, fc.array(edit, { minLength: 1, maxLength: 4 }), ({ af, messages }, edits) => {
      const b = Buffer.concat(messages);
      const starts = messages.map((_, i) => messages.slice(0, i).reduce((n, m) => n + m.length, 0));
      for (const [m, at, v] of edits) b[(starts[m % starts.length]! + at) % b.length] = v;
      expect(read(b, af, true)).toEqual(read(b, af, false));
    }), { numRuns: 20_000 });
  });
});
