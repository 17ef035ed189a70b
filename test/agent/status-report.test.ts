// The status report's counts and failures over hand-made hardware states: entries of the small
// tables counted in their VRF (this machine's kernel has no VRF devices, so the end-to-end
// tests see the default VRF only), refused entities listed with their VRF and reason, and
// forgotten once they are no longer to write.
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.ts';
import { LagHistogram } from '../../src/agent/lag.ts';
import { OffloadFailures } from '../../src/agent/offload-failures.ts';
import { Action, Code } from '../../src/driver/wire.ts';
import { HardwareState, neighborKey, type HwNeighbor, type HwNextHop } from '../../src/translate/hardware-state.ts';
import { routeValue } from '../../src/translate/route-value.ts';
import { statusReport, tableCounts } from '../../src/status/report.ts';

const RED = 10;
const nh4: HwNextHop = { id: 4, rifId: 2, ip: '10.1.0.4' };
const neigh4: HwNeighbor = { rifId: 2, ip: '10.1.0.4', mac: '02:aa:00:00:00:04' };

/** The default VRF (0) with router interface 1, VRF red with 2; groups within each and across. */
function hardware(): HardwareState {
  const s = new HardwareState();
  s.vrfs.set(RED, { id: RED, name: 'red' });
  s.rifs.set(1, { id: 1, vrfId: 0, portId: 1, mac: '02:00:00:00:00:01', mtu: 1500, adminUp: true });
  s.rifs.set(2, { id: 2, vrfId: RED, portId: 2, mac: '02:00:00:00:00:02', mtu: 1500, adminUp: true });
  for (const n of [{ rifId: 1, ip: '192.168.1.2' }, { rifId: 2, ip: '10.1.0.2' }, { rifId: 2, ip: '10.1.0.3' }]) {
    s.neighbors.set(neighborKey(n.rifId, n.ip), { ...n, mac: '02:aa:00:00:00:01' });
  }
  s.nexthops.set(1, { id: 1, rifId: 1, ip: '192.168.1.2' });
  s.nexthops.set(2, { id: 2, rifId: 2, ip: '10.1.0.2' });
  s.nexthops.set(3, { id: 3, rifId: 2, ip: '10.1.0.3' });
  s.groups.set(1, { id: 1, members: [{ nextHopId: 2, weight: 1 }, { nextHopId: 3, weight: 1 }] });
  // Members in two VRFs: the group counts in its first member's.
  s.groups.set(2, { id: 2, members: [{ nextHopId: 3, weight: 1 }, { nextHopId: 1, weight: 1 }] });
  s.groups.set(3, { id: 3, members: [{ nextHopId: 1, weight: 1 }, { nextHopId: 2, weight: 1 }] });
  const drop = routeValue(Action.ACTION_DROP);
  s.routes(4).set(0, 16, 0x0a090000, 0, 0, 0, drop);
  s.routes(4).set(RED, 16, 0x0a140000, 0, 0, 0, drop);
  return s;
}

function agentOver(installed: HardwareState, desired: HardwareState, failures: OffloadFailures): Agent {
  return {
    installed, failures, translator: { desired, fallenBackGroups: 0 }, state: 'in-sync', driverAddress: 'unix:/hwsim.sock',
    driver: { capabilities: { defaultVrfId: 0 }, connected: true, role: 'primary', bootEpoch: 1, stats: { reconnects: 0 } },
    kernel: { stats: { resyncs: 1, lastResyncAt: 0, lastResyncReason: 'startup' }, sub: { stats: { overruns: 0 } } },
    lag: new LagHistogram(),
    translateConfig: { portMap: new Map([['eth1', 'swp1']]), excludedVrfs: new Set(['mgmt']) },
    stats: { updates: 0, writes: 0, cycles: 1, reads: 1, lastReadReason: 'startup', lastReadAt: 0, startedAt: 0, firstSyncMs: 1 },
  } as unknown as Agent;
}

describe('status report', () => {
  it('counts each entry in its VRF, and a refused next hop as failed in its router interface\'s', () => {
    const installed = hardware();
    const desired = hardware();
    desired.nexthops.set(nh4.id, nh4);
    desired.neighbors.set(neighborKey(neigh4.rifId, neigh4.ip), neigh4);
    const failures = new OffloadFailures();
    failures.entityFailed({ op: 'insert', entity: { kind: 'nextHop', nextHop: nh4 } }, Code.RESOURCE_EXHAUSTED, 'table next-hops is full');
    const agent = agentOver(installed, desired, failures);
    const rows = Object.fromEntries(tableCounts(agent).map((r) => [`${r.table}@${r.vrf}`, [r.installed, r.pending, r.failed]]));
    expect(rows).toEqual({
      'router-interfaces@default': [1, 0, 0], 'neighbors@default': [1, 0, 0], 'next-hops@default': [1, 0, 0],
      'next-hop-groups@default': [1, 0, 0], 'ipv4-routes@default': [1, 0, 0],
      'vrfs@red': [1, 0, 0], 'router-interfaces@red': [1, 0, 0], 'neighbors@red': [2, 1, 0], 'next-hops@red': [2, 0, 1],
      'next-hop-groups@red': [2, 0, 0], 'ipv4-routes@red': [1, 0, 0],
    });
    const report = statusReport(agent);
    expect(report.failures).toEqual([{ vrf: 'red', key: 'next-hop 4 (10.1.0.4 rif 2)', code: 'RESOURCE_EXHAUSTED', message: 'table next-hops is full' }]);
    expect(report.failuresTotal).toBe(1);
    // How it translates, for show and check to read the driver as it does.
    expect(report.translate).toEqual({ portMap: { eth1: 'swp1' }, excludedVrfs: ['mgmt'] });
  });

  it('lists refused entities before refused routes', () => {
    const failures = new OffloadFailures();
    failures.failed({ family: 4, vrfId: RED, dstLen: 16, d0: 0x0a150000, d1: 0, d2: 0, d3: 0, value: 0 }, Code.FAILED_PRECONDITION, 'next hop 4 does not exist', null);
    failures.entityFailed({ op: 'insert', entity: { kind: 'neighbor', neighbor: neigh4 } }, Code.INVALID_ARGUMENT, 'bad MAC');
    const report = statusReport(agentOver(hardware(), hardware(), failures));
    expect(report.failures!.map((f) => [f.vrf, f.key, f.code])).toEqual([
      ['red', 'neighbor 10.1.0.4 rif 2', 'INVALID_ARGUMENT'], ['red', '10.21.0.0/16', 'FAILED_PRECONDITION'],
    ]);
    expect(report.failuresTotal).toBe(2);
  });

  it('forgets a refused entity once it landed or is no longer wanted, not before', () => {
    const installed = hardware();
    const desired = hardware();
    desired.nexthops.set(nh4.id, nh4);
    const gone = { rifId: 1, ip: '192.168.1.2', mac: '02:aa:00:00:00:01' };
    desired.neighbors.delete(neighborKey(gone.rifId, gone.ip));
    const failures = new OffloadFailures();
    failures.entityFailed({ op: 'insert', entity: { kind: 'nextHop', nextHop: nh4 } }, Code.RESOURCE_EXHAUSTED, 'full');
    failures.entityFailed({ op: 'delete', entity: { kind: 'neighbor', neighbor: gone } }, Code.FAILED_PRECONDITION, 'still used');
    failures.entityFailed({ op: 'insert', entity: { kind: 'neighbor', neighbor: neigh4 } }, Code.INVALID_ARGUMENT, 'bad MAC');
    failures.entityFailed({ op: 'insert', entity: { kind: 'vrf', vrf: { id: 11, name: 'blue' } } }, Code.ABORTED, 'not attempted');
    const keys = () => {
      const out: string[] = [];
      failures.forEachEntity((f) => out.push(`${f.op} ${f.entity.kind}`));
      return out.sort();
    };
    failures.settleEntities(installed, desired);
    // The neighbour to insert is wanted no more (desired lacks it); the other two are still to write.
    expect(keys()).toEqual(['delete neighbor', 'insert nextHop']);
    expect(failures.size).toBe(2);
    installed.nexthops.set(nh4.id, nh4);
    installed.neighbors.delete(neighborKey(gone.rifId, gone.ip));
    failures.settleEntities(installed, desired);
    expect(keys()).toEqual([]);
    expect(failures.size).toBe(0);
  });
});
