// The options every vrfsync command that talks to a driver shares: where it is and how to
// authenticate it. Commands add them with addDriverOptions and read them with driverOptions.
import { Command, InvalidArgumentError } from 'commander';
import { parseAddress, type TlsOptions } from '../driver/address.ts';

export interface DriverCliOptions {
  driver: string;
  insecure?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
}

function address(text: string): string {
  try {
    parseAddress(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

export function addDriverOptions(cmd: Command): Command {
  return addTlsOptions(cmd.requiredOption('--driver <addr>', 'driver address: unix:/path/to.sock or HOST:PORT (TLS)', address));
}

/**
 * --driver for commands that read the driver a running agent syncs into: without it, they ask
 * the agent (this network namespace's, or the one on --socket) for its address.
 */
export function addAgentDriverOptions(cmd: Command): Command {
  return addTlsOptions(cmd
    .option('--driver <addr>', "driver address: unix:/path/to.sock or HOST:PORT (TLS); default: the driver of this network namespace's running agent", address)
    .option('--socket <path>', 'the status socket of the agent to ask for its driver (default: this network namespace\'s)'));
}

/** How to authenticate the driver, for commands whose --driver is their own. */
export function addTlsOptions(cmd: Command): Command {
  return cmd
    .option('--insecure', 'TCP without TLS')
    .option('--tls-ca <file>', 'CA bundle that signs the driver certificate')
    .option('--tls-cert <file>', 'client certificate (when the driver requires one)')
    .option('--tls-key <file>', 'key of the client certificate')
    .option('--tls-server-name <name>', 'name to verify in the driver certificate, when it differs from HOST');
}

export function tlsOptions(o: DriverCliOptions): TlsOptions {
  return { insecure: o.insecure, ca: o.tlsCa, cert: o.tlsCert, key: o.tlsKey, serverName: o.tlsServerName };
}
