// Runs inside the VRF kernel (scripts/vrf-vm): the acceptance scenarios (scenarios/) against
// one hwsim and one `vrfsync run`, both separate processes started once. Each scenario starts
// from a bare kernel (reset() removes what the last one left) and after every step waits until
// the check (runCheck, in this process) finds the hardware consistent and every lookup as
// expected. Arguments: names (or parts of names) of the scenarios to run, none runs all;
// --repeat N runs them N times over; --agent-log-level LEVEL sets the agent's.
// Prints, tab-separated: "SCENARIO <name> start", "STEP <scenario> <step> ok|FAIL <detail>",
// "SCENARIO <name> ok|FAIL <ms>", and at the end "DONE <passed>/<run>"; exits 1 when any failed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Table } from '../../src/driver/wire.ts';
import { parseIp } from '../../src/driver/text.ts';
import { runCheck } from '../../src/check/check.ts';
import { disagreement, type KernelAnswer } from '../../src/check/agreement.ts';
import { KernelAnswers, hardwareView } from '../../src/check/answers.ts';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { RouteGetter } from '../../src/netlink/route-getter.ts';
import type { RouteQuery } from '../../src/netlink/route-get.ts';
import type { TranslateConfig } from '../../src/translate/inputs.ts';
import { SCENARIOS } from './scenarios/index.ts';
import type { Lookup, Scenario, Step } from './spec.ts';
import { expectText, hwText, meets } from './expect.ts';

const repo = join(import.meta.dirname, '..', '..');
const PORTS = Array.from({ length: 16 }, (_, i) => `swp${i + 1}`);
/** The management VRF the agent is configured to leave alone. */
const EXCLUDED = 'mgmt';
const translate: TranslateConfig = { portMap: new Map(), excludedVrfs: new Set([EXCLUDED]) };

// It resets the kernel's whole network state between scenarios (every namespace, VRF and port):
// never on a host. scripts/vrf-vm says where it runs.
if (process.env.VRFSYNC_IN_VRF_VM !== '1') {
  process.stderr.write('test/acceptance/guest.ts runs inside scripts/vrf-vm only (it wipes the network state): use npm run test:vrf -- NAME\n');
  process.exit(2);
}

// --repeat N runs the chosen scenarios N times over (hunting a failure that comes and goes);
// --agent-log-level debug has the agent log every batch of kernel events it takes.
const { values: flags, positionals: wanted } = parseArgs({
  options: { repeat: { type: 'string', default: '1' }, 'agent-log-level': { type: 'string', default: 'info' } },
  allowPositionals: true,
});
const repeat = Number(flags.repeat);
if (!(repeat >= 1)) {
  process.stdout.write('--repeat takes a count of 1 or more\n');
  process.exit(2);
}
const agentLogLevel = flags['agent-log-level'];
const chosen = SCENARIOS.filter((s) => !wanted.length || wanted.some((w) => s.name.includes(w)));
if (!chosen.length) {
  process.stdout.write(`no scenario matches ${wanted.join(' ')}; there are: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}

const out = (...fields: (string | number)[]) => process.stdout.write(`${fields.map((f) => String(f).replace(/[\t\n]/g, ' ')).join('\t')}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
const ipBatch = (lines: string[]) => lines.length && run('ip', ['-batch', '-'], lines.join('\n') + '\n');

function start(args: string[], ready: RegExp): Promise<{ p: ChildProcess; output(): string }> {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const deadline = Date.now() + 300_000;
  p.stdout!.on('data', (d) => (text += d));
  p.stderr!.on('data', (d) => (text += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (ready.test(text)) {
        clearInterval(t);
        resolve({ p, output: () => text });
      } else if (p.exitCode !== null || Date.now() > deadline) {
        clearInterval(t);
        reject(new Error(`${args.join(' ')} ${p.exitCode !== null ? 'exited' : 'not ready in time'}:\n${text}`));
      }
    }, 50);
  });
}

// ---- a bare kernel between scenarios --------------------------------------------------------

/** Stops FRR daemons a scenario left running (their pid files are under /run/frr). */
function stopFrr(): void {
  if (!existsSync('/run/frr')) return;
  for (const f of readdirSync('/run/frr').filter((n) => n.endsWith('.pid'))) {
    const pid = Number(readFileSync(join('/run/frr', f), 'utf8').trim());
    try {
      process.kill(pid, 'SIGKILL');
    } catch { /* gone already */ }
  }
}

/**
 * Every link but lo deleted (VRF devices after their members), network namespaces and nexthop
 * objects removed, every table but local flushed and main's reject routes: one shell, as a
 * process start costs a lot under emulation.
 */
const RESET = `
vrfs=$(ip -br link show type vrf | awk '{print $1}' | tr '\n' ' ')
for l in $(ip -br link show | awk '{print $1}' | cut -d@ -f1); do
  case " lo $vrfs " in *" $l "*) ;; *) ip link del "$l" 2>/dev/null || true ;; esac
done
for l in $vrfs; do ip link del "$l"; done
ip -all netns delete 2>/dev/null || true
ip nexthop flush >/dev/null 2>&1 || true
for f in -4 -6; do
  for t in $(ip $f route show table all | sed -n 's/.* table \\([^ ]*\\).*/\\1/p' | sort -u); do
    case $t in local|main) ;; *) ip $f route flush table $t ;; esac
  done
  for type in blackhole unreachable prohibit; do ip $f route flush table main type $type 2>/dev/null || true; done
done
`;

function reset(): void {
  stopFrr();
  run('sh', ['-ec', RESET]);
}

// ---- the processes ----------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'acceptance-'));
const address = `unix:${join(dir, 'hwsim.sock')}`;
const config = join(dir, 'vrfsync.yaml');
writeFileSync(config, `excludeVrfs: [${EXCLUDED}]\ntableFull: safe\nlog: { level: warn }\n`);
// A switch routes: with forwarding off the kernel would prefer IPv6 routes whose gateway is
// not FAILED and fall back to less specific ones, which no hardware models.
run('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
reset();
out('READY', `runner loaded in ${Math.round(performance.now())} ms`);
const hwsim = await start([join(repo, 'bin', 'hwsim.js'), '--listen', address, '--ports', PORTS.join(',')], /listening on/);
out('READY', `hwsim up at ${Math.round(performance.now())} ms`);
const agent = await start([join(repo, 'bin', 'vrfsync.js'), 'run', '--driver', address, '--config', config, '--log-level', agentLogLevel], /first sync converged/);
out('READY', `agent converged at ${Math.round(performance.now())} ms`);
const client = new DriverClient(address);
const sim = new SimulatorClient(address);
const getter = new RouteGetter();
/** The kernel as the lookups see it (names, neighbours, nexthop objects), following its events. */
const session = new KernelSession();
await session.start();

// ---- expectations -----------------------------------------------------------------------------

function query(dst: string, oif: number): RouteQuery {
  const a = parseIp(dst);
  if (a.ipv4 != null) return { family: 4, d0: a.ipv4 >>> 0, d1: 0, d2: 0, d3: 0, oif };
  const b = Buffer.from(a.ipv6!);
  return { family: 6, d0: b.readUInt32BE(0), d1: b.readUInt32BE(4), d2: b.readUInt32BE(8), d3: b.readUInt32BE(12), oif };
}

/** Every lookup asked of hwsim and of the kernel; what is wrong with the answers. */
async function lookups(list: readonly Lookup[]): Promise<string[]> {
  if (!list.length) return [];
  await session.idle();
  const oifs = new Map(session.mirror.vrfs().map((v) => [v.name, v.ifindex]));
  const missing = [...new Set(list.map((l) => l.vrf))].filter((v) => v !== 'default' && !oifs.has(v));
  if (missing.length) return [`the kernel has no VRF ${missing.join(', ')}`];
  const [{ results }, kernel] = await Promise.all([
    sim.lookupBatch({ lookups: list.map((l) => ({ vrfName: l.vrf, destination: parseIp(l.dst) })) }),
    getter.lookup(list.map((l) => query(l.dst, l.vrf === 'default' ? 0 : oifs.get(l.vrf)!))),
  ]);
  const answers = new KernelAnswers(session.mirror);
  const bad: string[] = [];
  list.forEach((l, i) => {
    const h = hardwareView(results[i]!);
    const k: KernelAnswer = answers.view(l.dst, kernel[i]!);
    const where = `${l.vrf} ${l.dst}`;
    if (!meets(l.expect, h)) bad.push(`${where}: hwsim ${hwText(h)}, expected ${expectText(l.expect)}`);
    if (l.kernel !== undefined && k.type !== l.kernel) bad.push(`${where}: the kernel's answer is ${k.type}, expected ${l.kernel}`);
    const why = disagreement(l.dst, k, h, (dev) => translate.portMap.get(dev) ?? dev);
    if (why) bad.push(`${where}: ${why}`);
  });
  return bad;
}

/** What is wrong now: the check's mismatches, the lookups, VRFs the hardware must not hold. */
async function attempt(step: Step): Promise<{ problems: string[]; probes: number }> {
  const r = await runCheck({ address, translate, probes: step.probes ?? 40, seed: 7 });
  const problems: string[] = [];
  if (step.tableFull) {
    const wrong = r.mismatches.filter((m) => m.kind === 'forwarding' || m.kind === 'extra' || !/\//.test(m.key));
    for (const m of wrong.slice(0, 3)) problems.push(`${m.kind} ${m.vrf} ${m.key}: ${JSON.stringify(m.reason ?? { kernel: m.kernel, hardware: m.hardware })}`);
    if (!r.mismatches.some((m) => m.kind === 'missing')) problems.push('no route is missing from hardware: the table is not full');
  } else if (!r.consistent) {
    problems.push(`check: ${r.mismatches.length} mismatches, e.g. ${r.mismatches.slice(0, 3).map((m) => `${m.kind} ${m.vrf} ${m.key}${m.reason ? ` (${m.reason})` : ''}`).join('; ')}`);
  }
  if (step.absentVrfs?.length) {
    const held = new Set((await client.readAll()).flatMap((e) => (e.vrf ? [e.vrf.name] : [])));
    for (const v of step.absentVrfs) if (held.has(v)) problems.push(`the hardware holds VRF ${v}`);
  }
  problems.push(...(await lookups(step.lookups ?? [])));
  return { problems, probes: r.checked.probes };
}

async function shrink(family: 4 | 6, room: number): Promise<void> {
  const table = family === 4 ? Table.TABLE_IPV4_ROUTES : Table.TABLE_IPV6_ROUTES;
  const usage = (await client.capabilities()).tables.find((t) => t.table === table)!;
  await sim.injectFault({ shrinkTable: { table, capacity: Number(usage.used) + room } });
}

async function runStep(step: Step): Promise<string> {
  const applied = Date.now();
  for (const s of step.shrink ?? []) await shrink(s.family, s.room);
  if (step.ip?.length) ipBatch(step.ip);
  for (const line of step.sh ?? []) run('sh', ['-ec', line]);
  if (step.vtysh?.length) {
    run('vtysh', ['--vty_socket', '/run/frr', '-c', 'configure terminal', ...step.vtysh.flatMap((l) => ['-c', l])]);
  }
  if (step.clearFaults) await sim.injectFault({ clear: {} });
  const t0 = Date.now();
  const end = t0 + (step.timeoutMs ?? 60_000);
  // The lookups first, alone (a batch each side): until they hold there is no point in the
  // whole check, which dumps the kernel and probes every route.
  while (step.lookups?.length && Date.now() < end) {
    if (!(await lookups(step.lookups).catch((err: Error) => [err.message])).length) break;
    await sleep(200);
  }
  let last = '';
  for (let attempts = 1; ; attempts++) {
    // A lookup in a VRF the hardware does not hold yet fails: one more thing to wait for.
    const { problems, probes } = await attempt(step).catch((err: Error) => ({ problems: [err.message], probes: 0 }));
    if (!problems.length) {
      return `${step.lookups?.length ?? 0} lookups, ${probes} probes; changes applied in ${t0 - applied} ms, consistent after ${attempts} checks, ${Date.now() - t0} ms`
        + (attempts > 1 ? `; before: ${last.slice(0, 400)}` : '');
    }
    last = problems.slice(0, 3).join(' | ');
    if (Date.now() > end) throw new Error(problems.slice(0, 8).join(' | ') + (problems.length > 8 ? ` | and ${problems.length - 8} more` : ''));
    await sleep(300);
  }
}

/** The agent's log lines since offset `from` (the last 40, 2,000 at debug), as "AGENT <scenario> <line>". */
function agentSaid(scenario: string, from: number): void {
  const lines = agent.output().slice(from).split('\n').filter(Boolean);
  for (const line of lines.slice(agentLogLevel === 'debug' ? -2000 : -40)) out('AGENT', scenario, line);
}

async function runScenario(s: Scenario): Promise<boolean> {
  const t0 = Date.now();
  out('SCENARIO', s.name, 'start');
  let ok = true;
  try {
    reset();
    await runStep({ name: 'reset' });
  } catch (err) {
    out('STEP', s.name, '(reset)', 'FAIL', (err as Error).message);
    ok = false;
  }
  for (const step of s.steps) {
    if (!ok) {
      out('STEP', s.name, step.name, 'FAIL', 'not run: an earlier step failed');
      continue;
    }
    const agentFrom = agent.output().length;
    try {
      const detail = await runStep(step);
      out('STEP', s.name, step.name, 'ok', detail);
      // Slow to converge: what the agent said meanwhile.
      if (Number(/after (\d+) checks/.exec(detail)?.[1]) >= 10) agentSaid(s.name, agentFrom);
    } catch (err) {
      const e = err as Error & { stderr?: Buffer };
      out('STEP', s.name, step.name, 'FAIL', `${e.message}${e.stderr?.length ? ` ${e.stderr}` : ''}`);
      agentSaid(s.name, agentFrom);
      // What the scenario wants seen when it fails (its daemons' state, the kernel's tables).
      for (const c of s.debug ?? []) {
        let text: string;
        try {
          text = run('sh', ['-c', `${c} 2>&1`]);
        } catch (err) {
          text = `failed: ${(err as Error).message}`;
        }
        for (const line of text.split('\n')) out('DEBUG', s.name, c, line);
      }
      ok = false;
    }
  }
  out('SCENARIO', s.name, ok ? 'ok' : 'FAIL', Date.now() - t0);
  return ok;
}

let passed = 0;
for (let round = 0; round < repeat; round++) for (const s of chosen) if (await runScenario(s)) passed++;
reset();
if (agent.p.exitCode !== null) out('AGENT exited', agent.output().slice(-2000));
await getter.close();
session.close();
client.close();
sim.close();
agent.p.kill('SIGTERM');
hwsim.p.kill('SIGTERM');
out('DONE', `${passed}/${chosen.length * repeat}`);
process.exit(passed === chosen.length * repeat ? 0 : 1);
