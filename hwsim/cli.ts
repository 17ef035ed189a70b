// The `hwsim` command: serve a simulated switch ASIC through the driver contract, or ask a
// running one where a packet would go.
//   hwsim --listen ADDR [--capacity ...] [--ports ...] [TLS options]
// TCP is TLS unless --insecure is said (and logged as a warning); with --tls-client-ca (or its
// older name --tls-ca) TLS is mutual: a client needs a certificate that CA signed.
//   hwsim lookup --driver ADDR --vrf NAME ADDRESS [--source ADDRESS] [--json]
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { Asic } from './asic.ts';
import { ConfigError, defaultPorts, makeConfig, parseCapacity } from './config.ts';
import { portsFromHost, portsFromList } from './ports.ts';
import { startHwsimServer } from '../drivers/hwsim/server.ts';
import { SimulatorClient } from '../src/driver/client.ts';
import { Action } from '../src/driver/wire.ts';
import { formatIp, formatMac, formatPrefix, parseIp } from '../src/driver/text.ts';
import { addDriverOptions, tlsOptions, type DriverCliOptions } from '../src/cli/driver-options.ts';

const positive = (text: string) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

interface ServeOptions {
  listen: string;
  capacity?: string;
  ports?: string;
  maxMembersPerGroup?: number;
  maxUpdatesPerWrite?: number;
  insecure?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientCa?: string;
  requireClientCert?: boolean;
  logLevel: string;
}

class UsageError extends Error {}

async function serve(o: ServeOptions): Promise<void> {
  if (o.tlsCa && o.tlsClientCa && o.tlsCa !== o.tlsClientCa) throw new UsageError('--tls-ca is another name for --tls-client-ca: give one');
  const logger = pino({ level: o.logLevel, name: 'hwsim' }, pino.destination(2));
  const ports = o.ports === undefined ? defaultPorts() : o.ports === 'auto' ? portsFromHost() : portsFromList(o.ports);
  const config = makeConfig({
    ports,
    capacity: o.capacity ? parseCapacity(o.capacity) : {},
    ...(o.maxMembersPerGroup ? { maxMembersPerGroup: o.maxMembersPerGroup } : {}),
    ...(o.maxUpdatesPerWrite ? { maxUpdatesPerWrite: o.maxUpdatesPerWrite } : {}),
  });
  const asic = new Asic(config);
  const server = await startHwsimServer({
    listen: o.listen,
    asic,
    logger,
    tls: { insecure: o.insecure, cert: o.tlsCert, key: o.tlsKey, clientCa: o.tlsClientCa ?? o.tlsCa, requireClientCert: o.requireClientCert },
  });
  logger.info({ address: server.address, ports: ports.length, capacity: config.capacity, bootEpoch: asic.bootEpoch }, 'serving');
  process.stdout.write(`hwsim listening on ${server.address}\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

interface LookupOptions extends DriverCliOptions {
  vrf: string;
  source?: string;
  json?: boolean;
}

const ACTION_NAME: Record<number, 'forward' | 'drop' | 'trap'> = {
  [Action.ACTION_FORWARD]: 'forward',
  [Action.ACTION_DROP]: 'drop',
  [Action.ACTION_TRAP]: 'trap',
};

async function lookup(address: string, o: LookupOptions): Promise<void> {
  let destination;
  let source;
  try {
    destination = parseIp(address);
    source = o.source ? parseIp(o.source) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const client = new SimulatorClient(o.driver, { tls: tlsOptions(o) });
  try {
    const r = await client.lookup({ vrfName: o.vrf, destination, source });
    const action = ACTION_NAME[r.action] ?? 'trap';
    const out = {
      action,
      prefix: r.prefix ? formatPrefix(r.prefix) : null,
      interface: r.interface || null,
      nexthop: r.nextHop ? formatIp(r.nextHop) : null,
      mac: r.mac?.length ? formatMac(r.mac) : null,
      reason: r.reason || null,
    };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else if (action === 'forward') {
      process.stdout.write(`${address} via ${out.nexthop} dev ${out.interface} mac ${out.mac} (${out.prefix})\n`);
    } else {
      process.stdout.write(`${address} ${action} (${out.reason}${out.prefix ? `, ${out.prefix}` : ''})\n`);
    }
  } finally {
    client.close();
  }
}

const program = new Command('hwsim')
  .description('a software switch ASIC served through the vrfsync driver contract')
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .option('--listen <addr>', 'unix:/path.sock or HOST:PORT')
  .option('--capacity <list>', 'table sizes: ipv4-routes=N,ipv6-routes=N,nexthops=N,groups=N,group-members=N,neighbors=N,rifs=N,vrfs=N')
  .option('--ports <list>', 'front-panel ports: swp1,swp2,... or auto (this namespace\'s netdevs)')
  .option('--max-members-per-group <n>', 'ECMP group size limit', positive)
  .option('--max-updates-per-write <n>', 'batch size limit', positive)
  .option('--insecure', 'serve TCP without TLS')
  .option('--tls-cert <file>', 'server certificate (TCP)')
  .option('--tls-key <file>', 'server key (TCP)')
  .option('--tls-client-ca <file>', 'mutual TLS: only clients with a certificate this CA signed may connect')
  .option('--tls-ca <file>', 'the same as --tls-client-ca')
  .option('--require-client-cert', 'mutual TLS (implied by --tls-client-ca, which it needs)')
  .option('--log-level <level>', 'pino log level', 'info')
  .action(async (o: ServeOptions) => {
    if (!o.listen) throw new UsageError('--listen is required');
    await serve(o);
  });

addDriverOptions(
  program
    .command('lookup')
    .description('print the forwarding decision of a running hwsim for one packet')
    .argument('<address>', 'destination address')
    .requiredOption('--vrf <name>', 'VRF name ("default" is the built-in one)')
    .option('--source <address>', 'source address, for the ECMP flow hash')
    .option('--json', 'print JSON'),
).action(async (address: string, o: LookupOptions) => lookup(address, o));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  const e = err as { code?: unknown; details?: string; message?: string };
  const known = err instanceof UsageError || err instanceof ConfigError || e.code !== undefined;
  process.stderr.write(`hwsim: ${known ? (e.details ?? e.message) : (err as Error).stack}\n`);
  process.exit(2);
}
