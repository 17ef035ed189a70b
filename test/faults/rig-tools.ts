// Pieces of the fault tests and the soak that need no test runner: a namespace with ports,
// neighbours and many routes (built with ip -batch), kernel churn running in the background, the
// real `vrfsync check` and `vrfsync status` run inside the namespace, and hwsim's counters.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Netns } from '../helpers/netns.ts';
import type { CheckReport } from '../../src/check/check.ts';
import * as grpc from '@grpc/grpc-js';
import { SimulatorClient } from '../../src/driver/client.ts';
import { AgentService, agentpb, type agentv1 } from '../../src/driver/wire.ts';
import { randomWords } from '../../src/check/probes.ts';

const repo = join(import.meta.dirname, '..', '..');
export const PORTS = 'swp1,swp2,swp3';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Three ports with IPv4 and IPv6 addresses and neighbours, an ECMP route, blackholes, and
 * `routes` host routes (IPv4 /32s, every tenth an IPv6 /128) over the two gateways.
 */
export function topology(ns: Netns, routes: number): void {
  const lines = [
    'link add swp1 type veth peer name p1', 'link add swp2 type veth peer name p2', 'link add swp3 type veth peer name p3',
    'link set swp1 up', 'link set swp2 up', 'link set swp3 up', 'link set p1 up', 'link set p2 up', 'link set p3 up',
    'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
    'addr add 2001:db8:1::1/64 dev swp1 nodad', 'addr add 2001:db8:2::1/64 dev swp2 nodad',
    'neigh add 10.0.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 10.0.2.2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
    'neigh add 2001:db8:2::2 lladdr 02:aa:00:00:00:02 dev swp2 nud permanent',
    'route add 10.9.0.0/16 nexthop via 10.0.1.2 weight 2 nexthop via 10.0.2.2',
    'route add blackhole 10.8.0.0/16', 'route add 2001:db8:9::/48 via 2001:db8:1::2',
  ];
  for (let i = 0; i < routes; i++) {
    if (i % 10 === 9) lines.push(`route add 2001:db8:100::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128 via 2001:db8:${(i % 2) + 1}::2`);
    else lines.push(`route add 20.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32 via 10.0.${(i % 2) + 1}.2`);
  }
  ns.batch(lines);
}

/** `vrfsync check --json --driver ADDR` inside the namespace: the report and the exit code. */
export function vrfsyncCheck(ns: Netns, driver: string): Promise<{ code: number; report: CheckReport }> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'check', '--json', '--driver', driver],
      { maxBuffer: 1 << 28 }, (err, out, errOut) => {
        const code = err ? Number((err as { code?: number }).code ?? -1) : 0;
        if (code === 2 || !out.trim()) return reject(new Error(`vrfsync check could not run (exit ${code}): ${errOut.slice(-2000)}`));
        resolve({ code, report: JSON.parse(out) as CheckReport });
      });
  });
}

/** A one-line summary of a report that failed, for the test's message. */
export function describeCheck(r: { code: number; report: CheckReport }): string {
  return `exit ${r.code}: ${JSON.stringify({ ...r.report, mismatches: r.report.mismatches.slice(0, 10) })}`;
}

/** What `vrfsync status --json --socket PATH` prints (the fields the tests read). */
export interface StatusJson {
  state: string;
  driver?: { connected?: boolean; role?: string; reconnects?: number };
  failures?: { vrf: string; key: string; code: string; message: string }[];
  failuresTotal?: number;
  lag?: { updates?: number; p50Ms?: number; p99Ms?: number; maxMs?: number };
  updatesSent?: number;
  writes?: number;
  netlinkOverruns?: number;
  kernelResyncs?: number;
}

export function vrfsyncStatus(ns: Netns, socket: string): Promise<StatusJson> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'status', '--json', '--socket', socket],
      (err, out, errOut) => (err ? reject(new Error(`vrfsync status failed: ${errOut}`)) : resolve(JSON.parse(out) as StatusJson)));
  });
}

const AgentStub = grpc.makeGenericClientConstructor(AgentService, 'Agent');

/**
 * The same status API in this process: as `vrfsync status --json` prints it, without starting
 * a process per poll (the tests poll it while waiting for the agent to settle).
 */
export async function agentStatus(socket: string): Promise<StatusJson> {
  const client = new AgentStub(`unix:${socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    status(req: agentv1.IStatusRequest, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: agentv1.StatusResponse) => void): void;
  };
  try {
    const res = await new Promise<agentv1.StatusResponse>((resolve, reject) =>
      client.status({}, { deadline: Date.now() + 10_000 }, (err, r) => (err ? reject(err) : resolve(r!))));
    return agentpb.StatusResponse.toObject(res, { enums: String, longs: Number, defaults: true }) as StatusJson;
  } finally {
    client.close();
  }
}

/** hwsim's counters: updates written (by code) since its boot. */
export async function hwStats(address: string): Promise<{ updates: number; writes: number; byCode: Record<string, number>; bootEpoch: string }> {
  const sim = new SimulatorClient(address);
  try {
    const s = await sim.stats();
    const byCode: Record<string, number> = {};
    for (const [k, v] of Object.entries(s.updatesByCode ?? {})) byCode[k] = Number(v);
    return { updates: Number(s.updates), writes: Number(s.writes), byCode, bootEpoch: String(s.bootEpoch) };
  } finally {
    sim.close();
  }
}

/** Polls `probe` until it returns a value other than undefined; throws with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000, everyMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resident set size of a process, KiB. */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** A seeded generator of numbers in [0, 1), so a failing churn can be replayed by its seed. */
export function prng(seed: number): () => number {
  const words = randomWords(seed);
  return () => words() / 4294967296;
}

/**
 * Kernel churn in the background: rounds of `ip -force -batch` with routes replaced (to the
 * other gateway), added and deleted in a churn range (21.0.0.0/16 and 2001:db8:200::/64),
 * and neighbours flapping (10.0.3.x added, their MAC changed, deleted). Each round waits for
 * the previous; `stop()` ends after the round in flight.
 */
export class Churn {
  rounds = 0;
  commands = 0;
  private stopped = false;
  private readonly done: Promise<void>;
  readonly seed: number;

  constructor(private readonly ns: Netns, opts: { perRound?: number; pauseMs?: number; seed?: number; replaceBelow?: number } = {}) {
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    const rnd = prng(this.seed);
    const perRound = opts.perRound ?? 200;
    const replaceBelow = opts.replaceBelow ?? 0;
    const pick = (n: number) => Math.floor(rnd() * n);
    this.done = (async () => {
      while (!this.stopped) {
        const lines: string[] = [];
        for (let i = 0; i < perRound; i++) {
          const r = rnd();
          const gw = pick(2) + 1;
          if (r < 0.3) {
            const k = pick(4096);
            lines.push(`route replace 21.0.${k >> 8}.${k & 255}/32 via 10.0.${gw}.2`);
          } else if (r < 0.5) {
            const k = pick(4096);
            lines.push(`route del 21.0.${k >> 8}.${k & 255}/32`);
          } else if (r < 0.6) {
            const k = pick(1024);
            lines.push(`route replace 2001:db8:200::${k.toString(16)}/128 via 2001:db8:${gw}::2`);
          } else if (r < 0.65) {
            lines.push(`route del 2001:db8:200::${pick(1024).toString(16)}/128`);
          } else if (r < 0.8 && replaceBelow > 0) {
            // Existing routes of the topology moved to the other gateway.
            const k = pick(replaceBelow);
            if (k % 10 !== 9) lines.push(`route replace 20.${k >> 16}.${(k >> 8) & 255}.${k & 255}/32 via 10.0.${gw}.2`);
          } else if (r < 0.9) {
            const h = pick(32) + 10;
            lines.push(`neigh replace 10.0.3.${h} lladdr 02:cc:00:00:${pick(256).toString(16).padStart(2, '0')}:${h.toString(16).padStart(2, '0')} dev swp3 nud permanent`);
          } else {
            lines.push(`neigh del 10.0.3.${pick(32) + 10} dev swp3`);
          }
        }
        await ipBatch(this.ns, lines);
        this.rounds++;
        this.commands += lines.length;
        if (opts.pauseMs) await sleep(opts.pauseMs);
      }
    })();
  }

  /** Stops after the round in flight; resolves once the kernel has taken it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** `ip -n NS -force -batch -` without blocking the event loop (failed commands are skipped). */
export function ipBatch(ns: Netns, lines: string[]): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('ip', ['-n', ns.name, '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    p.on('exit', () => resolve());
    p.stdin.end(`${lines.join('\n')}\n`);
  });
}
