// A unix socket path given on the command line replaces only a stale socket: a file that is not
// a socket (a mistyped --status-socket /etc/...) is never deleted, and a socket another process
// serves on is never taken from it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverClient } from '../../src/driver/client.ts';
import { Netns } from '../helpers/netns.ts';
import { startHwsim } from '../helpers/hwsim-process.ts';
import { killAgents, runOnce } from '../helpers/agent-process.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'vrfsync-paths-'));

describe('socket paths', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('paths');
    ns.batch(['link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1']);
  });
  afterAll(() => {
    killAgents();
    ns?.destroy();
  });

  it('hwsim refuses a path that is a file, leaving the file as it was', async () => {
    const file = join(dir(), 'precious.conf');
    writeFileSync(file, 'do not delete\n');
    await expect(startHwsim([], `unix:${file}`, 15_000)).rejects.toThrow(/exited with 2[\s\S]*exists and is not a socket/);
    expect(readFileSync(file, 'utf8')).toBe('do not delete\n');
  });

  it("hwsim refuses a live hwsim's socket, which keeps serving, and replaces a dead one's", async () => {
    const path = join(dir(), 'hwsim.sock');
    const first = await startHwsim([], `unix:${path}`);
    await expect(startHwsim([], `unix:${path}`, 15_000)).rejects.toThrow(/exited with 2[\s\S]*another process serves on/);
    const c = new DriverClient(first.address);
    expect((await c.capabilities(5000)).ports.length).toBe(32);
    c.close();
    await first.stop('SIGKILL'); // leaves its socket file behind
    const second = await startHwsim([], `unix:${path}`);
    const c2 = new DriverClient(second.address);
    expect((await c2.capabilities(5000)).ports.length).toBe(32);
    c2.close();
    await second.stop();
  });

  it('the agent leaves a --status-socket that is a file alone, says so, and syncs without its status API', async () => {
    const file = join(dir(), 'precious.conf');
    writeFileSync(file, 'do not delete\n');
    const hw = await startHwsim(['--ports', 'swp1']);
    try {
      const r = await runOnce(ns, ['--driver', hw.address, '--status-socket', file]);
      expect(r.code).toBe(0);
      expect(r.logs.filter((l) => l.level === 50).map((l) => [l.msg, l.reason])).toEqual([
        ['not serving the status API: its socket path is taken', `${file} exists and is not a socket: not replacing it`],
      ]);
      expect(readFileSync(file, 'utf8')).toBe('do not delete\n');
    } finally {
      await hw.stop();
    }
  });
});
