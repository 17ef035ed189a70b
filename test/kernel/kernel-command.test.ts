// `vrfsync kernel --json` in a namespace: the documented shape, and route counts per table
// equal to what `ip route show table all` lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Netns } from '../helpers/netns.ts';

const repo = join(import.meta.dirname, '..', '..');

describe('vrfsync kernel --json', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('kcmd');
    ns.batch([
      'link add a0 type veth peer name a1', 'link set a0 up', 'link set a1 up',
      'addr add 192.168.0.2/24 dev a0', 'addr add 2001:db8:a::2/64 dev a0 nodad',
      'neigh add 192.168.0.1 lladdr 02:00:00:00:00:01 dev a0',
      'nexthop add id 1 via 192.168.0.1 dev a0',
      'route add 10.1.0.0/16 via 192.168.0.1 table 100', 'route add 10.2.0.0/16 via 192.168.0.1 table 100 tos 0x10',
      'route add 10.3.0.0/16 via 192.168.0.1 table 70000', 'route append 10.3.0.0/16 via 192.168.0.5 table 70000',
      'route add 2001:db8:1::/48 via 2001:db8:a::1 table 100',
      'route add 10.4.0.0/16 nhid 1',
    ]);
  });
  afterAll(() => ns?.destroy());

  it('prints the mirror with counts per table that match iproute2', () => {
    const out = JSON.parse(ns.exec(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'kernel', '--json']));
    expect(out).toMatchObject({ vrfs: [], links: 3, neighbors: 1, nexthops: 1 });
    const count = (fam: string) => {
      const counts: Record<string, number> = {};
      for (const r of JSON.parse(ns.ip(`-j ${fam} route show table all`)) as { table?: string }[]) {
        const t = r.table === undefined || r.table === 'main' ? '254' : r.table === 'local' ? '255' : r.table;
        counts[t] = (counts[t] ?? 0) + 1;
      }
      return counts;
    };
    const v4 = count('-4');
    const v6 = count('-6');
    for (const t of new Set([...Object.keys(v4), ...Object.keys(v6)])) {
      expect(out.routes[t], `table ${t}`).toEqual({ ipv4: v4[t] ?? 0, ipv6: v6[t] ?? 0 });
    }
    expect(Object.keys(out.routes).sort()).toEqual([...new Set([...Object.keys(v4), ...Object.keys(v6)])].sort());
  });

  it('exits cleanly right after its dumps, run after run', () => {
    // The dump threads are terminated as the process ends. A dump thread that posted a dump's end
    // from inside a callback of the netlink binding could be terminated before the callback
    // returned, and the binding then aborted the process (about one run in ten did).
    for (let i = 0; i < 20; i++) {
      const r = spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'kernel', '--json'], { encoding: 'utf8' });
      expect({ run: i, status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ run: i, status: 0, signal: null, stderr: '' });
    }
  });
});
