// `vrfsync run --driver embedded`: an hwsim child process on a private unix socket, so the agent
// runs with no hardware and still talks to its driver through the real contract over gRPC.
//
// The child stays in the agent's process group (a Ctrl-C at a terminal reaches both) and must
// not outlive the agent: stop() ends it, and an 'exit' listener kills it when the agent exits
// without stopping it. Nothing can run after a SIGKILL of the agent, nor after a signal the agent
// does not handle: then only the process group (a terminal, systemd's control group) ends hwsim.
import { packageRoot } from '../common/package-root.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const HWSIM = resolve(packageRoot(import.meta.dirname), 'bin', 'hwsim.js');
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
/** How much of hwsim's output a start error quotes. */
const OUTPUT_KEPT = 64 * 1024;

export interface EmbeddedHwsim {
  /** unix:/path of the private socket. */
  address: string;
  pid: number;
  /** Settles when the child exits, whether stop() asked it to or not. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the child (SIGTERM, then SIGKILL after 3 s) and removes the private folder. */
  stop(): Promise<void>;
}

export interface EmbeddedHwsimOptions {
  /** hwsim --ports: 'auto' (this namespace's netdevs, the default) or swp1,swp2,... */
  ports?: string;
  /** hwsim --capacity */
  capacity?: string;
  extraArgs?: string[];
  /** hwsim --log-level */
  logLevel?: string;
  /** Where hwsim's log lines go once it serves (default process.stderr); whole lines only, so they do not tear the agent's own. */
  log?: { write(s: string): unknown } | null;
}

export class EmbeddedHwsimError extends Error {
  readonly code = 'VRFSYNC_EMBEDDED_HWSIM';
}

export async function startEmbeddedHwsim(opts: EmbeddedHwsimOptions = {}): Promise<EmbeddedHwsim> {
  // mkdtemp makes the folder mode 0700: only this user reaches the socket inside.
  const dir = mkdtempSync(join(tmpdir(), 'vrfsync-hwsim-'));
  const listen = `unix:${join(dir, 'hwsim.sock')}`;
  const args = [HWSIM, '--listen', listen, '--ports', opts.ports ?? 'auto'];
  if (opts.capacity) args.push('--capacity', opts.capacity);
  if (opts.logLevel) args.push('--log-level', opts.logLevel);
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const alive = () => child.exitCode === null && child.signalCode === null;
  // Synchronous, as 'exit' listeners must be; SIGKILL since nobody will be left to wait for a graceful end.
  const onParentExit = () => {
    if (alive()) child.kill('SIGKILL');
    removeDir();
  };
  process.on('exit', onParentExit);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
  });

  let output = '';
  let ready = false;
  let pending = '';
  const log = opts.log === undefined ? process.stderr : opts.log;
  const keep = (text: string) => {
    output += text;
    if (output.length > OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stderr.setEncoding('utf8');
  child.stdout.setEncoding('utf8');
  // Both pipes are read for as long as the child lives: a full pipe would block hwsim's writes.
  child.stderr.on('data', (text: string) => {
    if (!ready) return keep(text);
    pending += text;
    const end = pending.lastIndexOf('\n');
    if (end < 0) return;
    log?.write(pending.slice(0, end + 1));
    pending = pending.slice(end + 1);
  });

  let address: string;
  try {
    address = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new EmbeddedHwsimError(`hwsim did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      let stdout = '';
      child.stdout.on('data', (text: string) => {
        if (ready) return;
        keep(text);
        stdout += text;
        const m = /^hwsim listening on (.+)\n/m.exec(stdout);
        if (m) {
          ready = true;
          clearTimeout(timer);
          res(m[1]!);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        rej(new EmbeddedHwsimError(`cannot run hwsim: ${err.message}`));
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        rej(new EmbeddedHwsimError(`hwsim exited (${signal ?? `code ${code}`}) before serving`));
      });
    });
  } catch (err) {
    process.off('exit', onParentExit);
    // Without a pid the spawn itself failed: there is no process, and no 'exit' will come.
    if (child.pid !== undefined) {
      if (alive()) child.kill('SIGKILL');
      await exited;
    }
    removeDir();
    const e = err as EmbeddedHwsimError;
    e.message += output.trim() ? `; its output:\n${output.trimEnd()}` : '; it printed nothing';
    throw e;
  }

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => alive() && child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      if (pending) log?.write(`${pending}\n`);
      process.off('exit', onParentExit);
      removeDir();
    })());

  return { address, pid: child.pid!, exited, stop };
}
