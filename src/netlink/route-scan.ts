// Full-table route dumps scanned in C (native/route-scan), batches of messages per call: the
// same RouteRecords scanRoute gives, for a tenth of its time a route. Messages the scanner
// leaves alone (the dump's end, errors, malformed or unusual routes) go through the JavaScript
// path, which stays the one that decides and reports what is malformed. Without the addon
// (not built) every message takes the JavaScript path.
import { loadAddon } from '../common/native-addon.ts';
import type { RouteRecord } from './route-record.ts';

interface RouteScanAddon {
  scan(buf: Uint8Array, off: number, end: number, seq: number, af: number, recs: Uint32Array, sigs: Uint32Array, state: Int32Array): number;
}

const addon = loadAddon<RouteScanAddon>('route-scan', 'route_scan.node');

/** Is the native scanner here? */
export const nativeRouteScan = addon !== null;

/** Words of one scanned record (route-scan.c's R_*). */
const STRIDE = 16;
const BATCH = 1024;

/**
 * Consumes the messages of buf[off, end) it can and returns the offset of the first it left to
 * the caller (or `end`): each one scanned into `rec` and handed to `add`.
 */
export type BulkRouteScan = (buf: Uint8Array, off: number, end: number, seq: number) => number;

/** A bulk scanner of a dump of family `af` (AF_INET, AF_INET6), or null without the addon. */
export function bulkRouteScan(af: number, rec: RouteRecord, add: (rec: RouteRecord) => void): BulkRouteScan | null {
  const scanner = addon;
  if (!scanner) return null;
  const recs = new Uint32Array(STRIDE * BATCH);
  const sigs = new Uint32Array(16 * BATCH);
  const state = new Int32Array(1);
  const family = af === 2 ? 4 : 6;
  return (buf, off, end, seq) => {
    for (;;) {
      const n = scanner.scan(buf, off, end, seq, af, recs, sigs, state);
      for (let i = 0; i < n; i++) {
        const o = i * STRIDE;
        rec.family = family;
        rec.table = recs[o]!;
        rec.dstLen = recs[o + 1]!;
        rec.tos = recs[o + 2]!;
        rec.srcLen = recs[o + 3]!;
        rec.priority = recs[o + 4]!;
        rec.flags = recs[o + 5]!;
        rec.d0 = recs[o + 6]!;
        rec.d1 = recs[o + 7]!;
        rec.d2 = recs[o + 8]!;
        rec.d3 = recs[o + 9]!;
        const s = recs[o + 10]!;
        const len = recs[o + 11]!;
        if (rec.sig.length < len) rec.sig = new Uint32Array(len * 2);
        const sig = rec.sig;
        for (let k = 0; k < len; k++) sig[k] = sigs[s + k]!;
        rec.sigLen = len;
        rec.hash = recs[o + 12]!;
        add(rec);
      }
      off = state[0]!;
      // A full batch stopped for room, not at a message it leaves alone: go on.
      if (n < BATCH) return off;
    }
  };
}
