// The event socket and dumps against the real kernel in a namespace: events arrive typed and in
// order, and a flood into a tiny receive buffer is reported as an overrun, never silently lost.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Netns } from '../helpers/netns.ts';
import { NsChild } from '../helpers/ns-child.ts';
import type { KernelChange } from '../../src/netlink/changes.ts';

class Watcher {
  constructor(readonly child: NsChild) {}
  get lines() {
    return this.child.lines;
  }
  until(pred: (lines: string[]) => boolean, ms?: number): Promise<void> {
    return this.child.until(pred, ms);
  }
  changes(): KernelChange[] {
    return this.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }
  async stop(): Promise<string> {
    this.child.end();
    await this.until((l) => l.some((x) => x.startsWith('stats ')));
    return this.lines.find((x) => x.startsWith('stats '))!.slice(6);
  }
}

function watch(ns: Netns, rcvbuf?: number): Watcher {
  return new Watcher(NsChild.start(ns, 'watch-kernel.ts', rcvbuf ? [String(rcvbuf)] : []));
}

describe('netlink subscription', () => {
  let ns: Netns | undefined;
  afterEach(() => {
    NsChild.killAll();
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

  it('forces its receive buffer past net.core.rmem_max, which a namespace cannot raise', async () => {
    // Capped at rmem_max, the event socket overran under churn and every overrun cost a re-dump
    // of the whole table (a churn bench's lag went from 6 ms to 160 ms).
    const cap = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const want = Math.max(32 * 2 ** 20, cap * 4);
    ns = Netns.create('rcvbuf');
    const w = watch(ns, want);
    await w.until((l) => l.some((x) => x.startsWith('ready ')));
    expect(Number(w.lines.find((x) => x.startsWith('ready '))!.split(' ')[2])).toBeGreaterThanOrEqual(want);
    expect(JSON.parse(await w.stop()).recvBufferSize).toBeGreaterThanOrEqual(want);
  });

  it('reports an overrun when a flood overflows a tiny receive buffer', async () => {
    ns = Netns.create('ovr');
    ns.batch(['link add a0 type veth peer name a1', 'link set a0 up', 'addr add 192.168.0.2/24 dev a0']);
    const w = watch(ns, 4096);
    await w.until((l) => l.some((x) => x.startsWith('ready ')));
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`route add 10.${(i >> 8) & 255}.${i & 255}.0/24 via 192.168.0.1`);
    ns.batch(lines);
    // Generous waits: on a loaded machine the watcher can take long to catch up with 20,000 routes.
    await w.until((l) => l.includes('overrun'), 120_000);
    // The subscription keeps working after the overrun (on a new socket if the old one died).
    ns.ip('route add 172.16.0.0/16 via 192.168.0.1');
    await w.until(() => w.changes().some((c) => c.kind === 'route' && c.route.dst === '172.16.0.0'), 120_000);
    expect(JSON.parse(await w.stop()).overruns).toBeGreaterThan(0);
  }, 300_000);
});
