// `vrfsync run` as users run it: a separate process inside a network namespace, its JSON logs
// (stderr) and stdout collected for the test to wait on.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Netns } from './netns.ts';

const repo = join(import.meta.dirname, '..', '..');
const running = new Set<ChildProcess>();

export interface AgentProcess {
  proc: ChildProcess;
  stdout(): string;
  /** Log records (pino JSON lines) so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log record whose msg is `msg` (and matching `where`). */
  waitLog(msg: string, where?: (r: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startAgent(ns: Netns, args: string[]): AgentProcess {
  const proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'vrfsync.js'), 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => {
    running.delete(proc);
    res(code);
  }));
  const logs = () => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    proc,
    stdout: () => out,
    logs,
    exited,
    async waitLog(msg, where = () => true, ms = 60_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = logs().find((r) => r.msg === msg && where(r));
        if (hit) return hit;
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`no log "${msg}"; stderr:\n${err.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** `vrfsync run --once ...`: the JSON line it prints, its logs, and its exit code. */
export async function runOnce(ns: Netns, args: string[]): Promise<{ code: number | null; report: Record<string, number>; logs: Record<string, unknown>[] }> {
  const a = startAgent(ns, ['--once', ...args]);
  const code = await a.exited;
  const line = a.stdout().trim().split('\n').pop() ?? '';
  let report: Record<string, number> = {};
  try {
    report = JSON.parse(line) as Record<string, number>;
  } catch {
    throw new Error(`vrfsync run --once exited ${code} without a JSON line; logs:\n${a.logs().map((l) => JSON.stringify(l)).join('\n').slice(-3000)}`);
  }
  return { code, report, logs: a.logs() };
}

export function killAgents(): void {
  for (const p of running) p.kill('SIGKILL');
}
