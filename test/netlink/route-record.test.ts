// The full-table fast path: scanRoute over bytes and recordFromRoute over decoded objects must
// give the same key and signature, and the signature must decode back to the route's attributes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MalformedMessage } from '../../src/netlink/attributes.ts';
import { RTA, RouteType, encodeRoute, type KernelRoute } from '../../src/netlink/route-codec.ts';
import { kernelRoute as route, plainRoute as plain } from '../helpers/route-arbitrary.ts';
import { RouteRecord, attrsFromSignature, decodeRoute, dstText, recordFromRoute, scanRoute } from '../../src/netlink/route-record.ts';

describe('route records', () => {
  it('scanRoute(bytes) and recordFromRoute(decodeRoute(bytes)) agree on key and signature', () => {
    fc.assert(fc.property(route, (r) => {
      const bytes = encodeRoute(r);
      const a = new RouteRecord();
      const b = new RouteRecord();
      scanRoute(bytes, 0, bytes.length, a);
      recordFromRoute(r, b);
      for (const k of ['family', 'table', 'dstLen', 'tos', 'priority', 'flags', 'd0', 'd1', 'd2', 'd3', 'srcLen', 'hash', 'sigLen'] as const) {
        expect(a[k], k).toBe(b[k]);
      }
      expect([...a.sig.subarray(0, a.sigLen)]).toEqual([...b.sig.subarray(0, b.sigLen)]);
      expect(dstText(r.family, a.d0, a.d1, a.d2, a.d3)).toBe(r.dst);
      const { family: _f, table: _t, dst: _d, dstLen: _l, tos: _o, priority: _p, ...attrs } = r;
      expect(attrsFromSignature(r.family, a.sig.subarray(0, a.sigLen))).toEqual(attrs);
    }), { numRuns: 500 });
  });

  it('gives different signatures to routes that forward differently', () => {
    const base: KernelRoute = { ...plain(4), dst: '10.0.0.0', dstLen: 8, nexthops: [{ ifindex: 2, gateway: '10.0.0.1', weight: 1, flags: 0 }] };
    const a = recordFromRoute(base, new RouteRecord());
    const sigA = [...a.sig.subarray(0, a.sigLen)];
    for (const change of [
      { nexthops: [{ ifindex: 3, gateway: '10.0.0.1', weight: 1, flags: 0 }] },
      { nexthops: [{ ifindex: 2, gateway: '10.0.0.2', weight: 1, flags: 0 }] },
      { nexthops: [{ ifindex: 2, gateway: '10.0.0.1', weight: 1, flags: 16 }] },
      { type: RouteType.BLACKHOLE, nexthops: [] },
      { nhId: 5 },
    ]) {
      const b = recordFromRoute({ ...base, ...change }, new RouteRecord());
      expect([...b.sig.subarray(0, b.sigLen)]).not.toEqual(sigA);
    }
    // The key is not part of the signature: the same attributes on another prefix share it.
    const c = recordFromRoute({ ...base, dst: '11.0.0.0', table: 100, priority: 7 }, new RouteRecord());
    expect([...c.sig.subarray(0, c.sigLen)]).toEqual(sigA);
    expect(c.hash).toBe(a.hash);
  });

  it('refuses what decodeRoute refuses, and skips volatile attributes', () => {
    const good = encodeRoute({ ...plain(4), dst: '10.0.0.0', dstLen: 8, nexthops: [{ ifindex: 2, gateway: '10.0.0.1', weight: 1, flags: 0 }] });
    const rec = new RouteRecord();
    for (const bad of [
      good.subarray(0, 8),
      Buffer.concat([good.subarray(0, 12), Buffer.from([40, 0, RTA.DST, 0, 10, 0, 0, 0])]),
      Buffer.concat([good.subarray(0, 12), Buffer.from([7, 0, RTA.DST, 0, 10, 0, 0, 0])]),
      Buffer.from([2, 33, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]),
      Buffer.concat([good.subarray(0, 12), Buffer.from([12, 0, RTA.MULTIPATH, 0, 40, 0, 0, 0, 1, 0, 0, 0])]),
    ]) {
      expect(() => scanRoute(bad, 0, bad.length, rec)).toThrow(MalformedMessage);
    }
    // RTA_CACHEINFO and RTA_EXPIRES change by themselves: not part of what a route is.
    const extra = Buffer.concat([good, Buffer.from([8, 0, RTA.EXPIRES, 0, 1, 2, 3, 4, 8, 0, RTA.CACHEINFO, 0, 9, 9, 9, 9])]);
    const a = new RouteRecord();
    scanRoute(good, 0, good.length, a);
    scanRoute(extra, 0, extra.length, rec);
    expect(rec.hash).toBe(a.hash);
  });
});
