// Route decoding without the kernel: the same datagrams (full-table dump shaped: /24 routes,
// one in ten multipath) decoded by the raw `netlink` package's parser and by src/netlink, to
// objects (the event path) and to records (the full-table path: JavaScript's scanRoute, and the
// native scanner a full-table dump uses), in one process. The ratio is the decoder's gain; the
// kernel's own dump speed is bench/netlink-dump.ts.
//
//   node --expose-gc bin/run-ts.js bench/route-decode.ts [--routes N]
import { parseArgs } from 'node:util';
import { rt } from 'netlink';
import { encodeMessage, forEachMessage, RTM } from '../src/netlink/messages.ts';
import { decodeChange, newDecodeStats } from '../src/netlink/decode.ts';
import { RouteType, encodeRoute, type KernelRoute } from '../src/netlink/route-codec.ts';
import { RouteRecord, scanRoute } from '../src/netlink/route-record.ts';
import { bulkRouteScan } from '../src/netlink/route-scan.ts';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' } } });
const N = Number(values.routes);

function route(i: number): KernelRoute {
  const a = 0x01000000 + i * 256;
  const multipath = i % 10 === 0;
  return {
    family: 4, table: 254, dst: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0`, dstLen: 24, srcLen: 0, tos: 0,
    protocol: 186, scope: 0, type: RouteType.UNICAST, flags: 0, priority: 20,
    nexthops: multipath
      ? [{ ifindex: 3, gateway: '192.168.0.1', weight: 1, flags: 0 }, { ifindex: 4, gateway: '192.168.1.1', weight: 1, flags: 0 }]
      : [{ ifindex: 3 + (i % 4), gateway: `192.168.${i % 4}.1`, weight: 1, flags: 0 }],
  };
}

// Datagrams of about 32 KiB, as the kernel sends dumps.
const datagrams: Buffer[] = [];
let parts: Buffer[] = [];
let size = 0;
for (let i = 0; i < N; i++) {
  const m = encodeMessage(RTM.NEWROUTE, 0x2, 1, encodeRoute(route(i)));
  parts.push(m);
  size += m.length;
  if (size > 32 * 1024 - 200) {
    datagrams.push(Buffer.concat(parts));
    parts = [];
    size = 0;
  }
}
if (parts.length) datagrams.push(Buffer.concat(parts));

function time(label: string, run: () => number): number {
  if (global.gc) global.gc();
  const t0 = performance.now();
  const n = run();
  const s = (performance.now() - t0) / 1000;
  if (n !== N) throw new Error(`${label}: decoded ${n} of ${N}`);
  const rate = N / s;
  console.log(`${label.padEnd(28)} ${s.toFixed(2)} s  ${Math.round(rate).toLocaleString('en-US')} routes/s`);
  return rate;
}

const pkg = time('netlink package parser', () => {
  let n = 0;
  const keep: unknown[] = [];
  for (const d of datagrams) forEachMessage(d, (h) => {
    keep.push(rt.parseRouteMessage(d.subarray(h.bodyStart, h.end)));
    n++;
  });
  return n;
});
const ours = time('src/netlink decoder', () => {
  const stats = newDecodeStats();
  const keep: unknown[] = [];
  for (const d of datagrams) forEachMessage(d, (h) => {
    keep.push(decodeChange(h.type, h.flags, d, h.bodyStart, h.end, stats));
  });
  return keep.length;
});
const records = time('src/netlink records', () => {
  // The full-table path: one reused record, a signature per route, no object.
  const rec = new RouteRecord();
  let n = 0;
  for (const d of datagrams) forEachMessage(d, (h) => {
    scanRoute(d, h.bodyStart, h.end, rec);
    n++;
  });
  return n;
});
const native = time('src/netlink records (native)', () => {
  // What a full-table dump runs: native/route-scan, a batch of messages per call.
  let n = 0;
  const scan = bulkRouteScan(2, new RouteRecord(), () => void n++);
  if (!scan) throw new Error('native/route-scan is not built (npm ci builds it)');
  for (const d of datagrams) if (scan(d, 0, d.length, 1) !== d.length) throw new Error('the native scanner left a message');
  return n;
});
console.log(`src/netlink decodes objects ${(ours / pkg).toFixed(2)}x, records ${(records / pkg).toFixed(2)}x and records natively ${(native / pkg).toFixed(2)}x as fast as the netlink package (which leaves RTA_MULTIPATH raw); native ${(native / records).toFixed(1)}x JavaScript's records`);
