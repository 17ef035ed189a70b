import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEmbeddedHwsim, EmbeddedHwsimError } from '../../src/agent/embedded-hwsim.ts';
import { DriverClient } from '../../src/driver/client.ts';
import { Table } from '../../src/driver/wire.ts';

const repo = resolve(import.meta.dirname, '..', '..');

/** Gone, or a zombie nobody has reaped yet (it no longer runs either way). */
function ended(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits for `pid` to end; the test's own timeout bounds it. */
async function waitEnded(pid: number): Promise<void> {
  while (!ended(pid)) await new Promise((r) => setTimeout(r, 20));
}

const socketPath = (address: string) => address.slice('unix:'.length);

describe('embedded hwsim', () => {
  it('serves the contract on a private socket and stops cleanly', async () => {
    const lines: string[] = [];
    const hwsim = await startEmbeddedHwsim({ ports: 'swp1,swp2', log: { write: (s: string) => lines.push(s) } });
    const sock = socketPath(hwsim.address);
    const dir = dirname(sock);
    try {
      expect(hwsim.address).toMatch(/^unix:\//);
      expect(statSync(sock).isSocket()).toBe(true);
      expect(statSync(sock).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(ended(hwsim.pid)).toBe(false);

      const client = new DriverClient(hwsim.address);
      try {
        const caps = await client.capabilities(10_000);
        expect(caps.ports.map((p) => p.name)).toEqual(['swp1', 'swp2']);
      } finally {
        client.close();
      }
    } finally {
      await hwsim.stop();
    }
    expect(await hwsim.exited).toEqual({ code: 0, signal: null });
    expect(ended(hwsim.pid)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    // hwsim's log once serving goes to `log`, in whole lines.
    expect(lines.join('')).toMatch(/"msg":"shutting down"/);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    await hwsim.stop(); // a second stop is harmless
  });

  it('passes capacity and extra arguments through', async () => {
    const hwsim = await startEmbeddedHwsim({ ports: 'swp1', capacity: 'vrfs=16', extraArgs: ['--max-members-per-group', '8'], logLevel: 'warn', log: null });
    const client = new DriverClient(hwsim.address);
    try {
      const caps = await client.capabilities(10_000);
      expect(caps.ecmp?.maxMembersPerGroup).toBe(8);
      expect(Number(caps.tables.find((t) => t.table === Table.TABLE_VRFS)?.capacity)).toBe(16);
    } finally {
      client.close();
      await hwsim.stop();
    }
  });

  it('fails with what hwsim said when it exits before serving', async () => {
    const err = await startEmbeddedHwsim({ ports: 'swp1', capacity: 'bogus=1', log: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedHwsimError);
    expect((err as EmbeddedHwsimError).code).toBe('VRFSYNC_EMBEDDED_HWSIM');
    expect((err as Error).message).toMatch(/^hwsim exited \(code 2\) before serving; its output:\n.*bad capacity "bogus=1"/s);
  });

  it.each(['exit', 'throw'])('does not outlive an agent that leaves without stop() (%s)', async (how) => {
    const run = promisify(execFile);
    const result = await run(process.execPath, [join(repo, 'bin', 'run-ts.js'), join(import.meta.dirname, 'embedded-hwsim-leaver.ts'), how]).catch(
      (e: { stdout: string; code: number }) => e,
    );
    if (how === 'throw') expect(result).toMatchObject({ code: 1 });
    const { pid, address } = JSON.parse(result.stdout.trim()) as { pid: number; address: string };
    await waitEnded(pid);
    expect(existsSync(dirname(socketPath(address)))).toBe(false);
  });
});
