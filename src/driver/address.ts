// Driver addresses as users write them, and the gRPC credentials that go with them.
//   unix:/path/to.sock   a unix socket (no TLS: the file mode guards it)
//   HOST:PORT            TCP, TLS unless insecure is said explicitly
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export type DriverAddress =
  | { kind: 'unix'; path: string; target: string }
  | { kind: 'tcp'; host: string; port: number; target: string };

export class AddressError extends Error {
  readonly code = 'VRFSYNC_BAD_ADDRESS';
}

export function parseAddress(text: string): DriverAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new AddressError(`bad address ${JSON.stringify(text)}: unix: needs a path`);
    return { kind: 'unix', path, target: `unix:${path}` };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s/]+)):(\d{1,5})$/.exec(text);
  if (!m) {
    throw new AddressError(`bad address ${JSON.stringify(text)}: expected unix:/path or HOST:PORT`);
  }
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  // Port 0 is for listening: the system picks a free port and the server prints it.
  if (port > 65535) throw new AddressError(`bad address ${JSON.stringify(text)}: port out of range`);
  return { kind: 'tcp', host, port, target: m[1] ? `[${host}]:${port}` : `${host}:${port}` };
}

/** TLS material, as file paths. */
export interface TlsOptions {
  insecure?: boolean;
  /** Client only: CA bundle that signs the server's certificate (default: the system's roots). */
  ca?: string;
  cert?: string;
  key?: string;
  /**
   * Server only: CA bundle that signs client certificates. When set, TLS is mutual: a client
   * without a certificate this CA signed cannot even open a connection.
   */
  clientCa?: string;
  /** Server only: insist on client certificates (needs `clientCa`, which already does). */
  requireClientCert?: boolean;
  /** Client only: the name to verify in the server certificate, when it differs from HOST. */
  serverName?: string;
}

export class TlsConfigError extends Error {
  readonly code = 'VRFSYNC_TLS_CONFIG';
}

const read = (path: string | undefined) => (path ? readFileSync(path) : null);

export function serverCredentials(addr: DriverAddress, tls: TlsOptions): grpc.ServerCredentials {
  // --insecure beside TLS options would serve cleartext to anyone while they look in force.
  if (addr.kind === 'tcp' && tls.insecure && (tls.cert || tls.key || tls.clientCa || tls.requireClientCert)) {
    throw new TlsConfigError('--insecure turns TLS off: give it or TLS options, not both');
  }
  if (addr.kind === 'unix' || tls.insecure) return grpc.ServerCredentials.createInsecure();
  if (!tls.cert || !tls.key) {
    throw new TlsConfigError('TCP needs TLS: give --tls-cert and --tls-key, or say --insecure');
  }
  if (tls.requireClientCert && !tls.clientCa) throw new TlsConfigError('client certificates need --tls-client-ca');
  // A client CA always means verification: accepting it and then letting clients in without a
  // certificate would be a lock that is never turned.
  return grpc.ServerCredentials.createSsl(
    read(tls.clientCa),
    [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }],
    Boolean(tls.clientCa),
  );
}

export function channelCredentials(addr: DriverAddress, tls: TlsOptions): grpc.ChannelCredentials {
  if (addr.kind === 'unix' || tls.insecure) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(read(tls.ca), read(tls.key), read(tls.cert));
}

export function channelOptions(tls: TlsOptions): grpc.ChannelOptions {
  return tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {};
}
