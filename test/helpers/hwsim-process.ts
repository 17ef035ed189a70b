// Starts hwsim as a separate process, as users run it, and waits until it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..', '..');

export interface HwsimProcess {
  /** The address to give clients: unix:/path or HOST:PORT. */
  address: string;
  proc: ChildProcess;
  /** Everything hwsim printed so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not stopped within `graceMs`: no hwsim outlives its test. */
  stopOrKill(graceMs?: number): Promise<number | null>;
}

/** A fresh unix socket path in a private temporary folder. */
export function tempSocket(name = 'hwsim.sock'): string {
  return join(mkdtempSync(join(tmpdir(), 'vrfsync-test-')), name);
}

/**
 * Runs `hwsim --listen LISTEN ...args` and resolves once it prints its "listening on" line.
 * `listen` defaults to a fresh unix socket.
 */
export async function startHwsim(args: string[] = [], listen = `unix:${tempSocket()}`, timeoutMs = 20_000): Promise<HwsimProcess> {
  const proc = spawn(process.execPath, [join(repo, 'bin', 'hwsim.js'), '--listen', listen, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  // 'close' rather than 'exit': by then all it printed has been read (an error message too).
  const exited = new Promise<number | null>((res) => proc.on('close', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`hwsim did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = () => {
      if (/listening on /.test(out)) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`hwsim exited with ${code} before serving:\n${out}`));
    });
  });
  const address = /listening on (\S+)/.exec(out)![1]!;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  return {
    address,
    proc,
    output: () => out,
    stop,
    stopOrKill: (graceMs = 5000) => {
      const kill = setTimeout(() => void stop('SIGKILL'), graceMs);
      return stop().finally(() => clearTimeout(kill));
    },
  };
}
