// Full sync, as issue 5 measures it: a namespace on the host kernel with N distinct IPv4 routes
// plus N/5 IPv6 routes in the default VRF over 4 ports with resolved neighbours; hwsim in another
// process; `vrfsync run --once` from start to hwsim holding everything (it exits when the
// driver has acknowledged the last update). Reference in the same run: `ip -o route show table
// all > /dev/null`. Then churn: routes replaced as fast as `ip -batch` goes while a long-running
// agent follows; the lag from the agent receiving a change to hwsim acknowledging it, p50/p99,
// and a structural check at the end (zero divergence).
//
//   npm run bench:sync -- [--routes N] [--churn N] [--check]   (root: creates a namespace)
// Also: a warm restart (run --once again over unchanged state: writes 0), and with --check
// the time of `vrfsync check --json` over the table.
//   scripts/vrf-vm node bin/run-ts.js bench/sync.ts --vrfs 4 --routes 200000   (the VRF kernel)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startHwsim } from '../test/helpers/hwsim-process.ts';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: '1000000' }, churn: { type: 'string', default: '100000' }, vrfs: { type: 'string', default: '0' },
    check: { type: 'boolean', default: false },
  },
});
const ROUTES = Number(values.routes);
/** With --vrfs N (a VRF kernel: scripts/vrf-vm), the table spread over N VRFs, one port each. */
const VRFS = Number(values.vrfs);
const V6 = Math.floor(ROUTES / 5);
const CHURN = Number(values.churn);
const repo = join(import.meta.dirname, '..');
const ns = `bench-sync-${process.pid}`;

const ip4 = (i: number) => {
  const a = 0x20000000 + i * 256;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24`;
};
const ip6 = (i: number) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;

function batch(lines: string[]) {
  const file = join(tmpdir(), `sync-${process.pid}.batch`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    execFileSync('ip', ['-n', ns, '-batch', file]);
  } finally {
    rmSync(file, { force: true });
  }
}

function hwm(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main() {
  execFileSync('ip', ['netns', 'add', ns]);
  let hw: Awaited<ReturnType<typeof startHwsim>> | null = null;
  try {
    const lines = ['link set lo up'];
    for (let v = 0; v < VRFS; v++) lines.push(`link add vrf${v} type vrf table ${10 + v}`, `link set vrf${v} up`);
    for (let p = 1; p <= 4; p++) {
      lines.push(`link add swp${p} type veth peer name peer${p}`, ...(VRFS ? [`link set swp${p} master vrf${(p - 1) % VRFS}`] : []), `link set swp${p} up`, `link set peer${p} up`,
        `addr add 10.0.${p}.1/24 dev swp${p}`, `addr add 2001:db8:ff${p}::1/64 dev swp${p} nodad`,
        `neigh add 10.0.${p}.2 lladdr 02:aa:00:00:00:0${p} dev swp${p} nud permanent`,
        `neigh add 2001:db8:ff${p}::2 lladdr 02:aa:00:00:00:0${p} dev swp${p} nud permanent`);
    }
    // Route i goes out of port i % 4; with VRFs, in that port's VRF.
    const vrfOf = (i: number) => (VRFS ? ` vrf vrf${(i % 4) % VRFS}` : '');
    for (let i = 0; i < ROUTES; i++) lines.push(`route add ${ip4(i)} via 10.0.${(i % 4) + 1}.2${vrfOf(i)}`);
    for (let i = 0; i < V6; i++) lines.push(`route add ${ip6(i)} via 2001:db8:ff${(i % 4) + 1}::2${vrfOf(i)}`);
    const tl = performance.now();
    batch(lines);
    console.log(`loaded ${ROUTES.toLocaleString('en-US')} IPv4 + ${V6.toLocaleString('en-US')} IPv6 routes over 4 ports${VRFS ? ` in ${VRFS} VRFs` : ''} in ${((performance.now() - tl) / 1000).toFixed(1)} s`);

    const ti = performance.now();
    if (spawnSync('sh', ['-c', `ip -n ${ns} -o route show table all > /dev/null`]).status !== 0) throw new Error('ip route failed');
    const ipMs = performance.now() - ti;
    console.log(`${'iproute2 (ip -o route show table all)'.padEnd(44)} ${(ipMs / 1000).toFixed(2)} s  1.00x`);

    hw = await startHwsim(['--ports', 'swp1,swp2,swp3,swp4', '--capacity', `ipv4-routes=${ROUTES + 1000},ipv6-routes=${V6 + 1000}`, '--log-level', 'warn']);
    const t0 = performance.now();
    const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'run', '--once', '--driver', hw.address, '--log-level', 'info'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wall = performance.now() - t0;
    if (run.status !== 0) throw new Error(`vrfsync run --once failed (${run.status}):\n${run.stderr.slice(-3000)}`);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const converged = run.stderr.split('\n').filter((l) => l.includes('first sync converged')).map((l) => JSON.parse(l) as Record<string, number>)[0]!;
    const routes = report.routes!;
    console.log(`${'vrfsync run --once (start to hwsim holding all)'.padEnd(44)} ${(wall / 1000).toFixed(2)} s  ${(wall / ipMs).toFixed(2)}x  ${Math.round(routes / (wall / 1000)).toLocaleString('en-US')} routes/s end to end`);
    console.log(`  report ${JSON.stringify(report)}`);
    console.log(`  agent peak RSS ${mib(converged.maxRssKb! * 1024)}; hwsim peak RSS ${mib(hwm(hw.proc.pid!))}`);

    // Warm restart: the same agent again over unchanged state reads the driver back and writes nothing.
    const tw = performance.now();
    const again = spawnSync('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'run', '--once', '--driver', hw.address, '--log-level', 'warn'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (again.status !== 0) throw new Error(`the second vrfsync run --once failed (${again.status}):\n${again.stderr.slice(-3000)}`);
    const warm = JSON.parse(again.stdout.trim().split('\n').pop()!) as Record<string, number>;
    console.log(`${'warm restart (vrfsync run --once again)'.padEnd(44)} ${((performance.now() - tw) / 1000).toFixed(2)} s  ${warm.writes} writes, ${warm.routes} routes installed`);

    if (values.check) {
      // vrfsync check over the whole table: structural and forwarding (the kernel asked in batches).
      const tc = performance.now();
      const check = spawnSync('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'check', '--json', '--driver', hw.address], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const r = JSON.parse(check.stdout) as { consistent: boolean; checked: { entries: number; probes: number } };
      console.log(`${'vrfsync check --json'.padEnd(44)} ${((performance.now() - tc) / 1000).toFixed(2)} s  exit ${check.status}, consistent ${r.consistent}, ${r.checked.entries} entries, ${r.checked.probes} probes a side`);
    }

    if (CHURN > 0) await churn(hw.address);
  } finally {
    await hw?.stop();
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

/** A long-running agent follows route replacements issued as fast as ip -batch goes. */
async function churn(address: string) {
  const agent = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'run', '--driver', address, '--log-level', 'info', '--lag-report-ms', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  agent.stderr.on('data', (d) => (err += d));
  const waitFor = async (pred: () => boolean, what: string) => {
    const end = Date.now() + 120_000;
    while (!pred()) {
      if (Date.now() > end || agent.exitCode !== null) throw new Error(`${what}: ${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitFor(() => err.includes('first sync converged'), 'agent did not converge');
  const lines: string[] = [];
  // Another gateway for each route: the next port's (in the default VRF), or on its own port
  // (with VRFs: a gateway must be in the route's VRF).
  for (let i = 0; i < CHURN; i++) {
    lines.push(VRFS ? `route replace ${ip4(i)} via 10.0.${(i % 4) + 1}.3 vrf vrf${(i % 4) % VRFS}` : `route replace ${ip4(i)} via 10.0.${((i + 1) % 4) + 1}.2`);
  }
  const t0 = performance.now();
  batch(lines);
  const kernelMs = performance.now() - t0;
  console.log(`churn: ${CHURN.toLocaleString('en-US')} route replacements in ${(kernelMs / 1000).toFixed(2)} s (${Math.round(CHURN / (kernelMs / 1000)).toLocaleString('en-US')}/s, the kernel's rate through ip -batch)`);
  await waitFor(() => lagReports().some((r) => r.updates >= CHURN), 'churn not acknowledged');
  const last = lagReports().at(-1)!;
  console.log(`  lag from the agent receiving a change to hwsim acknowledging it: p50 ${last.p50} ms, p99 ${last.p99} ms, max ${last.max} ms over ${last.updates.toLocaleString('en-US')} updates`);
  const check = spawnSync('ip', ['netns', 'exec', ns, process.execPath, join(repo, 'bin', 'run-ts.js'), join(repo, 'test', 'helpers', 'hw-check.ts'), address], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (check.status !== 0) throw new Error(`the final hardware check failed (exit ${check.status ?? check.signal}): ${check.stderr.trim()}`);
  console.log(`  divergence at the end: ${JSON.parse(check.stdout).count} mismatches`);
  agent.kill('SIGTERM');

  function lagReports() {
    return err.split('\n').filter((l) => l.includes('"msg":"lag"')).map((l) => JSON.parse(l) as { p50: number; p99: number; max: number; updates: number });
  }
}

await main();
