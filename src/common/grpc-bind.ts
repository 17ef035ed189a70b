// Binding a gRPC server where only its owner can reach it: a unix socket is created 0600
// (umask while binding, so there is no moment it is open to others), and a stale socket left by
// a dead process is replaced.
import { chmodSync, existsSync, rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { DriverAddress } from '../driver/address.ts';

/** Binds `server` to `addr`; returns the bound port (TCP) or 0. */
export async function bindServer(server: grpc.Server, addr: DriverAddress, creds: grpc.ServerCredentials): Promise<number> {
  if (addr.kind === 'unix' && existsSync(addr.path)) rmSync(addr.path);
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
