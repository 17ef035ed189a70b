// The conformance kit as a vendor runs it: `vrfsync conformance` as a child process against
// hwsim (itself a separate process), over a unix socket and over TLS; and the kit must notice a
// broken driver (exit 1) and an absent one (exit 2).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorClient } from '../src/driver/client.ts';
import { Code } from '../src/driver/wire.ts';
import { makeCerts } from './helpers/certs.ts';
import { startHwsim, tempSocket, type HwsimProcess } from './helpers/hwsim-process.ts';

const repo = resolve(import.meta.dirname, '..');

interface Report {
  passed: number;
  failed: number;
  cases: { name: string; ok: boolean; ms: number; error: string | null; note?: string }[];
}

function vrfsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [join(repo, 'bin', 'vrfsync.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((res) => proc.on('close', (code) => res({ code, stdout, stderr })));
}

/** Runs the suite with --json; fails the test with the whole output when it is not JSON. */
async function conformance(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await vrfsync(['conformance', '--json', ...args]);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`exit ${r.code}, stdout not JSON:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

const failures = (r: Report) => r.cases.filter((c) => !c.ok).map((c) => `${c.name}: ${c.error}`);

describe('vrfsync conformance against hwsim', () => {
  let sim: HwsimProcess;
  beforeAll(async () => {
    sim = await startHwsim();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('passes every case over a unix socket', async () => {
    const t0 = Date.now();
    const { code, report, stderr } = await conformance(['--driver', sim.address]);
    expect(failures(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.cases.length);
    expect(report.cases.length).toBeGreaterThan(50);
    for (const c of report.cases) expect(c).toMatchObject({ name: expect.any(String), ok: true, ms: expect.any(Number), error: null });
    expect(stderr).toMatch(/warning: .*deletes every VRF/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('prints a table and a summary line without --json, and --only selects cases', async () => {
    const r = await vrfsync(['conformance', '--driver', sim.address, '--only', 'capabilities/*,batch/empty']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /\s(PASS|FAIL)\s/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([
      'capabilities/identity-and-limits',
      'capabilities/ports',
      'capabilities/one-usage-per-table',
      'capabilities/usage-of-empty-tables',
      'capabilities/usage-tracks-writes',
      'batch/empty',
    ]);
    for (const row of rows) expect(row).toMatch(/ PASS +\d+(\.\d+)? m?s/);
    expect(r.stdout).toMatch(/^6 passed, 0 failed$/m);
  });
});

describe('vrfsync conformance over TLS', () => {
  it('passes every case against hwsim on TCP with TLS', async () => {
    const certs = makeCerts();
    const sim = await startHwsim(['--tls-cert', certs.serverCert, '--tls-key', certs.serverKey], '127.0.0.1:0');
    try {
      const { code, report } = await conformance(['--driver', sim.address, '--tls-ca', certs.ca, '--tls-server-name', 'localhost']);
      expect(failures(report)).toEqual([]);
      expect(code).toBe(0);
      expect(report.passed).toBe(report.cases.length);
    } finally {
      await sim.stop();
    }
  });
});

describe('vrfsync conformance detects a broken driver', () => {
  it('fails cases (exit 1) when every update fails with INTERNAL', async () => {
    const sim = await startHwsim();
    const simc = new SimulatorClient(sim.address);
    try {
      await simc.injectFault({ failUpdates: { count: 1_000_000, code: Code.INTERNAL } });
      const { code, report } = await conformance(['--driver', sim.address]);
      expect(code).toBe(1);
      expect(report.failed).toBeGreaterThan(0);
      expect(report.passed + report.failed).toBe(report.cases.length);
      // Reads and Capabilities still work, so those cases pass; writes name the bad code.
      expect(report.cases.find((c) => c.name === 'capabilities/ports')?.ok).toBe(true);
      const errs = report.cases.find((c) => c.name === 'errors/already-exists');
      expect(errs?.ok).toBe(false);
      expect(errs?.error).toMatch(/INTERNAL/);
    } finally {
      simc.close();
      await sim.stop();
    }
  });

  it('exits 2 when the driver is unreachable', async () => {
    const r = await vrfsync(['conformance', '--driver', `unix:${tempSocket('absent.sock')}`, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot reach the driver/);
  });

  it('exits 2 on a bad command line', async () => {
    const r = await vrfsync(['conformance', '--driver', 'not-an-address']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad address/);
  });
});
