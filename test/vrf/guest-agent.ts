// Runs inside the VRF kernel (scripts/vrf-vm): hwsim and `vrfsync run` as separate processes
// over real Linux VRFs. After each step the hardware is compared with the kernel (structural
// check) and hwsim is asked where packets go. Prints "STEP <name>: ok" or "STEP <name>: <what
// differs>" per step, then "DONE".
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Action } from '../../src/driver/wire.ts';
import { formatIp, parseIp } from '../../src/driver/text.ts';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { structuralCheck } from '../../src/check/structural.ts';
import { DEFAULT_TRANSLATE_CONFIG, driverFacts } from '../../src/translate/inputs.ts';

const repo = join(import.meta.dirname, '..', '..');
const ip = (lines: string[]) => execFileSync('ip', ['-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });

const socket = join(mkdtempSync(join(tmpdir(), 'guest-agent-')), 'hwsim.sock');
const address = `unix:${socket}`;

function start(args: string[], ready: RegExp): Promise<{ kill(): void; output(): string }> {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (ready.test(out)) {
        clearInterval(t);
        resolve({ kill: () => p.kill('SIGTERM'), output: () => out });
      } else if (p.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`${args.join(' ')} exited:\n${out}`));
      }
    }, 50);
  });
}

ip([
  'link add red type vrf table 10', 'link add blue type vrf table 20', 'link set red up', 'link set blue up',
  ...[1, 2, 3, 4].flatMap((p) => [`link add swp${p} type veth peer name peer${p}`, `link set swp${p} up`, `link set peer${p} up`]),
  'link set swp1 master red', 'link set swp2 master blue',
  'addr add 192.168.1.1/24 dev swp1', 'addr add 192.168.2.1/24 dev swp2', 'addr add 192.168.3.1/24 dev swp3',
  'addr add 2001:db8:1::1/64 dev swp1 nodad',
  'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
  'neigh add 192.168.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
  'neigh add 192.168.3.2 lladdr 02:aa:00:00:00:03 dev swp3 nud permanent',
  'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
  // The same prefix in three VRFs, each with its own next hop.
  'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 10.1.0.0/16 via 192.168.2.2 vrf blue', 'route add 10.1.0.0/16 via 192.168.3.2',
  'route add 2001:db8:9::/48 via 2001:db8:1::2 vrf red',
  // Leaking: a route in red through a port of the default VRF.
  'route add 10.7.0.0/16 via 192.168.3.2 dev swp3 vrf red',
  'route add blackhole 10.99.0.0/16 vrf blue', 'route add unreachable default vrf blue metric 4278198272',
]);

const hwsim = await start([join(repo, 'bin', 'hwsim.js'), '--listen', address, '--ports', 'swp1,swp2,swp3,swp4'], /listening on/);
const agent = await start([join(repo, 'bin', 'vrfsync.js'), 'run', '--driver', address], /first sync converged/);
const client = new DriverClient(address);
const sim = new SimulatorClient(address);
const facts = driverFacts(await client.capabilities());

/** Structural check against a fresh mirror, polled until consistent (or 30 s). */
async function consistent(): Promise<string> {
  let last = '';
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const session = new KernelSession();
    await session.start();
    const r = structuralCheck(session.mirror, DEFAULT_TRANSLATE_CONFIG, facts, await client.readAll());
    session.close();
    if (r.mismatches.length === 0) return 'ok';
    last = `${r.mismatches.length} mismatches: ${JSON.stringify(r.mismatches.slice(0, 3))}`;
    await new Promise((res) => setTimeout(res, 200));
  }
  return last;
}

/** Where hwsim sends a packet: "trap", "drop" or "forward <next hop>". */
async function lookup(vrf: string, dst: string): Promise<string> {
  const r = await sim.lookup({ vrfName: vrf, destination: parseIp(dst) });
  return r.action === Action.ACTION_FORWARD ? `forward ${formatIp(r.nextHop)}` : r.action === Action.ACTION_DROP ? 'drop' : 'trap';
}

async function expectLookups(want: [string, string, string][]): Promise<string> {
  const bad: string[] = [];
  for (const [vrf, dst, expected] of want) {
    const got = await lookup(vrf, dst);
    if (got !== expected) bad.push(`${vrf} ${dst}: ${got}, expected ${expected}`);
  }
  return bad.length ? bad.join('; ') : 'ok';
}

const steps: [string, string[], [string, string, string][]][] = [
  ['initial sync of three VRFs with overlapping prefixes and a leak', [], [
    ['red', '10.1.2.3', 'forward 192.168.1.2'], ['blue', '10.1.2.3', 'forward 192.168.2.2'], ['default', '10.1.2.3', 'forward 192.168.3.2'],
    ['red', '10.7.0.1', 'forward 192.168.3.2'], ['blue', '10.99.1.1', 'drop'], ['blue', '172.16.0.1', 'trap'], ['red', '172.16.0.1', 'trap'],
  ]],
  ['moving a port with its neighbours and routes to another VRF', [
    // Enslaving cycles the port: its neighbours go (permanent ones too) and must come back.
    'link set swp1 master blue', 'neigh replace 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'route add 10.5.0.0/16 via 192.168.1.2 vrf blue',
  ], [['blue', '10.5.0.1', 'forward 192.168.1.2'], ['red', '10.1.2.3', 'trap']]],
  ['a neighbour failing: its routes trap, then forward again when it resolves', [
    'neigh del 192.168.1.2 dev swp1',
  ], [['blue', '10.5.0.1', 'trap']]],
  ['and resolving again', ['neigh replace 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud reachable'], [['blue', '10.5.0.1', 'forward 192.168.1.2']]],
  ['deleting a VRF with routes in its table', ['link del red'], [['default', '10.1.2.3', 'forward 192.168.3.2']]],
  ['recreating it with another table', [
    'link add red type vrf table 30', 'link set red up', 'link set swp4 master red', 'addr add 192.168.4.1/24 dev swp4',
    'neigh add 192.168.4.2 lladdr 02:aa:00:00:00:04 dev swp4 nud permanent', 'route add 10.1.0.0/16 via 192.168.4.2 vrf red',
  ], [['red', '10.1.2.3', 'forward 192.168.4.2']]],
  ['100 VRFs created', Array.from({ length: 100 }, (_, i) => `link add v${i} type vrf table ${1000 + i}`), []],
  ['100 VRFs deleted', Array.from({ length: 100 }, (_, i) => `link del v${i}`), []],
];

for (const [name, lines, lookups] of steps) {
  if (lines.length) ip(lines);
  const c = await consistent();
  const l = c === 'ok' ? await expectLookups(lookups) : 'skipped';
  process.stdout.write(`STEP ${name}: ${c === 'ok' && l === 'ok' ? 'ok' : `${c}; lookups: ${l}`}\n`);
}
client.close();
sim.close();
agent.kill();
hwsim.kill();
process.stdout.write('DONE\n');
process.exit(0);
