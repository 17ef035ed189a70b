// The agent's status API (`vrfsync status`) and metrics (/metrics), read from a running agent
// in a namespace, hwsim in another process with a route table too small for the kernel's.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent, type AgentProcess } from '../helpers/agent-process.ts';

const repo = join(import.meta.dirname, '..', '..');

function vrfsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [join(repo, 'bin', 'vrfsync.js'), ...args], { maxBuffer: 1 << 24 },
    (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })));
}

describe('status API and metrics', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  let agent: AgentProcess;
  const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-status-')), 'agent.sock');
  beforeAll(async () => {
    ns = Netns.create('status');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1',
      'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
      ...Array.from({ length: 150 }, (_, i) => `route add 10.0.${i}.0/24 via 192.168.1.2`),
    ]);
    hw = await startHwsim(['--ports', 'swp1,swp2', '--capacity', 'ipv4-routes=100']);
    agent = startAgent(ns, ['--driver', hw.address, '--status-socket', socket, '--metrics', '127.0.0.1:0', '--table-full', 'retry']);
    await agent.waitLog('first sync converged');
  });
  afterAll(async () => {
    killAgents();
    await hw?.stop();
    ns?.destroy();
  });

  it('vrfsync status reports state, counts per VRF and table, and each failure with its reason', async () => {
    const r = await vrfsync(['status', '--json', '--socket', socket]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.state).toBe('SYNC_STATE_IN_SYNC');
    expect(s.driver).toMatchObject({ address: hw.address, connected: true, role: 'primary' });
    const v4 = s.counts.find((c: { vrf: string; table: string }) => c.vrf === 'default' && c.table === 'ipv4-routes');
    expect(v4.installed).toBe(100);
    expect(v4.failed).toBeGreaterThan(40);
    expect(v4.installed + v4.failed + v4.pending).toBeGreaterThan(150);
    expect(s.failuresTotal).toBe(v4.failed);
    expect(s.failures[0]).toMatchObject({ vrf: 'default', code: 'RESOURCE_EXHAUSTED', message: expect.stringContaining('full') });
    expect(s.lastDriverRead.reason).toBe('startup');
    const text = await vrfsync(['status', '--socket', socket]);
    expect(text.stdout).toMatch(/^state: in-sync/);
    expect(text.stdout).toMatch(/default\s+ipv4-routes\s+100\s+\d+\s+\d+/);
  });

  it('serves Prometheus metrics', async () => {
    // The agent listens on 127.0.0.1 of its namespace: fetch from inside it.
    const body = execFileSync('ip', ['netns', 'exec', ns.name, process.execPath, '-e',
      `fetch('http://${String((await agent.waitLog('metrics at /metrics')).address)}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`], { encoding: 'utf8' });
    expect(body).toMatch(/vrfsync_entries\{table="ipv4-routes",vrf="default",state="installed"\} 100/);
    expect(body).toMatch(/vrfsync_entries\{table="ipv4-routes",vrf="default",state="failed"\} \d+/);
    expect(body).toMatch(/vrfsync_driver_write_duration_seconds_count \d+/);
    expect(body).toMatch(/vrfsync_hardware_table_capacity\{table="ipv4-routes"\} 100/);
    expect(body).toMatch(/vrfsync_netlink_overruns_total 0/);
    expect(body).toMatch(/vrfsync_in_sync 1/);
  });

  it('vrfsync status --watch streams offload events', async () => {
    const watch = execFile(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'status', '--watch', '--json', '--socket', socket]);
    let out = '';
    watch.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 1500));
    ns.batch(['route add 11.0.0.0/8 via 192.168.1.2']);
    const end = Date.now() + 20_000;
    while (!out.includes('"kind":"refused"') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    watch.kill();
    expect(out).toContain('"kind":"refused"');
  });

  it('exits 2 when no agent answers', async () => {
    const r = await vrfsync(['status', '--socket', join(tmpdir(), 'no-such-agent.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no agent answers/);
  });
});
