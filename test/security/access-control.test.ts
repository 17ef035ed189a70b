// Who can reach hwsim and the agent at all, end to end with real processes.
// - Unix sockets (hwsim's, the agent's status socket, the embedded hwsim's) are 0600: another
//   user cannot connect (checked as uid 65534 against a socket in a folder anyone may enter,
//   and against the same socket made 0666, to show the probe can connect at all).
// - TCP is TLS unless --insecure is said, which hwsim and the agent both log as a warning.
// - With a client CA (--tls-client-ca, or its older name --tls-ca), a client without a
//   certificate, or with one another CA signed, cannot even ask Capabilities, let alone Write;
//   the agent with the client certificate from its configuration file syncs.
// - /metrics is HTTPS with --metrics-tls-cert/--metrics-tls-key, and with a client CA answers
//   only scrapers it signed; served in cleartext beyond loopback, it is logged as a warning.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { agentpb, Code, pb, UpdateType } from '../../src/driver/wire.ts';
import { DriverClient, type ClientOptions } from '../../src/driver/client.ts';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, runOnce, startAgent } from '../helpers/agent-process.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { frame, rawCall, rawSession, unframe } from './raw-grpc.ts';

const repo = join(import.meta.dirname, '..', '..');
const NOBODY = 65534;

/** Whether uid 65534 can connect to the unix socket at `path`: 'connected' or the error code. */
function connectAsNobody(path: string): string {
  const script = `const s = require('node:net').connect(${JSON.stringify(path)});
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`;
  const r = spawnSync(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 10_000 });
  return r.stdout.trim() || `no answer (${r.stderr.trim()})`;
}

/** A folder anyone may enter, so that only the socket's own mode can keep other users out. */
function openFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** The socket is 0600, refuses uid 65534, and would let it in at 0666 (so the probe is real). */
function expectOwnerOnly(path: string) {
  expect((statSync(path).mode & 0o777).toString(8), path).toBe('600');
  expect(connectAsNobody(path), path).toBe('EACCES');
  chmodSync(path, 0o666);
  try {
    expect(connectAsNobody(path), `${path} at 0666`).toBe('connected');
  } finally {
    chmodSync(path, 0o600);
  }
}

/** Pino records (JSON lines) in a process's output. */
const records = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });

/** hwsim run inside a namespace (so an agent there reaches its TCP port), as users run it. */
async function hwsimIn(ns: Netns, args: string[]): Promise<{ address: string; output(): string; stop(): Promise<void> }> {
  const proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'hwsim.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  // 'close': the process exited and all its output has been read.
  let closed = false;
  const exited = new Promise<void>((res) => proc.on('close', () => res()));
  void exited.then(() => (closed = true));
  const end = Date.now() + 20_000;
  while (!/listening on (\S+)/.test(out)) {
    if (closed || Date.now() > end) throw new Error(`hwsim did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    address: /listening on (\S+)/.exec(out)![1]!,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

describe('unix sockets are for their owner only', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('sockmode');
    ns.batch(['link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1']);
  });
  afterEach(() => killAgents());
  afterAll(() => ns?.destroy());

  it("hwsim's socket", async () => {
    const hw = await startHwsim([], `unix:${join(openFolder('vrfsync-mode-'), 'hwsim.sock')}`);
    try {
      expectOwnerOnly(hw.address.slice('unix:'.length));
    } finally {
      await hw.stop();
    }
  });

  it("the agent's status socket and its embedded hwsim's socket (in a 0700 folder)", async () => {
    const socket = join(openFolder('vrfsync-mode-'), 'agent.sock');
    const agent = startAgent(ns, ['--driver', 'embedded', '--status-socket', socket]);
    await agent.waitLog('first sync converged');
    expectOwnerOnly(socket);
    // The embedded hwsim's address, from the status API.
    const h2 = rawSession(`unix:${socket}`);
    const a = await rawCall(h2, '/vrfsync.agent.v1.Agent/Status', [frame(Buffer.alloc(0))]);
    h2.close();
    const driver = agentpb.StatusResponse.decode(unframe(a.body)[0]!).driver!.address!;
    expect(driver).toMatch(/^unix:\//);
    const embedded = driver.slice('unix:'.length);
    expect((statSync(dirname(embedded)).mode & 0o777).toString(8)).toBe('700');
    expect(connectAsNobody(embedded)).toBe('EACCES');
    chmodSync(dirname(embedded), 0o755);
    expectOwnerOnly(embedded);
    chmodSync(dirname(embedded), 0o700);
    expect(await agent.stop()).toBe(0);
  });
});

describe('TCP: TLS, client certificates, and --insecure said out loud', () => {
  let certs: TestCerts;
  let ns: Netns;
  beforeAll(() => {
    certs = makeCerts();
    ns = Netns.create('tls');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1',
      'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent', 'route add 10.9.0.0/16 via 192.168.1.2',
    ]);
  });
  afterEach(() => killAgents());
  afterAll(() => ns?.destroy());

  const server = ['--tls-cert', () => certs.serverCert, '--tls-key', () => certs.serverKey] as const;
  const serverArgs = () => server.map((a) => (typeof a === 'function' ? a() : a));
  const client = (address: string, who: 'none' | 'stranger' | 'trusted'): ClientOptions => ({
    tls: {
      ca: certs.ca, serverName: 'localhost',
      ...(who === 'stranger' ? { cert: certs.strangerCert, key: certs.strangerKey } : who === 'trusted' ? { cert: certs.clientCert, key: certs.clientKey } : {}),
    },
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });

  for (const flag of ['--tls-client-ca', '--tls-ca']) {
    it(`with ${flag}, a client without a certificate or with another CA's cannot Capabilities or Write`, async () => {
      const hw = await startHwsim([...serverArgs(), flag, certs.ca], '127.0.0.1:0');
      try {
        const outcome = async (who: 'none' | 'stranger' | 'trusted') => {
          const c = new DriverClient(hw.address, client(hw.address, who));
          const stream = c.openStream();
          stream.on('error', () => {});
          try {
            const caps = await c.capabilities(3000).then(() => 'OK', (e: grpc.ServiceError) => grpc.status[e.code]);
            const arbitrated = await stream.arbitrate(50, who, 3000).then((r) => Code[r.code ?? 0], () => 'no answer');
            const write = await c.write({ electionId: 50, updates: [{ type: UpdateType.INSERT, entity: { vrf: { id: 5, name: who } } }] }, 3000)
              .then((r) => Code[r.statuses[0]?.code ?? 0], (e: grpc.ServiceError) => grpc.status[e.code]);
            return { caps, arbitrated, write };
          } finally {
            stream.close();
            c.close();
          }
        };
        expect(await outcome('none')).toEqual({ caps: 'UNAVAILABLE', arbitrated: 'no answer', write: 'UNAVAILABLE' });
        expect(await outcome('stranger')).toEqual({ caps: 'UNAVAILABLE', arbitrated: 'no answer', write: 'UNAVAILABLE' });
        // Nothing got in: the trusted client finds empty tables and no Write counted.
        const trusted = new DriverClient(hw.address, client(hw.address, 'trusted'));
        expect((await trusted.readAll()).map((e) => pb.Entity.toObject(pb.Entity.fromObject(e)))).toEqual([]);
        trusted.close();
        expect(await outcome('trusted')).toEqual({ caps: 'OK', arbitrated: 'OK', write: 'OK' });
      } finally {
        await hw.stop();
      }
    });
  }

  it('the agent syncs with the client certificate from its configuration file', async () => {
    const hw = await hwsimIn(ns, ['--listen', '127.0.0.1:0', '--ports', 'swp1', ...serverArgs(), '--tls-client-ca', certs.ca]);
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'vrfsync-mtls-')), 'vrfsync.yaml');
      writeFileSync(file, [
        'driver:', `  address: ${hw.address}`,
        `  tls: { ca: ${certs.ca}, cert: ${certs.clientCert}, key: ${certs.clientKey}, serverName: localhost }`, '',
      ].join('\n'));
      const r = await runOnce(ns, ['--config', file]);
      expect(r.code).toBe(0);
      expect(r.report.routes).toBeGreaterThan(0);
      expect(r.logs.filter((l) => l.level === 40 && /TLS/.test(String(l.msg)))).toEqual([]);
    } finally {
      await hw.stop();
    }
  });

  it('the agent without a client certificate never gets to write', async () => {
    const hw = await hwsimIn(ns, ['--listen', '127.0.0.1:0', '--ports', 'swp1', ...serverArgs(), '--tls-client-ca', certs.ca]);
    try {
      const agent = startAgent(ns, ['--driver', hw.address, '--tls-ca', certs.ca, '--tls-server-name', 'localhost']);
      await agent.waitLog('cannot connect to the driver; retrying with backoff');
      expect(agent.logs().some((l) => l.msg === 'connected to the driver')).toBe(false);
      await agent.stop();
    } finally {
      await hw.stop();
    }
  });

  it('/metrics over HTTPS with --metrics-tls-cert; with a client CA only for scrapers it signed; cleartext beyond loopback warned of', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrfsync-metrics-tls-'));
    const hw = await hwsimIn(ns, ['--listen', `unix:${join(dir, 'hw.sock')}`, '--ports', 'swp1']);
    try {
      const agent = startAgent(ns, ['--driver', hw.address, '--status-socket', join(dir, 'a.sock'), '--metrics', '127.0.0.1:0',
        '--metrics-tls-cert', certs.serverCert, '--metrics-tls-key', certs.serverKey, '--metrics-tls-client-ca', certs.ca]);
      const at = await agent.waitLog('metrics at /metrics');
      expect(at.https).toBe(true);
      const port = Number(/:(\d+)$/.exec(String(at.address))![1]);
      // A scrape from inside the namespace (where the agent's 127.0.0.1 is): the status code, or the error.
      const scrape = (how: 'https-trusted' | 'https-no-cert' | 'https-stranger' | 'http') => {
        const cert = how === 'https-trusted' ? [certs.clientCert, certs.clientKey] : how === 'https-stranger' ? [certs.strangerCert, certs.strangerKey] : null;
        const script = how === 'http'
          ? `require('node:http').get('http://127.0.0.1:${port}/metrics', (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => console.log(e.code ?? e.message));`
          : `const fs = require('node:fs');
             require('node:https').get({ host: '127.0.0.1', port: ${port}, path: '/metrics', servername: 'localhost', ca: fs.readFileSync(${JSON.stringify(certs.ca)})
               ${cert ? `, cert: fs.readFileSync(${JSON.stringify(cert[0])}), key: fs.readFileSync(${JSON.stringify(cert[1])})` : ''} },
               (r) => { let t = ''; r.on('data', (d) => (t += d)); r.on('end', () => console.log(r.statusCode, /vrfsync_in_sync/.test(t))); })
               .on('error', (e) => console.log(e.code ?? e.message));`;
        return spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
      };
      expect(scrape('https-trusted')).toBe('200 true');
      // Refused at the TLS handshake (no certificate, another CA's; a cleartext request): an error, never a status.
      for (const how of ['https-no-cert', 'https-stranger', 'http'] as const) expect(scrape(how), how).toMatch(/^E[A-Z0-9_]+$/);
      await agent.stop();

      // Cleartext on every address: served (Prometheus's default), with a warning; on loopback, none.
      const open = startAgent(ns, ['--driver', hw.address, '--status-socket', join(dir, 'b.sock'), '--metrics', '0.0.0.0:0']);
      expect((await open.waitLog('metrics at /metrics')).https).toBe(false);
      await open.waitLog('metrics served over plain HTTP beyond this host: give --metrics-tls-cert and --metrics-tls-key for HTTPS');
      await open.stop();
      const local = startAgent(ns, ['--driver', hw.address, '--status-socket', join(dir, 'c.sock'), '--metrics', '127.0.0.1:0', '--once']);
      await local.exited;
      expect(local.logs().filter((l) => /plain HTTP/.test(String(l.msg)))).toEqual([]);
      expect(local.logs().some((l) => l.msg === 'metrics at /metrics')).toBe(true);
    } finally {
      await hw.stop();
    }
  });

  it('--insecure must be said, and hwsim and the agent both log it as a warning', async () => {
    // Without TLS material and without --insecure, hwsim will not serve TCP.
    await expect(hwsimIn(ns, ['--listen', '127.0.0.1:0'])).rejects.toThrow(/TCP needs TLS/);
    // Nor with --insecure beside TLS options, which would look in force and not be.
    await expect(hwsimIn(ns, ['--listen', '127.0.0.1:0', '--insecure', ...serverArgs(), '--tls-client-ca', certs.ca])).rejects.toThrow(/--insecure turns TLS off/);
    const hw = await hwsimIn(ns, ['--listen', '127.0.0.1:0', '--ports', 'swp1', '--insecure']);
    try {
      // (Its log is on stderr, "listening on" on stdout: the warning may reach us a moment later.)
      await expect.poll(() => records(hw.output()).filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['serving without TLS (--insecure)']);
      const r = await runOnce(ns, ['--driver', hw.address, '--insecure']);
      expect(r.code).toBe(0);
      expect(r.logs.filter((l) => l.level === 40).map((l) => l.msg)).toContain('talking to the driver without TLS (--insecure)');
      // Without --insecure the agent speaks TLS to it, which a cleartext server cannot answer.
      const agent = startAgent(ns, ['--driver', hw.address]);
      await agent.waitLog('cannot connect to the driver; retrying with backoff');
      expect(agent.logs().some((l) => l.msg === 'connected to the driver')).toBe(false);
      await agent.stop();
    } finally {
      await hw.stop();
    }
  });
});
