// Signals to a running agent: SIGHUP reloads the configuration without a resync (no kernel
// re-dump, no driver read-back), SIGTERM stops it gracefully in the middle of a sync.
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import http2 from 'node:http2';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, runOnce, startAgent } from '../helpers/agent-process.ts';
import { DriverClient } from '../../src/driver/client.ts';
import { hardwareFromEntities } from '../../src/translate/read-back.ts';
import { describeValue } from '../../src/translate/route-value.ts';

const repo = join(import.meta.dirname, '..', '..');

describe('signals', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  beforeAll(async () => {
    ns = Netns.create('signals');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link add eth7 type veth peer name p7',
      'link set swp1 up', 'link set p1 up', 'link set eth7 up', 'link set p7 up',
      'addr add 192.168.1.1/24 dev swp1', 'addr add 192.168.7.1/24 dev eth7',
      'neigh add 192.168.7.2 lladdr 02:aa:00:00:00:07 dev eth7 nud permanent',
      'route add 10.7.0.0/16 via 192.168.7.2',
    ]);
    hw = await startHwsim(['--ports', 'swp1,swp2']);
  });
  afterEach(() => killAgents());
  afterAll(async () => {
    await hw?.stop();
    ns?.destroy();
  });

  it('SIGHUP applies a new port map without a resync', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vrfsync-hup-')), 'vrfsync.yaml');
    writeFileSync(file, `driver:\n  address: ${hw.address}\n`);
    const agent = startAgent(ns, ['--config', file]);
    await agent.waitLog('first sync converged');
    const client = new DriverClient(hw.address);
    const route = async () => describeValue(hardwareFromEntities(await client.readAll()).routes4.get(0, 16, 0x0a070000));
    // eth7 has no hardware port: its route traps.
    expect(await route()).toBe('trap');
    const before = agent.logs().length;
    writeFileSync(file, `driver:\n  address: ${hw.address}\nports:\n  eth7: swp2\n`);
    agent.proc.kill('SIGHUP');
    await agent.waitLog('configuration reloaded');
    const end = Date.now() + 20_000;
    while ((await route()) === 'trap' && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(await route()).toMatch(/^nexthop/);
    const after = agent.logs().slice(before).map((r) => r.msg);
    expect(after).not.toContain('reading the driver');
    expect(after).not.toContain('kernel re-dumped');
    client.close();
    expect(await agent.stop()).toBe(0);
  });

  it('a configuration with errors is refused on SIGHUP and the running one stays', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vrfsync-hup-')), 'vrfsync.yaml');
    writeFileSync(file, `driver:\n  address: ${hw.address}\n`);
    const agent = startAgent(ns, ['--config', file]);
    await agent.waitLog('first sync converged');
    writeFileSync(file, 'tableFull: sometimes\n');
    agent.proc.kill('SIGHUP');
    await agent.waitLog('configuration not reloaded: it has errors; the running one stays');
    expect(await agent.stop()).toBe(0);
  });

  it('SIGTERM in the middle of a sync stops gracefully, and a restart converges', async () => {
    ns.batch(Array.from({ length: 30_000 }, (_, i) => `route add 20.${(i >> 8) & 255}.${i & 255}.0/24 via 192.168.7.2`));
    const sim = await startHwsim(['--ports', 'swp1,swp2', '--max-updates-per-write', '200']);
    const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-term-')), 'agent.sock');
    const agent = startAgent(ns, ['--driver', sim.address, '--status-socket', socket]);
    await agent.waitLog('driver read');
    expect(existsSync(socket)).toBe(true);
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.logs().some((r) => r.msg === 'stopping')).toBe(true);
    // Its status socket is closed and gone.
    expect(existsSync(socket)).toBe(false);
    const again = await runOnce(ns, ['--driver', sim.address]);
    expect(again.code).toBe(0);
    expect(again.report.failed).toBe(0);
    expect(again.report.routes).toBeGreaterThan(30_000);
    // hwsim too stops on SIGTERM with its socket removed.
    expect(await sim.stop('SIGTERM')).toBe(0);
    expect(existsSync(sim.address.slice('unix:'.length))).toBe(false);
  });

  it('SIGTERM with a status watcher attached closes every socket: the status socket and the embedded hwsim\'s are removed', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-term-')), 'agent.sock');
    const agent = startAgent(ns, ['--driver', 'embedded', '--status-socket', socket]);
    await agent.waitLog('first sync converged');
    const embedded = String((await agent.waitLog('embedded hwsim started')).address).slice('unix:'.length);
    expect(existsSync(embedded)).toBe(true);
    // A client watching the status API when the signal comes.
    const watcher = spawn(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'status', '--watch', '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    const watcherExit = once(watcher, 'exit') as Promise<[number | null]>;
    let watched = '';
    watcher.stderr.on('data', (d) => (watched += d));
    // The signal comes once the watch is open (a Watch call that reached a stopping agent would
    // be refused, which the watcher rightly reports with exit 2).
    await expect.poll(() => watched, { timeout: 20_000 }).toContain('watching offload events');
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(dirname(embedded))).toBe(false);
    // The watcher hears the end of its stream and exits 0.
    expect(await watcherExit).toEqual([0, null]);
  });

  it('SIGHUP keeps the status socket serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrfsync-hup-'));
    const file = join(dir, 'vrfsync.yaml');
    const socket = join(dir, 'agent.sock');
    writeFileSync(file, `driver:\n  address: ${hw.address}\nstatusSocket: ${socket}\n`);
    const agent = startAgent(ns, ['--config', file]);
    await agent.waitLog('first sync converged');
    writeFileSync(file, `driver:\n  address: ${hw.address}\nstatusSocket: ${socket}\nlog: { level: debug }\n`);
    agent.proc.kill('SIGHUP');
    await agent.waitLog('configuration reloaded');
    const status = spawnSync(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'status', '--json', '--socket', socket], { encoding: 'utf8', timeout: 20_000 });
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).state).toBe('SYNC_STATE_IN_SYNC');
    expect(await agent.stop()).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  it('SIGTERM is not held up by clients that never finish their requests (status socket and metrics)', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-term-')), 'agent.sock');
    const agent = startAgent(ns, ['--driver', hw.address, '--status-socket', socket, '--metrics', '127.0.0.1:0']);
    await agent.waitLog('first sync converged');
    const metrics = String((await agent.waitLog('metrics at /metrics')).address);
    // A Status call whose message never arrives (its frame promises 10 bytes), on the status socket.
    const h2 = http2.connect('http://localhost', { createConnection: () => connect(socket) });
    h2.on('error', () => {});
    const call = h2.request({ ':method': 'POST', ':path': '/vrfsync.agent.v1.Agent/Status', 'content-type': 'application/grpc', te: 'trailers' });
    call.on('error', () => {});
    call.write(Buffer.of(0, 0, 0, 0, 10));
    // An HTTP request to /metrics whose headers never end, from inside the namespace.
    const [host, port] = [metrics.slice(0, metrics.lastIndexOf(':')), metrics.slice(metrics.lastIndexOf(':') + 1)];
    const slow = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e',
      `const s = require('node:net').connect(${port}, '${host}', () => { s.write('GET /metrics HTTP/1.1\\r\\nhost: x\\r\\n'); console.log('sent'); }); s.on('error', () => {}); setTimeout(() => {}, 600000);`],
    { stdio: ['ignore', 'pipe', 'ignore'] });
    await once(slow.stdout, 'data');
    agent.proc.kill('SIGTERM');
    try {
      expect(await agent.exited).toBe(0);
      expect(existsSync(socket)).toBe(false);
    } finally {
      slow.kill('SIGKILL');
      h2.destroy();
    }
  });
});
