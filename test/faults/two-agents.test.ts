// Two agents on one driver: the one with the higher election id is primary and writes; the other
// is a backup that writes nothing, through churn. The primary SIGKILLed: the backup takes over,
// reads the driver back and finds nothing to change. The old primary back with a higher id
// takes over again, also with nothing to change. hwsim's update counter and its tables, read
// whole, must not move across either takeover, and `vrfsync check` ends consistent.
import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { tempSocket } from '../helpers/hwsim-process.ts';
import { startAgent } from '../helpers/agent-process.ts';
import { DriverClient } from '../../src/driver/client.ts';
import { Churn, agentStatus, expectConsistent, hwStats, ipBatch, sleep, useRig, vrfsyncStatus, waitFor } from './fixture.ts';

const ROUTES = 5000;

describe('two agents, one driver', () => {
  const rig = useRig('fault-two-agents', ROUTES);

  /** The driver's tables, read whole, as one string to compare. */
  const tables = async () => {
    const c = new DriverClient(rig.hw.address);
    try {
      return (await c.readAll()).map((e) => JSON.stringify(e)).sort().join('\n');
    } finally {
      c.close();
    }
  };

  it('the backup never writes; takeovers either way change nothing', async () => {
    const { ns, hw } = rig;
    const socketA = rig.statusSocket;
    const socketB = join(dirname(tempSocket()), 'backup.sock');
    let primary = startAgent(ns, ['--driver', hw.address, '--election-id', '10', '--status-socket', socketA]);
    await primary.waitLog('first sync converged');
    const backup = startAgent(ns, ['--driver', hw.address, '--election-id', '5', '--status-socket', socketB]);
    await backup.waitLog('driver connected', (r) => r.role === 'backup');

    // Churn: every update hwsim takes is the primary's.
    const before = await hwStats(hw.address);
    const sentBefore = (await agentStatus(socketA)).updatesSent ?? 0;
    const churn = new Churn(ns, { perRound: 200, pauseMs: 20, replaceBelow: ROUTES });
    await sleep(2000);
    await churn.stop();
    await expectConsistent(ns, hw.address, socketA);
    const after = await hwStats(hw.address);
    const a = await vrfsyncStatus(ns, socketA);
    const b = await vrfsyncStatus(ns, socketB);
    expect(after.updates - before.updates).toBeGreaterThan(0);
    expect(after.updates - before.updates).toBe((a.updatesSent ?? 0) - sentBefore);
    expect(b).toMatchObject({ state: 'SYNC_STATE_BACKUP', driver: { role: 'backup' } });
    expect(b.updatesSent ?? 0).toBe(0);
    expect(b.writes ?? 0).toBe(0);

    // The primary dies: the backup takes over and writes nothing.
    const held = await tables();
    primary.proc.kill('SIGKILL');
    await primary.exited;
    await backup.waitLog('first sync converged', undefined, 30_000);
    await waitFor('the backup to be primary and in sync', async () => {
      const s = await agentStatus(socketB);
      return s.state === 'SYNC_STATE_IN_SYNC' && s.driver?.role === 'primary' ? true : undefined;
    }, 30_000, 100);
    expect((await hwStats(hw.address)).updates).toBe(after.updates);
    expect(await tables()).toBe(held);

    // The old primary returns with a higher id: it takes over, the other steps down, nothing written.
    primary = startAgent(ns, ['--driver', hw.address, '--election-id', '20', '--status-socket', socketA]);
    await primary.waitLog('first sync converged');
    await waitFor('the other agent to step down', async () => ((await agentStatus(socketB)).driver?.role === 'backup' ? true : undefined), 30_000, 100);
    expect((await hwStats(hw.address)).updates).toBe(after.updates);
    expect(await tables()).toBe(held);
    expect(primary.logs().find((r) => r.msg === 'first sync converged')).toMatchObject({ updates: 0 });

    // And the new primary alone follows the kernel: one route, one update.
    const sentB = (await agentStatus(socketB)).updatesSent ?? 0;
    await ipBatch(ns, ['route add 23.0.0.0/24 via 10.0.1.2']);
    await expectConsistent(ns, hw.address, socketA);
    expect((await hwStats(hw.address)).updates).toBe(after.updates + 1);
    expect((await agentStatus(socketB)).updatesSent ?? 0).toBe(sentB);
    console.log(`two agents: backup wrote 0 of ${after.updates - before.updates} updates under churn; takeover by the backup and back by id 20: 0 updates, tables unchanged`);
  }, 180_000);
});
