// Where the agent serves its status API when not told: one socket per network namespace (an
// agent per namespace is an agent per switch), under /run for root, the user's runtime folder
// otherwise. `vrfsync status` run in the same namespace finds it without being told.
import { mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

function runtimeDir(): string {
  if (process.getuid?.() === 0) return '/run/vrfsync';
  return process.env.XDG_RUNTIME_DIR ? join(process.env.XDG_RUNTIME_DIR, 'vrfsync') : `/tmp/vrfsync-${process.getuid?.() ?? 'user'}`;
}

/** The init namespace's agent is agent.sock; another namespace's is agent-<its inode>.sock. */
export function defaultStatusSocket(): string {
  let ns = '';
  try {
    const self = readlinkSync('/proc/self/ns/net');
    const init = readlinkSync('/proc/1/ns/net');
    if (self !== init) ns = `-${/\[(\d+)\]/.exec(self)?.[1] ?? 'ns'}`;
  } catch {
    /* no /proc/1 to compare with (not root): the namespace's own inode still tells them apart */
    try {
      ns = `-${/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1]}`;
    } catch { /* no /proc at all */ }
  }
  return join(runtimeDir(), `agent${ns}.sock`);
}

export function ensureSocketDir(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
}

export { socketInUse } from '../common/grpc-bind.ts';
