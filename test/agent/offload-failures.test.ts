// Failed routes after a read back: those with nothing left to write are forgotten (the installed
// value is the one to write, or neither state has the route); the others stay failed.
import { describe, expect, it } from 'vitest';
import { OffloadFailures } from '../../src/agent/offload-failures.ts';
import { Action, Code, Table } from '../../src/driver/wire.ts';
import { HardwareState } from '../../src/translate/hardware-state.ts';
import { TargetKind, routeValue } from '../../src/translate/route-value.ts';
import type { HwRoute } from '../../src/translate/updates.ts';

const X = routeValue(Action.ACTION_FORWARD, TargetKind.NextHop, 1);
const Y = routeValue(Action.ACTION_FORWARD, TargetKind.NextHop, 2);
const route = (third: number, family: 4 | 6 = 4): HwRoute => (family === 4
  ? { family, vrfId: 0, dstLen: 24, d0: (10 << 24) | (third << 8), d1: 0, d2: 0, d3: 0, value: X }
  : { family, vrfId: 0, dstLen: 64, d0: 0x20010db8, d1: third, d2: 0, d3: 0, value: X });
const put = (state: HardwareState, r: HwRoute, v: number) => state.routes(r.family).set(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3, v);

describe('OffloadFailures.settleRoutes', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family}: forgets what is settled, keeps what is still to write`, () => {
      const failures = new OffloadFailures('safe');
      const installed = new HardwareState();
      const desired = new HardwareState();
      const [gone, landed, noRoom, changed] = [1, 2, 3, 4].map((n) => route(n, family)) as [HwRoute, HwRoute, HwRoute, HwRoute];
      // A delete refused NOT_FOUND (the driver had lost it) for a route the kernel no longer has.
      failures.failed(gone, Code.NOT_FOUND, 'route does not exist', null);
      // Refused, and since found installed as wanted (the read back holds it).
      failures.failed(landed, Code.INTERNAL, 'injected', null);
      put(installed, landed, X);
      put(desired, landed, X);
      // Refused for lack of room: still wanted, still missing.
      failures.failed(noRoom, Code.RESOURCE_EXHAUSTED, 'table full', family === 4 ? Table.TABLE_IPV4_ROUTES : Table.TABLE_IPV6_ROUTES);
      put(desired, noRoom, X);
      // A modify refused: the driver holds the old value.
      failures.failed(changed, Code.INVALID_ARGUMENT, 'refused', null);
      put(installed, changed, X);
      put(desired, changed, Y);
      expect(failures.size).toBe(4);
      failures.settleRoutes(installed, desired);
      const left: string[] = [];
      failures.forEach((_f, _v, _l, d0, d1, _d2, _d3, code) => left.push(`${family === 4 ? (d0 >>> 8) & 255 : d1}:${code}`));
      expect(left.sort()).toEqual([`3:${Code.RESOURCE_EXHAUSTED}`, `4:${Code.INVALID_ARGUMENT}`]);
    });
  }
});
