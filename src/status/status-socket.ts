// Where the agent serves its status API when not told: one socket per network namespace (an
// agent per namespace is an agent per switch), under /run for root, the user's runtime folder
// otherwise. `vrfsync status` run in the same namespace finds it without being told.
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { SocketPathError } from '../common/grpc-bind.ts';
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

/**
 * Creates the socket's folder (0700) when missing, and refuses one that another user could
 * swap the socket in: owned by someone other than this user or root, or writable by others
 * without the sticky bit (a /tmp/vrfsync-UID another user made first, say).
 */
export function ensureSocketDir(path: string): void {
  const dir = join(path, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory()) throw new SocketPathError(`${dir} is not a folder`);
  if (st.uid !== uid && st.uid !== 0) throw new SocketPathError(`${dir} belongs to uid ${st.uid}, who could replace the socket: not serving there`);
  if (st.mode & 0o022 && !(st.mode & 0o1000)) throw new SocketPathError(`${dir} is writable by others (mode ${(st.mode & 0o7777).toString(8)}): not serving there`);
}

