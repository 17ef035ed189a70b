// hwsim served as users run it: a separate process on a unix socket or on TLS TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Code, OperStatus, Table, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';

const repo = join(import.meta.dirname, '..', '..');
const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);

function health(address: string, service: string): Promise<string> {
  const Client = grpc.makeGenericClientConstructor(healthService, 'Health');
  const c = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    check(req: { service: string }, cb: (err: Error | null, res?: { status: string }) => void): void; close(): void;
  };
  return new Promise((resolve, reject) => c.check({ service }, (err, res) => {
    c.close();
    if (err) reject(err);
    else resolve(String(res!.status));
  }));
}

async function primary(client: DriverClient, id: number) {
  const stream = client.openStream();
  const r = await stream.arbitrate(id, 'test');
  expect(r.code ?? 0).toBe(Code.OK);
  return stream;
}

describe('hwsim over a unix socket', () => {
  let hw: HwsimProcess;
  let client: DriverClient;
  beforeAll(async () => {
    hw = await startHwsim(['--capacity', 'vrfs=20', '--max-updates-per-write', '100']);
    client = new DriverClient(hw.address);
  });
  afterAll(async () => {
    client?.close();
    await hw?.stop();
  });

  it('creates its socket 0600 and reports SERVING on grpc.health.v1', async () => {
    expect(statSync(hw.address.slice(5)).mode & 0o777).toBe(0o600);
    expect(await health(hw.address, '')).toBe('SERVING');
    expect(await health(hw.address, 'vrfsync.driver.v1.Driver')).toBe('SERVING');
  });

  it('refuses writes from a backup and oversized batches with a whole-call error', async () => {
    const p = await primary(client, 10);
    const backup = client.openStream();
    expect((await backup.arbitrate(3)).code).toBe(Code.ALREADY_EXISTS);
    const vrf: v1.IUpdate = { type: UpdateType.INSERT, entity: { vrf: { id: 1, name: 'red' } } };
    await expect(client.write({ electionId: 3, updates: [vrf] })).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const many = Array.from({ length: 101 }, (_, i) => ({ type: UpdateType.INSERT, entity: { vrf: { id: 100 + i, name: `v${i}` } } }));
    await expect(client.write({ electionId: 10, updates: many })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(await client.readAll()).toEqual([]);
    backup.close();
    p.close();
  });

  it('survives garbage bytes on its socket and keeps serving', async () => {
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(4096, 0xff), Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00')]) {
      const s = connect(hw.address.slice(5));
      await once(s, 'connect');
      s.end(junk);
      await Promise.race([once(s, 'close'), new Promise((r) => setTimeout(r, 500))]);
      s.destroy();
    }
    const caps = await client.capabilities();
    expect(caps.ports.length).toBe(32);
  });

  it('streams port, table usage and reset events to every client', async () => {
    const p = await primary(client, 20);
    const events: string[] = [];
    p.on('port', (e: v1.IPortEvent) => events.push(`port ${e.name} ${OperStatus[e.operStatus ?? 0]}`));
    p.on('tableUsage', (e: v1.ITableUsageEvent) => events.push(`usage ${Table[e.usage!.table ?? 0]} ${e.usage!.used}`));
    p.on('reset', () => events.push('reset'));
    const sim = new SimulatorClient(hw.address);
    await sim.setPortState({ portId: 2, operStatus: OperStatus.OPER_STATUS_DOWN });
    // 3 more VRFs bring the 20-entry table from 1 (the default) to 4: it crosses 10%.
    const ups = [1, 2, 3].map((i) => ({ type: UpdateType.INSERT, entity: { vrf: { id: i, name: `v${i}` } } }));
    expect((await client.write({ electionId: 20, updates: ups })).statuses.map((s) => s.code ?? 0)).toEqual([0, 0, 0]);
    const epoch = (await sim.reset('test')).bootEpoch;
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual(['port swp2 OPER_STATUS_DOWN', 'usage TABLE_VRFS 4', 'reset']);
    expect((await client.capabilities()).bootEpoch).toBe(epoch);
    expect(await client.readAll()).toEqual([]);
    sim.close();
    p.close();
  });

  it('answers hwsim lookup with the documented JSON', async () => {
    const p = await primary(client, 30);
    const ups: v1.IUpdate[] = [
      { vrf: { id: 1, name: 'blue' } },
      { routerInterface: { id: 1, vrfId: 1, portId: 1, mac: MAC, mtu: 1500, adminUp: true } },
      { nextHop: { id: 1, rifId: 1, ip: { ipv4: 0x0a010002 } } },
      { neighbor: { rifId: 1, ip: { ipv4: 0x0a010002 }, mac: Buffer.from([2, 0, 0, 0, 0, 0x22]) } },
      { route: { vrfId: 1, prefix: { ipv4: 0xc6336400, length: 24 }, action: 1, nextHopId: 1 } },
    ].map((entity) => ({ type: UpdateType.INSERT, entity }));
    expect((await client.write({ electionId: 30, updates: ups })).statuses.every((s) => (s.code ?? 0) === 0)).toBe(true);
    const run = (args: string[]) => new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, [join(repo, 'bin', 'hwsim.js'), 'lookup', '--driver', hw.address, ...args], (err, out) =>
        resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out })));
    const fwd = await run(['--vrf', 'blue', '198.51.100.7', '--json']);
    expect(fwd.code).toBe(0);
    expect(JSON.parse(fwd.out)).toMatchObject({ action: 'forward', prefix: '198.51.100.0/24', interface: 'swp1', nexthop: '10.1.0.2', mac: '02:00:00:00:00:22' });
    expect(JSON.parse((await run(['--vrf', 'blue', '203.0.113.1', '--json'])).out)).toMatchObject({ action: 'trap', reason: 'no route' });
    expect((await run(['--vrf', 'nope', '203.0.113.1'])).code).toBe(2);
    p.close();
  });
});

describe('hwsim over TCP', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeCerts();
  });

  it('refuses to serve TCP without TLS unless told --insecure', async () => {
    await expect(startHwsim([], '127.0.0.1:0', 15_000)).rejects.toThrow(/exited with 2[\s\S]*TLS/);
    const hw = await startHwsim(['--insecure'], '127.0.0.1:0');
    try {
      // The warning is on stderr, "listening on" on stdout: it may reach us a moment later.
      await expect.poll(() => hw.output()).toMatch(/serving without TLS/);
      const c = new DriverClient(hw.address, { tls: { insecure: true } });
      expect((await c.capabilities()).apiVersion).toBe('1.0');
      c.close();
    } finally {
      await hw.stop();
    }
  });

  it('serves TLS, and with --require-client-cert only clients the CA signed', async () => {
    const hw = await startHwsim(['--tls-cert', certs.serverCert, '--tls-key', certs.serverKey, '--tls-ca', certs.ca, '--require-client-cert'], '127.0.0.1:0');
    try {
      const attempt = async (tls: ConstructorParameters<typeof DriverClient>[1]) => {
        const c = new DriverClient(hw.address, tls);
        try {
          await c.capabilities(3000);
          return 'ok';
        } catch (err) {
          return `refused ${grpc.status[(err as { code: number }).code]}`;
        } finally {
          c.close();
        }
      };
      expect(await attempt({ tls: { insecure: true } })).toMatch(/refused/);
      expect(await attempt({ tls: { ca: certs.ca, serverName: 'localhost' } })).toMatch(/refused/);
      expect(await attempt({ tls: { ca: certs.ca, serverName: 'localhost', cert: certs.strangerCert, key: certs.strangerKey } })).toMatch(/refused/);
      expect(await attempt({ tls: { ca: certs.ca, serverName: 'localhost', cert: certs.clientCert, key: certs.clientKey } })).toBe('ok');
    } finally {
      await hw.stop();
    }
  });

  it('exits 2 with one clear line on a bad configuration', async () => {
    await expect(startHwsim(['--capacity', 'ipv4-routes=lots'], `unix:${tempSocket()}`, 15_000)).rejects.toThrow(/exited with 2[\s\S]*bad capacity/);
  });
});
