// Network namespaces for scenario tests. They need root; under CI a test that cannot create
// one fails (it never skips silently).
import { execFileSync } from 'node:child_process';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class Netns {
  constructor(readonly name: string) {}

  static create(prefix = 'vrfsync'): Netns {
    const name = `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    sh('ip', ['netns', 'add', name]);
    const ns = new Netns(name);
    ns.ip('link set lo up');
    return ns;
  }

  /** Runs `ip -n NS ...words`. */
  ip(words: string): string {
    return sh('ip', ['-n', this.name, ...words.split(/\s+/).filter(Boolean)]);
  }

  /** Runs a batch of ip commands (one per line) in the namespace, as `ip -batch`. With
   * `force`, commands that fail are skipped (ip -force) instead of stopping the batch. */
  batch(lines: string[], opts: { force?: boolean } = {}): void {
    const args = ['-n', this.name, ...(opts.force ? ['-force'] : []), '-batch', '-'];
    try {
      execFileSync('ip', args, { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      if (!opts.force) throw err;
    }
  }

  exec(cmd: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  }

  destroy(): void {
    try {
      sh('ip', ['netns', 'del', this.name]);
    } catch {
      /* already gone */
    }
  }
}
