// Runs inside the VRF kernel (scripts/vrf-vm): the check of `vrfsync check` (runCheck, in this
// process: a process start costs seconds under emulation) over real Linux VRFs, where the
// kernel's lookups go through RTA_OIF = the VRF device. hwsim and `vrfsync run --once` run as
// separate processes. Prints "CHECK <name> <JSON report>" per check, then "DONE".
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverClient } from '../../src/driver/client.ts';
import { UpdateType } from '../../src/driver/wire.ts';
import { formatPrefix } from '../../src/driver/text.ts';
import { runCheck } from '../../src/check/check.ts';
import { DEFAULT_TRANSLATE_CONFIG } from '../../src/translate/inputs.ts';

const repo = join(import.meta.dirname, '..', '..');
const ip = (lines: string[]) => execFileSync('ip', ['-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
const address = `unix:${join(mkdtempSync(join(tmpdir(), 'guest-check-')), 'hwsim.sock')}`;

ip([
  'link add red type vrf table 10', 'link add blue type vrf table 20', 'link set red up', 'link set blue up',
  ...[1, 2, 3].flatMap((p) => [`link add swp${p} type veth peer name peer${p}`, `link set swp${p} up`, `link set peer${p} up`]),
  'link set swp1 master red', 'link set swp2 master blue',
  'addr add 192.168.1.1/24 dev swp1', 'addr add 192.168.2.1/24 dev swp2', 'addr add 192.168.3.1/24 dev swp3',
  'addr add 2001:db8:1::1/64 dev swp1 nodad',
  'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
  'neigh add 192.168.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
  'neigh add 192.168.3.2 lladdr 02:aa:00:00:00:03 dev swp3 nud permanent',
  'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
  // The same prefix in three VRFs, each through its own next hop; a leak from red; reject routes.
  'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 10.1.0.0/16 via 192.168.2.2 vrf blue', 'route add 10.1.0.0/16 via 192.168.3.2',
  'route add 10.2.0.0/16 via 192.168.1.2 vrf red',
  'route add 2001:db8:9::/48 via 2001:db8:1::2 vrf red',
  'route add 10.7.0.0/16 via 192.168.3.2 dev swp3 vrf red',
  // Red's default leaks to swp3: what red's routes fall back to when one goes missing.
  'route add default via 192.168.3.2 dev swp3 vrf red',
  'route add blackhole 10.99.0.0/16 vrf blue', 'route add unreachable 10.98.0.0/16 vrf blue',
  'route add unreachable default vrf blue metric 4278198272',
]);

const hwsim = spawn(process.execPath, [join(repo, 'bin', 'hwsim.js'), '--listen', address, '--ports', 'swp1,swp2,swp3'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => hwsim.stdout.on('data', (d: Buffer) => /listening on/.test(String(d)) && resolve()));
execFileSync(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'run', '--once', '--driver', address], { stdio: ['ignore', 'ignore', 'ignore'] });

async function check(name: string, vrf?: string) {
  const r = await runCheck({ address, translate: DEFAULT_TRANSLATE_CONFIG, vrf, probes: 200, seed: 1 });
  process.stdout.write(`CHECK ${name} ${JSON.stringify(r)}\n`);
}

await check('clean');

// Red's 10.2.0.0/16 deleted behind the agent's back: red's default route leaks it to swp3.
const client = new DriverClient(address);
const stream = client.openStream();
await stream.arbitrate(100, 'breaker');
const red = (await client.readAll()).find((e) => e.vrf?.name === 'red')!.vrf!;
const route = (await client.readAll()).find((e) => e.route && e.route.vrfId === red.id && formatPrefix(e.route.prefix) === '10.2.0.0/16')!.route!;
await client.write({ electionId: 100, updates: [{ type: UpdateType.DELETE, entity: { route } }] });
stream.close();
client.close();

await check('deleted');
await check('deleted-red', 'red');
await check('deleted-blue', 'blue');

hwsim.kill('SIGTERM');
process.stdout.write('DONE\n');
process.exit(0);
