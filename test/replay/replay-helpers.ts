// Recording a scripted namespace with `vrfsync record`, and replaying a capture with
// `vrfsync replay` into a fresh hwsim, as users run them: separate processes.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { pb, type v1 } from '../../src/driver/wire.ts';
import { startHwsim } from '../helpers/hwsim-process.ts';
import type { Netns } from '../helpers/netns.ts';
import { MARKER, type Scenario } from './scenarios.ts';

const repo = join(import.meta.dirname, '..', '..');
const vrfsync = join(repo, 'bin', 'vrfsync.js');

export const capturePath = (name: string) => join(import.meta.dirname, 'captures', `${name}.pcap`);
export const tablesPath = (name: string) => join(import.meta.dirname, 'captures', `${name}.tables.json`);

/**
 * Records `scenario` in `ns` (its setup already applied): starts the recorder, applies the steps
 * in order, and stops it once it has re-dumped for the marker address (so everything before is in).
 */
export async function recordScenario(ns: Netns, scenario: Scenario, out: string, between?: () => Promise<void>): Promise<Record<string, number>> {
  const proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, vrfsync, 'record', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const until = async (what: string) => {
    while (!stderr.includes(what)) {
      if (proc.exitCode !== null) throw new Error(`vrfsync record exited ${proc.exitCode}:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await until('recording to ');
    for (const step of scenario.steps) {
      ns.batch(step);
      await between?.();
    }
    await until(`IPv4 address ${MARKER} removed`);
    proc.kill('SIGINT');
    const code = await exited;
    if (code !== 0) throw new Error(`vrfsync record exited ${code}:\n${stderr}`);
    return JSON.parse(stdout.trim()) as Record<string, number>;
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

export interface Replayed {
  /** The JSON line `vrfsync replay` printed. */
  report: Record<string, number>;
  /** The driver's tables after the replay, as canonical JSON. */
  tables: string;
  /** hwsim's counters: Write calls, updates, updates by result code. */
  stats: { writes: number; updates: number; updatesByCode: Record<string, number> };
}

/** Replays `capture` into a fresh hwsim with `ports`; optionally checks it in `check` before hwsim goes. */
export async function replayIntoHwsim(capture: string, ports: string, check?: (address: string) => Promise<void>): Promise<Replayed> {
  const hw = await startHwsim(['--ports', ports, '--log-level', 'warn']);
  try {
    const run = spawnSync(process.execPath, [vrfsync, 'replay', capture, '--driver', hw.address, '--log-level', 'warn'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`vrfsync replay exited ${run.status}:\n${run.stderr.slice(-3000)}`);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const client = new DriverClient(hw.address);
    const sim = new SimulatorClient(hw.address);
    try {
      const tables = canonicalTables(await client.readAll());
      const s = await sim.stats();
      const updatesByCode = Object.fromEntries(Object.entries(s.updatesByCode ?? {}).map(([k, v]) => [k, Number(v)]).sort());
      await check?.(hw.address);
      return { report, tables, stats: { writes: Number(s.writes), updates: Number(s.updates), updatesByCode } };
    } finally {
      client.close();
      sim.grpc.close();
    }
  } finally {
    await hw.stop();
  }
}

/** JSON with keys in sorted order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

const KINDS = ['vrf', 'routerInterface', 'neighbor', 'nextHop', 'nextHopGroup', 'route'] as const;

/** What a Read returned, by kind in dependency order, each kind's entities sorted: one a line. */
export function canonicalTables(entities: readonly v1.IEntity[]): string {
  const byKind = new Map<string, string[]>(KINDS.map((k) => [k, []]));
  for (const e of entities) {
    const o = pb.Entity.toObject(pb.Entity.fromObject(e), { longs: String, enums: String, bytes: String }) as Record<string, unknown>;
    for (const k of KINDS) if (o[k] !== undefined) byKind.get(k)!.push(stable(o[k]));
  }
  const parts = [...byKind].map(([k, items]) => `"${k}": [${items.length ? `\n  ${items.sort().join(',\n  ')}\n` : ''}]`);
  return `{\n${parts.join(',\n')}\n}\n`;
}
