// A unix socket path given on the command line replaces only a stale socket: a file that is not
// a socket (a mistyped --status-socket /etc/...) is never deleted, and a socket another process
// serves on is never taken from it.
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverClient } from '../../src/driver/client.ts';
import { ensureSocketDir } from '../../src/status/status-socket.ts';
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
        ['not serving the status API at this path', `${file} exists and is not a socket: not replacing it`],
      ]);
      expect(readFileSync(file, 'utf8')).toBe('do not delete\n');
    } finally {
      await hw.stop();
    }
  });

  it("refuses a status socket folder another user could swap the socket in", async () => {
    const folder = (mode: number, uid = 0) => {
      const d = dir();
      chmodSync(d, mode);
      chownSync(d, uid, uid);
      return d;
    };
    // Made here: 0700. Ours (root's) or sticky: fine.
    const fresh = join(dir(), 'run', 'vrfsync');
    ensureSocketDir(join(fresh, 'agent.sock'));
    expect((statSync(fresh).mode & 0o7777).toString(8)).toBe('700');
    for (const mode of [0o700, 0o755, 0o1777]) expect(() => ensureSocketDir(join(folder(mode), 'agent.sock'))).not.toThrow();
    // Another user's folder (a /tmp/vrfsync-UID made first by someone else), or writable by all without the sticky bit.
    expect(() => ensureSocketDir(join(folder(0o700, 65534), 'agent.sock'))).toThrow(/belongs to uid 65534/);
    expect(() => ensureSocketDir(join(folder(0o777), 'agent.sock'))).toThrow(/writable by others \(mode 777\)/);
    expect(() => ensureSocketDir(join(folder(0o770), 'agent.sock'))).toThrow(/writable by others/);
    // The agent says so and runs on without its status API.
    const hw = await startHwsim(['--ports', 'swp1']);
    try {
      const socket = join(folder(0o755, 65534), 'agent.sock');
      const r = await runOnce(ns, ['--driver', hw.address, '--status-socket', socket]);
      expect(r.code).toBe(0);
      expect(r.logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['not serving the status API at this path']);
      expect(existsSync(socket)).toBe(false);
    } finally {
      await hw.stop();
    }
  });
});
