// Runs inside the VRF kernel (scripts/vrf-kernel/run.sh): VRF lifecycle steps, each followed by
// a check that the mirror equals the kernel. Prints one line per step: "STEP <name>: ok" or
// "STEP <name>: <what differs>", then "SUMMARY <vrfsync kernel JSON>" and "STATS <json>".
import { execFileSync } from 'node:child_process';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { summarize } from '../../src/kernel/summary.ts';
import { compareWithKernel } from '../helpers/mirror-compare.ts';

const ip = (lines: string[]) => execFileSync('ip', ['-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });

const steps: [string, string[]][] = [
  ['vrfs, ports, addresses, routes', [
    'link add red type vrf table 10', 'link add blue type vrf table 20', 'link set red up', 'link set blue up',
    'link add a0 type veth peer name a1', 'link add b0 type veth peer name b1', 'link add c0 type veth peer name c1',
    'link set a0 master red', 'link set b0 master blue',
    'link set a0 up', 'link set a1 up', 'link set b0 up', 'link set b1 up', 'link set c0 up', 'link set c1 up',
    'addr add 192.168.1.1/24 dev a0', 'addr add 192.168.2.1/24 dev b0', 'addr add 192.168.3.1/24 dev c0',
    'addr add 2001:db8:1::1/64 dev a0 nodad',
    'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 10.2.0.0/16 via 192.168.2.2 vrf blue',
    'route add 10.3.0.0/16 vrf red nexthop via 192.168.1.2 weight 2 nexthop via 192.168.1.3',
    'route add 2001:db8:f::/48 via 2001:db8:1::2 vrf red',
    'route add blackhole 10.99.0.0/16 vrf blue', 'route add unreachable default vrf blue metric 4278198272',
  ]],
  ['a second VRF on a shared table', ['link add green type vrf table 10', 'link set green up', 'link set c0 master green']],
  ['moving a port between VRFs flushes its routes silently', ['link set a0 master blue']],
  ['releasing a port', ['link set b0 nomaster']],
  ['deleting a VRF with routes in its table', ['route add 10.50.0.0/16 via 192.168.3.2 vrf green', 'link del green']],
  ['recreating a VRF with another table', ['link del red', 'link add red type vrf table 30', 'link set red up', 'link set a0 master red', 'addr add 192.168.9.1/24 dev a0']],
  ['200 VRFs created', Array.from({ length: 200 }, (_, i) => `link add v${i} type vrf table ${1000 + i}`)],
  ['200 VRFs deleted', Array.from({ length: 200 }, (_, i) => `link del v${i}`)],
];

const session = new KernelSession();
session.on('error', (e) => process.stdout.write(`ERROR ${String(e)}\n`));
await session.start();
for (const [name, lines] of steps) {
  ip(lines);
  process.stdout.write(`STEP ${name}: ${await compareWithKernel(session)}\n`);
}
process.stdout.write(`SUMMARY ${JSON.stringify(summarize(session.mirror))}\n`);
process.stdout.write(`STATS ${JSON.stringify({ ...session.stats, ...session.sub.stats })}\n`);
session.close();
process.exit(0);
