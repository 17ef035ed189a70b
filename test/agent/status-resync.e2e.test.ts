// The status API's last resyncs and why: a netlink overrun (the event socket given 4 KiB, then
// a burst of routes) and a driver reset (hwsim's Simulator Reset) each show in `vrfsync status
// --json` with their reason, stream as events to `vrfsync status --watch`, and move their
// counters in /metrics. The fault tests' rig, with a hundred routes: a few seconds.
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { ipBatch, useRig, vrfsyncStatus, waitFor } from '../faults/fixture.ts';

const repo = join(import.meta.dirname, '..', '..');

interface ResyncStatus {
  lastKernelResync: { reason: string; unixMs: number };
  lastDriverRead: { reason: string; unixMs: number };
  kernelResyncs: number;
  netlinkOverruns: number;
  state: string;
}

describe('status: the last resyncs and why', () => {
  const rig = useRig('status-resync', 100, [], { agentsAcrossTests: true });
  let agent: AgentProcess;
  let watch: ChildProcess;
  let events: { kind: string; message: string }[] = [];
  const status = async () => (await vrfsyncStatus(rig.ns, rig.statusSocket)) as unknown as ResyncStatus;
  const metrics = async () => execFileSync('ip', ['netns', 'exec', rig.ns.name, process.execPath, '-e',
    `fetch('http://${String((await agent.waitLog('metrics at /metrics')).address)}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`], { encoding: 'utf8' });
  const counter = (body: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1]);

  beforeAll(async () => {
    agent = startAgent(rig.ns, ['--driver', rig.hw.address, '--status-socket', rig.statusSocket, '--netlink-rcvbuf', '4096', '--metrics', '127.0.0.1:0']);
    await agent.waitLog('first sync converged');
    watch = execFile(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'status', '--watch', '--json', '--socket', rig.statusSocket]);
    let out = '';
    let lines = 0;
    watch.stdout!.on('data', (d: Buffer) => {
      const all = (out + String(d)).split('\n');
      out = all.pop()!;
      // The first line is the status; the events follow, one a line.
      for (const l of all) if (lines++ > 0) events.push(JSON.parse(l) as { kind: string; message: string });
    });
    let said = '';
    watch.stderr!.on('data', (d: Buffer) => (said += String(d)));
    await waitFor('vrfsync status --watch to open its stream', () => (lines > 0 && said.includes('watching offload events') ? true : undefined), 10_000);
  });
  afterAll(() => {
    watch?.kill();
  });

  it('after a netlink overrun: lastKernelResync says so, --watch streams it, the resync counter moves', async () => {
    const before = counter(await metrics(), 'vrfsync_kernel_resyncs_total');
    events = [];
    await ipBatch(rig.ns, Array.from({ length: 5000 }, (_, i) => `route add 23.0.${i >> 8}.${i & 255}/32 via 10.0.1.2`));
    const s = await waitFor('a re-dump for an overrun', async () => {
      const x = await status();
      return x.lastKernelResync.reason.split('; ').includes('netlink overrun') ? x : undefined;
    }, 20_000, 100);
    expect(s.netlinkOverruns).toBeGreaterThan(0);
    expect(s.kernelResyncs).toBeGreaterThan(1);
    await waitFor('the kernel-resync event', () => (events.some((e) => e.kind === 'kernel-resync' && e.message.split('; ').includes('netlink overrun')) ? true : undefined), 5000);
    expect(counter(await metrics(), 'vrfsync_kernel_resyncs_total')).toBeGreaterThan(before);
  });

  it('after a driver reset: lastDriverRead says so and --watch streams the read-back', async () => {
    events = [];
    const { bootEpoch } = await rig.sim.reset('status test');
    const reason = `driver reset (boot epoch ${String(bootEpoch)})`;
    await waitFor('the read-back after the reset', async () => ((await status()).lastDriverRead.reason === reason ? true : undefined), 20_000, 100);
    await waitFor('the driver-read event', () => (events.some((e) => e.kind === 'driver-read' && e.message === reason) ? true : undefined), 5000);
  });
});
