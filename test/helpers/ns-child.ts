// A TypeScript helper script run inside a network namespace, talked to line by line: the tests
// write commands to its stdin and read its stdout as lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Netns } from './netns.ts';

const repo = join(import.meta.dirname, '..', '..');
const running = new Set<ChildProcess>();

export class NsChild {
  /** Lines not yet taken by next(). */
  readonly lines: string[] = [];
  private buf = '';

  private constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      this.lines.push(...parts);
    });
  }

  /** Runs test/helpers/SCRIPT with ARGS inside the namespace. */
  static start(ns: Netns, script: string, args: string[] = []): NsChild {
    const proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, join(repo, 'bin', 'run-ts.js'), join(repo, 'test', 'helpers', script), ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    running.add(proc);
    proc.on('exit', () => running.delete(proc));
    return new NsChild(proc);
  }

  /** Ends every helper still running: a failed test leaves its helper behind otherwise. */
  static killAll(): void {
    for (const p of running) p.kill('SIGKILL');
  }

  write(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  end(): void {
    this.proc.stdin!.end();
  }

  async until(pred: (lines: string[]) => boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.lines)) {
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`no expected output; last lines:\n${this.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Takes the next line. */
  async next(ms = 30_000): Promise<string> {
    await this.until((l) => l.length > 0, ms);
    return this.lines.shift()!;
  }
}
