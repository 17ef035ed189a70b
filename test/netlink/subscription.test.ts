// The event socket and dumps against the real kernel in a namespace: events arrive typed and in
// order, and a flood into a tiny receive buffer is reported as an overrun, never silently lost.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import type { KernelChange } from '../../src/netlink/changes.ts';

const repo = join(import.meta.dirname, '..', '..');

class Watcher {
  lines: string[] = [];
  private buf = '';
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      this.lines.push(...parts);
    });
  }
  async until(pred: (lines: string[]) => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.lines)) {
      if (Date.now() > end) throw new Error(`timed out; got:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  changes(): KernelChange[] {
    return this.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }
  async stop(): Promise<string> {
    this.proc.stdin!.end();
    await this.until((l) => l.some((x) => x.startsWith('stats ')));
    return this.lines.find((x) => x.startsWith('stats '))!.slice(6);
  }
}

const running = new Set<ChildProcess>();

function watch(ns: Netns, rcvbuf?: number): Watcher {
  const args = ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'run-ts.js'), join(repo, 'test', 'helpers', 'watch-kernel.ts')];
  if (rcvbuf) args.push(String(rcvbuf));
  const proc = spawn('ip', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  return new Watcher(proc);
}

describe('netlink subscription', () => {
  let ns: Netns | undefined;
  afterEach(() => {
    for (const p of running) p.kill('SIGKILL');
    ns?.destroy();
  });

  it('dumps, then streams typed changes in kernel order', async () => {
    ns = Netns.create('sub');
    ns.batch(['link add a0 type veth peer name a1', 'link set a0 up', 'link set a1 up', 'addr add 192.168.0.2/24 dev a0']);
    const w = watch(ns);
    await w.until((l) => l.some((x) => x.startsWith('ready ')));
    expect(Number(w.lines.find((x) => x.startsWith('ready '))!.split(' ')[1])).toBeGreaterThan(5);
    ns.batch([
      'route add 10.1.0.0/16 via 192.168.0.1 table 100',
      'route replace 10.1.0.0/16 via 192.168.0.3 table 100',
      'neigh add 192.168.0.1 lladdr 02:00:00:00:00:01 dev a0',
      'nexthop add id 5 via 192.168.0.1 dev a0',
      'rule add pref 500 table 100',
      'route del 10.1.0.0/16 table 100',
    ]);
    await w.until(() => w.changes().some((c) => c.kind === 'route' && c.op === 'del'));
    const seen = w.changes().filter((c) => c.kind !== 'link' && c.kind !== 'address');
    const summary = seen.map((c) => `${c.kind}:${c.op}`);
    expect(summary).toEqual(['route:new', 'route:new', 'neighbor:new', 'nexthop:new', 'rule:new', 'route:del']);
    const [add, replace] = seen as Extract<KernelChange, { kind: 'route' }>[];
    expect(add!.route).toMatchObject({ table: 100, dst: '10.1.0.0', dstLen: 16 });
    expect(replace!.replace).toBe(true);
    expect(replace!.route.nexthops[0]!.gateway).toBe('192.168.0.3');
    expect(seen[4]).toMatchObject({ rule: { priority: 500, table: 100 } });
    expect(JSON.parse(await w.stop()).malformed).toBe(0);
  });

  it('reports an overrun when a flood overflows a tiny receive buffer', async () => {
    ns = Netns.create('ovr');
    ns.batch(['link add a0 type veth peer name a1', 'link set a0 up', 'addr add 192.168.0.2/24 dev a0']);
    const w = watch(ns, 4096);
    await w.until((l) => l.some((x) => x.startsWith('ready ')));
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`route add 10.${(i >> 8) & 255}.${i & 255}.0/24 via 192.168.0.1`);
    ns.batch(lines);
    await w.until((l) => l.includes('overrun'));
    // The subscription keeps working after the overrun (on a new socket if the old one died).
    ns.ip('route add 172.16.0.0/16 via 192.168.0.1');
    await w.until(() => w.changes().some((c) => c.kind === 'route' && c.route.dst === '172.16.0.0'));
    expect(JSON.parse(await w.stop()).overruns).toBeGreaterThan(0);
  });
});
