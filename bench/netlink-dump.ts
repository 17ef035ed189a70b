// Full-table dump speed: iproute2's own dump, the raw `netlink` package's getRoutes(), our
// decoder (src/netlink) and the whole mirror (dump + route store), on the same table in one
// network namespace. Ratios are against iproute2 measured in the same run.
//
//   node bin/run-ts.js bench/netlink-dump.ts [--routes N]     (root: creates a namespace)
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' }, inner: { type: 'string' } } });
const ROUTES = Number(values.routes);
const repo = join(import.meta.dirname, '..');

async function inner(which: string) {
  // Modules load before the clock starts: only the dump is timed.
  const { createRtNetlink } = await import('netlink');
  const { NetlinkSubscription } = await import('../src/netlink/subscription.ts');
  const { KernelSession } = await import('../src/kernel/kernel-session.ts');
  const t0 = performance.now();
  let n = 0;
  if (which === 'netlink-package') {
    const sock = createRtNetlink();
    n = (await sock.getRoutes({ family: 2 })).length;
    sock.socket.close();
  } else if (which === 'decoder') {
    n = (await new NetlinkSubscription().dump('routes')).length;
  } else {
    const s = new KernelSession();
    await s.start();
    n = s.mirror.routes.size;
    s.close();
  }
  const ms = performance.now() - t0;
  if (global.gc) global.gc();
  process.stdout.write(JSON.stringify({ n, ms, rss: process.memoryUsage().rss }));
}

function outer() {
  const ns = `bench-dump-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const file = join(tmpdir(), `routes-${process.pid}.batch`);
    const lines = ['link add a0 type veth peer name a1', 'link set a0 up', 'link set a1 up', 'addr add 192.168.0.2/24 dev a0'];
    for (let i = 0; i < ROUTES; i++) {
      const a = 0x01000000 + i * 256;
      lines.push(`route add ${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24 via 192.168.0.1`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const tl = performance.now();
    execFileSync('ip', ['-n', ns, '-batch', file]);
    console.log(`loaded ${ROUTES.toLocaleString('en-US')} IPv4 routes into the kernel in ${((performance.now() - tl) / 1000).toFixed(1)} s`);

    const ti = performance.now();
    const ip = spawnSync('sh', ['-c', `ip -n ${ns} -4 route show table all > /dev/null`]);
    if (ip.status !== 0) throw new Error('ip route failed');
    const ipMs = performance.now() - ti;
    console.log(`iproute2 (ip -4 route show table all)  ${(ipMs / 1000).toFixed(2)} s  1.00x`);
    for (const which of ['netlink-package', 'decoder', 'mirror']) {
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--expose-gc', '--max-old-space-size=8192', join(repo, 'bin', 'run-ts.js'), join(repo, 'bench', 'netlink-dump.ts'), '--inner', which], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${which}: ${r.stderr}`);
      const res = JSON.parse(r.stdout) as { n: number; ms: number; rss: number };
      const label = { 'netlink-package': 'netlink package getRoutes()', decoder: 'src/netlink dump + decode', mirror: 'mirror (dump + route store)' }[which]!;
      console.log(`${label.padEnd(39)} ${(res.ms / 1000).toFixed(2)} s  ${(res.ms / ipMs).toFixed(2)}x  ${Math.round(res.n / (res.ms / 1000)).toLocaleString('en-US')} routes/s  RSS ${(res.rss / 2 ** 20).toFixed(0)} MiB (${Math.round(res.rss / res.n)} B/route)`);
    }
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(join(tmpdir(), `routes-${process.pid}.batch`), { force: true });
  }
}

if (values.inner) await inner(values.inner);
else outer();
