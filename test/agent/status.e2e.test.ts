// The agent's status API (`vrfsync status`), its grpc.health.v1 and metrics (/metrics), read
// from a running agent in a namespace, hwsim in another process with a route table too small
// for the kernel's; at the end hwsim stops and starts again.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { Table } from '../../src/driver/wire.ts';
import { agentStatus, waitFor } from '../faults/rig-tools.ts';

const repo = join(import.meta.dirname, '..', '..');

function vrfsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [join(repo, 'bin', 'vrfsync.js'), ...args], { maxBuffer: 1 << 24 },
    (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })));
}

/** grpc.health.v1 Check of `service` on a unix socket: SERVING, NOT_SERVING, ... */
function health(socket: string, service: string): Promise<string> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'Health');
  const c = new Client(`unix:${socket}`, grpc.credentials.createInsecure()) as unknown as {
    check(req: { service: string }, opts: grpc.CallOptions, cb: (err: Error | null, res?: { status: string }) => void): void; close(): void;
  };
  return new Promise((resolve, reject) => c.check({ service }, { deadline: Date.now() + 5000 }, (err, res) => {
    c.close();
    if (err) reject(err);
    else resolve(res!.status);
  }));
}

/** The metrics' table labels, by the contract's table. */
const TABLE_LABEL: Partial<Record<Table, string>> = {
  [Table.TABLE_VRFS]: 'vrfs', [Table.TABLE_ROUTER_INTERFACES]: 'router-interfaces', [Table.TABLE_NEIGHBORS]: 'neighbors',
  [Table.TABLE_NEXT_HOPS]: 'next-hops', [Table.TABLE_NEXT_HOP_GROUPS]: 'next-hop-groups', [Table.TABLE_GROUP_MEMBERS]: 'group-members',
  [Table.TABLE_IPV4_ROUTES]: 'ipv4-routes', [Table.TABLE_IPV6_ROUTES]: 'ipv6-routes',
};

/** A sample's value in a Prometheus text exposition (NaN when absent). */
const sample = (body: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1]);

describe('status API and metrics', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  let agent: AgentProcess;
  const HWSIM_ARGS = ['--ports', 'swp1,swp2', '--capacity', 'ipv4-routes=100'];
  /** /metrics, fetched inside the namespace: the agent listens on its 127.0.0.1. */
  const metrics = async () => execFileSync('ip', ['netns', 'exec', ns.name, process.execPath, '-e',
    `fetch('http://${String((await agent.waitLog('metrics at /metrics')).address)}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`], { encoding: 'utf8' });
  const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-status-')), 'agent.sock');
  beforeAll(async () => {
    ns = Netns.create('status');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1',
      'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
      'addr add 2001:db8:1::1/64 dev swp1 nodad', 'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
      ...Array.from({ length: 150 }, (_, i) => `route add 10.0.${i}.0/24 via 192.168.1.2`),
    ]);
    hw = await startHwsim(HWSIM_ARGS);
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
    // One kernel change after the sync, which fits: a Write, and a kernel-to-hardware lag measured.
    // (A host route: a shorter one in main has the translator walk the family again, which
    // measures no lag.)
    ns.batch(['route add 2001:db8:9::1/128 via 2001:db8:1::2']);
    await waitFor('the change to land', async () => ((await agentStatus(socket)).lag?.updates ? true : undefined), 10_000, 50);
    const body = await metrics();
    expect(sample(body, 'vrfsync_driver_write_batch_updates_count')).toBeGreaterThan(0);
    expect(sample(body, 'vrfsync_driver_write_batch_updates_sum')).toBeGreaterThan(0);
    expect(sample(body, 'vrfsync_kernel_to_hardware_lag_seconds_count')).toBeGreaterThan(0);
    // Usage as hwsim counts it now: the driver reports it when it crosses a tenth of capacity, so
    // the gauge is in hwsim's tenth, and exact for the full IPv4 table.
    const sim = new SimulatorClient(hw.address);
    const tables = (await sim.stats().finally(() => sim.close())).tables;
    expect(tables.length).toBeGreaterThan(5);
    for (const t of tables) {
      const label = TABLE_LABEL[t.table!]!;
      const cap = Number(t.capacity);
      const used = sample(body, `vrfsync_hardware_table_used{table="${label}"}`);
      expect(Math.floor((used * 10) / cap), label).toBe(Math.floor((Number(t.used) * 10) / cap));
      expect(sample(body, `vrfsync_hardware_table_capacity{table="${label}"}`), label).toBe(cap);
    }
    expect(Number(tables.find((t) => t.table === Table.TABLE_IPV4_ROUTES)!.used)).toBe(100);
    expect(sample(body, 'vrfsync_hardware_table_used{table="ipv4-routes"}')).toBe(100);
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
    let said = '';
    watch.stdout!.on('data', (d) => (out += d));
    watch.stderr!.on('data', (d) => (said += d));
    const end = Date.now() + 20_000;
    while (!said.includes('watching offload events') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    ns.batch(['route add 11.0.0.0/8 via 192.168.1.2']);
    while (!out.includes('"kind":"refused"') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    watch.kill();
    expect(out).toContain('"kind":"refused"');
  });

  it('answers grpc.health.v1: SERVING while connected, NOT_SERVING while the driver is away', async () => {
    expect(await health(socket, '')).toBe('SERVING');
    expect(await health(socket, 'vrfsync.agent.v1.Agent')).toBe('SERVING');
    expect(sample(await metrics(), 'vrfsync_driver_reconnects_total')).toBe(0);
    await hw.stop();
    await waitFor('NOT_SERVING', async () => ((await health(socket, '')) === 'NOT_SERVING' ? true : undefined), 10_000, 50);
    expect(await health(socket, 'vrfsync.agent.v1.Agent')).toBe('NOT_SERVING');
    expect((await agentStatus(socket)).driver?.connected).toBe(false);
    // hwsim again on the same socket, empty: the agent reconnects and writes it whole.
    hw = await startHwsim(HWSIM_ARGS, hw.address);
    await waitFor('SERVING', async () => ((await health(socket, '')) === 'SERVING' ? true : undefined), 20_000, 50);
    const st = await waitFor('the agent in sync', async () => {
      const s = await agentStatus(socket);
      return s.state === 'SYNC_STATE_IN_SYNC' && s.driver?.connected ? s : undefined;
    }, 20_000, 50);
    expect(st.driver?.reconnects).toBe(1);
    expect(sample(await metrics(), 'vrfsync_driver_reconnects_total')).toBe(1);
  });

  it('exits 2 when no agent answers', async () => {
    const r = await vrfsync(['status', '--socket', join(tmpdir(), 'no-such-agent.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no agent answers/);
  });
});
