// Binding a gRPC server where only its owner can reach it: a unix socket is created 0600
// (umask while binding, so there is no moment it is open to others). A stale socket left by a
// dead process is replaced; anything else at the path is left alone: a live socket (another
// process serves there) or a file that is not a socket (a mistyped path must never delete it).
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { DriverAddress } from '../driver/address.ts';

export class SocketPathError extends Error {
  readonly code = 'VRFSYNC_SOCKET_PATH';
}

/** Is a live process listening on this unix socket? (A stale file after a crash is not.) */
export function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Makes room for a unix socket at `path`: removes a stale socket, refuses anything else. */
export async function clearSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new SocketPathError(`${path} exists and is not a socket: not replacing it`);
  if (await socketInUse(path)) throw new SocketPathError(`another process serves on ${path}`);
  rmSync(path);
}

/** Binds `server` to `addr`; returns the bound port (TCP) or 0. */
export async function bindServer(server: grpc.Server, addr: DriverAddress, creds: grpc.ServerCredentials): Promise<number> {
  if (addr.kind === 'unix') await clearSocketPath(addr.path);
  const umask = addr.kind === 'unix' ? process.umask(0o177) : null;
  try {
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(addr.target, creds, (err, p) => (err ? reject(err) : resolve(p))));
    if (addr.kind === 'unix') chmodSync(addr.path, 0o600);
    return port;
  } finally {
    if (umask !== null) process.umask(umask);
  }
}
