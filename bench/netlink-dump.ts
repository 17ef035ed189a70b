// Full-table ingest, as issue 3 measures it: a namespace with N IPv4 routes over 4 tables
// (N/4 each, the same prefixes in every table) plus N/5 IPv6 routes. From one run it prints
// iproute2's own dump (`ip -o route show table all`, the reference), the floor (a minimal
// reader over the netlink package's RawNetlinkSocket that only walks the dump's messages), the
// package's getRoutes(), our decoder alone, and our whole ingest into the mirror.
//
//   node bin/run-ts.js bench/netlink-dump.ts [--routes N]     (root: creates a namespace)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' }, inner: { type: 'string' } } });
const ROUTES = Number(values.routes);
const repo = join(import.meta.dirname, '..');

async function inner(which: string) {
  // Modules load before the clock starts: only the dump is timed.
  const netlink = await import('netlink');
  const { NetlinkSubscription } = await import('../src/netlink/subscription.ts');
  const { KernelSession } = await import('../src/kernel/kernel-session.ts');
  const { dump } = await import('../src/netlink/dump.ts');
  const { RTM } = await import('../src/netlink/messages.ts');
  if (global.gc) global.gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let n = 0;
  if (which === 'floor') {
    for (const af of [2, 10]) {
      const req = Buffer.alloc(12);
      req[0] = af;
      await dump(RTM.GETROUTE, req, () => void n++);
    }
  } else if (which === 'netlink-package') {
    const sock = netlink.createRtNetlink();
    n = (await sock.getRoutes({ family: 2 })).length + (await sock.getRoutes({ family: 10 })).length;
    sock.socket.close();
  } else if (which === 'decoder') {
    const sub = new NetlinkSubscription();
    n = (await sub.dump('ipv4-routes')).length + (await sub.dump('ipv6-routes')).length;
  } else if (which === 'scan') {
    const sub = new NetlinkSubscription();
    for (const f of [4, 6] as const) await sub.dumpRoutes(f, { reset: () => undefined, add: () => void n++ });
  } else {
    const s = new KernelSession();
    await s.start();
    n = s.mirror.routes.size;
    s.close();
  }
  const ms = performance.now() - t0;
  if (global.gc) global.gc();
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  process.stdout.write(JSON.stringify({ n, ms, rss: process.memoryUsage().rss, rss0, hwm }));
}

function load(ns: string) {
  const file = join(tmpdir(), `routes-${process.pid}.batch`);
  const lines = ['link add a0 type veth peer name a1', 'link set a0 up', 'link set a1 up',
    'addr add 192.168.0.2/24 dev a0', 'addr add 2001:db8:ffff::2/64 dev a0 nodad'];
  const tables = [254, 100, 200, 300];
  for (let i = 0; i < ROUTES; i++) {
    const t = tables[i % 4]!;
    const a = 0x01000000 + Math.floor(i / 4) * 256;
    lines.push(`route add ${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24 via 192.168.0.1 table ${t}`);
  }
  for (let i = 0; i < Math.floor(ROUTES / 5); i++) {
    lines.push(`route add 2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64 via 2001:db8:ffff::1`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  try {
    execFileSync('ip', ['-n', ns, '-batch', file]);
  } finally {
    rmSync(file, { force: true });
  }
}

function outer() {
  const ns = `bench-dump-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const tl = performance.now();
    load(ns);
    console.log(`loaded ${ROUTES.toLocaleString('en-US')} IPv4 routes over 4 tables and ${Math.floor(ROUTES / 5).toLocaleString('en-US')} IPv6 routes in ${((performance.now() - tl) / 1000).toFixed(1)} s`);
    const ti = performance.now();
    // This iproute2 lists both families for "table all" without -4/-6.
    const ip = spawnSync('sh', ['-c', `ip -n ${ns} -o route show table all > /dev/null`]);
    if (ip.status !== 0) throw new Error('ip route failed');
    const ipMs = performance.now() - ti;
    console.log(`${'iproute2 (ip -o route show table all)'.padEnd(40)} ${(ipMs / 1000).toFixed(2)} s  1.00x`);
    const labels: Record<string, string> = {
      floor: 'floor (walk the dump, decode nothing)',
      'netlink-package': 'netlink package getRoutes()',
      decoder: 'src/netlink dump + decode to objects',
      scan: 'src/netlink dump + scan to records',
      mirror: 'ingest into the mirror',
    };
    for (const which of Object.keys(labels)) {
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--expose-gc', '--max-old-space-size=8192', join(repo, 'bin', 'run-ts.js'), join(repo, 'bench', 'netlink-dump.ts'), '--inner', which], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${which}: ${r.stderr}`);
      const res = JSON.parse(r.stdout) as { n: number; ms: number; rss: number; rss0: number; hwm: number };
      const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      console.log(`${labels[which]!.padEnd(40)} ${(res.ms / 1000).toFixed(2)} s  ${(res.ms / ipMs).toFixed(2)}x  ${Math.round(res.n / (res.ms / 1000)).toLocaleString('en-US')} routes/s`
        + `  RSS ${mib(res.rss)} (${Math.round(res.rss / res.n)} B/route; ${Math.round((res.rss - res.rss0) / res.n)} B/route over the ${mib(res.rss0)} before the dump), peak ${mib(res.hwm)}`);
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

if (values.inner) await inner(values.inner);
else outer();
