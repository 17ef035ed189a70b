// Netlink overruns: the agent's event socket given a tiny receive buffer (--netlink-rcvbuf),
// then floods of kernel changes (tens of thousands of routes added, moved and deleted at once,
// neighbours flapping) that overflow it again and again, some while the agent re-dumps after
// the last one. The agent must count each overrun (status API, /metrics), log the re-dump it
// costs, and end with the hardware equal to the kernel: nothing lost with the dropped events.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startAgent } from '../helpers/agent-process.ts';
import { Churn, expectConsistent, ipBatch, useRig, vrfsyncStatus } from './fixture.ts';

const ROUTES = 20_000;

describe('netlink overruns', () => {
  const rig = useRig('fault-overrun', ROUTES);

  it('counts each overrun, re-dumps, and ends consistent', async () => {
    const { ns, hw, statusSocket } = rig;
    const agent = startAgent(ns, ['--driver', hw.address, '--status-socket', statusSocket, '--netlink-rcvbuf', '4096', '--metrics', '127.0.0.1:0']);
    await agent.waitLog('first sync converged');
    const metricsAt = String((await agent.waitLog('metrics at /metrics')).address);
    const churn = new Churn(ns, { perRound: 500, replaceBelow: ROUTES });
    try {
      for (let round = 0; round < 4; round++) {
        // 10,000 new routes, then 5,000 of the old ones moved to the other gateway, then the new ones gone again (odd rounds keep them).
        await ipBatch(ns, Array.from({ length: 10_000 }, (_, i) => `route add 22.${round}.${i >> 8}.${i & 255}/32 via 10.0.${(i % 2) + 1}.2`));
        await ipBatch(ns, Array.from({ length: 5000 }, (_, i) => `route replace 20.0.${(i * 3) >> 8 & 255}.${(i * 3) & 255}/32 via 10.0.${((i + round) % 2) + 1}.2`));
        if (round % 2 === 0) await ipBatch(ns, Array.from({ length: 10_000 }, (_, i) => `route del 22.${round}.${i >> 8}.${i & 255}/32`));
      }
    } finally {
      await churn.stop();
    }
    await expectConsistent(ns, hw.address, statusSocket, 90_000);
    const st = await vrfsyncStatus(ns, statusSocket);
    expect(st.netlinkOverruns).toBeGreaterThan(0);
    // Each overrun costs a re-dump (overruns during one re-dump fold into the next): more than the startup dump.
    expect(st.kernelResyncs).toBeGreaterThan(1);
    // Reasons that arrive while a re-dump is pending share it: 'netlink overrun; link x changed ...'.
    const redumps = agent.logs().filter((r) => r.msg === 'kernel re-dumped' && String(r.reason).split('; ').includes('netlink overrun'));
    expect(redumps.length).toBeGreaterThan(0);
    const metrics = execFileSync('ip', ['netns', 'exec', ns.name, process.execPath, '-e',
      `fetch('http://${metricsAt}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`], { encoding: 'utf8' });
    expect(Number(/vrfsync_netlink_overruns_total (\d+)/.exec(metrics)?.[1])).toBe(st.netlinkOverruns);
    expect(metrics).toMatch(/vrfsync_in_sync 1/);
    console.log(`receive buffer 4 KiB under floods (${churn.commands} churn commands besides): ${st.netlinkOverruns} overruns, ${st.kernelResyncs} kernel dumps, ${redumps.length} re-dumps logged; consistent after`);
  }, 180_000);
});
