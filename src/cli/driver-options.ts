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
