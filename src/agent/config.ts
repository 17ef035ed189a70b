// `vrfsync run`'s configuration: DEFAULTS, then a YAML file, then command-line flags (flags win).
//
// The file (every key optional):
//
//   driver:
//     address: embedded        # unix:/path/to.sock | HOST:PORT (TLS unless insecure) | embedded
//     insecure: false
//     tls: { ca: FILE, cert: FILE, key: FILE, serverName: NAME }
//     electionId: 1
//     clientName: vrfsync
//   ports:                     # kernel netdev -> driver port name (default: the same name)
//     eth1: swp1
//   excludeVrfs: [mgmt]        # VRFs never offloaded
//   tableFull: safe            # safe | retry
//   batch: { maxUpdates: 10000, windowMs: 2, inflight: 2 }
//   log: { level: info }       # pino levels: fatal error warn info debug trace silent
//   metrics: 127.0.0.1:9108    # Prometheus /metrics endpoint (optional)
//   metricsTls: { cert: FILE, key: FILE, clientCa: FILE }   # serve it as HTTPS (clientCa: mutual TLS)
//   statusSocket: /run/vrfsync/agent.sock   # status API (optional)
//   netlink: { receiveBuffer: 33554432 }     # event socket SO_RCVBUF, bytes (an overrun costs a resync)
//
// Unknown keys are errors: a misspelt key would otherwise leave its default silently in force.
// An empty section (`ports:` with every entry commented out) is the same as leaving it out.
// Relative paths in the file (TLS files, statusSocket) are relative to the file's folder, so a
// daemon started from / finds what the operator put beside the file.
// Flags add to the file's port map and exclusions rather than replacing them: a flag cannot
// un-exclude a VRF the file excludes (usually the management VRF, where offloading by accident
// is worse than editing the file).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { parseAddress, type TlsOptions } from '../driver/address.ts';
import type { TranslateConfig } from '../translate/inputs.ts';

export type TableFullPolicy = 'safe' | 'retry';
const TABLE_FULL_POLICIES: readonly string[] = ['safe', 'retry'];
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Files of an HTTPS /metrics: certificate and key, and the CA scrapers' certificates must come from. */
export interface MetricsTls {
  cert?: string;
  key?: string;
  clientCa?: string;
}

export interface AgentConfig {
  driver: {
    /** 'embedded' | 'unix:/path' | 'HOST:PORT' */
    address: string;
    tls: TlsOptions;
    electionId: number;
    clientName: string;
  };
  translate: TranslateConfig;
  tableFull: TableFullPolicy;
  batch: { maxUpdates: number; windowMs: number; inflight: number };
  log: { level: string };
  /** HOST:PORT of a Prometheus /metrics endpoint, or null. */
  metrics: string | null;
  /** Serve /metrics as HTTPS with this certificate and key; with clientCa, only to clients it signed. */
  metricsTls: MetricsTls;
  /** Unix socket path of the agent's status API, or null. */
  statusSocket: string | null;
  /** The kernel event socket's receive buffer, bytes. */
  netlink: { receiveBuffer: number };
}

export const DEFAULTS: AgentConfig = {
  driver: { address: 'embedded', tls: {}, electionId: 1, clientName: 'vrfsync' },
  translate: { portMap: new Map(), excludedVrfs: new Set() },
  tableFull: 'safe',
  batch: { maxUpdates: 10000, windowMs: 2, inflight: 2 },
  log: { level: 'info' },
  metrics: null,
  metricsTls: {},
  statusSocket: null,
  // src/netlink/subscription.ts DEFAULT_RCVBUF (not imported: that module loads the native binding).
  netlink: { receiveBuffer: 32 * 1024 * 1024 },
};

/** What one source (the file, the flags) says; absent keys leave the layer below in force. */
export interface ConfigLayer {
  driver?: { address?: string; tls?: TlsOptions; electionId?: number; clientName?: string };
  translate?: { portMap?: Map<string, string>; excludedVrfs?: Set<string> };
  tableFull?: TableFullPolicy;
  batch?: Partial<AgentConfig['batch']>;
  log?: { level?: string };
  metrics?: string;
  metricsTls?: MetricsTls;
  statusSocket?: string;
  netlink?: { receiveBuffer?: number };
}

export interface RunFlags {
  driver?: string;
  config?: string;
  once?: boolean;
  insecure?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  electionId?: number;
  /** "eth1=swp1" items. */
  portMap?: string[];
  excludeVrf?: string[];
  tableFull?: string;
  batchSize?: number;
  batchWindowMs?: number;
  inflight?: number;
  logLevel?: string;
  metrics?: string;
  metricsTlsCert?: string;
  metricsTlsKey?: string;
  metricsTlsClientCa?: string;
  statusSocket?: string;
  netlinkRcvbuf?: number;
}

export class ConfigError extends Error {
  readonly code = 'VRFSYNC_CONFIG';
}

// ---- value checks shared by the file and the flags: each returns the value or throws Expected

class Expected extends Error {}

function driverAddress(v: unknown): string {
  const s = nonEmpty(v, 'embedded, unix:/path or HOST:PORT');
  if (s === 'embedded') return s;
  try {
    parseAddress(s);
  } catch (err) {
    throw new Expected(`embedded, unix:/path or HOST:PORT (${(err as Error).message})`);
  }
  return s;
}

function tcpAddress(v: unknown): string {
  const s = nonEmpty(v, 'HOST:PORT');
  let kind;
  try {
    kind = parseAddress(s).kind;
  } catch (err) {
    throw new Expected(`HOST:PORT (${(err as Error).message})`);
  }
  if (kind !== 'tcp') throw new Expected('HOST:PORT');
  return s;
}

function nonEmpty(v: unknown, what = 'a non-empty string'): string {
  if (typeof v !== 'string' || v === '') throw new Expected(what);
  return v;
}

/** Linux's dev_valid_name: at most 15 bytes, not . or .., no '/', ':' or whitespace. */
function netdevName(v: unknown): string {
  const what = 'a netdev name (1 to 15 characters, no /, : or whitespace)';
  const s = nonEmpty(v, what);
  if (Buffer.byteLength(s) > 15 || s === '.' || s === '..' || /[/:\s]/.test(s)) throw new Expected(what);
  return s;
}

function oneOf(choices: readonly string[]) {
  return (v: unknown): string => {
    if (typeof v !== 'string' || !choices.includes(v)) throw new Expected(`one of ${choices.join(', ')}`);
    return v;
  };
}

function integer(min: number, what: string) {
  return (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Expected(what);
    return v;
  };
}

const positive = integer(1, 'a positive integer');
const electionId = integer(0, 'a non-negative integer below 2^53');

/** "eth1=swp1,eth2=swp2" -> ["eth1=swp1", "eth2=swp2"], each item checked. */
function portItems(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Expected('KERNEL=PORT[,KERNEL=PORT...]');
  for (const item of items) portItem(item);
  return items;
}

function portItem(item: string): [string, string] {
  const m = /^([^=]+)=([^=]+)$/.exec(item);
  if (!m) throw new Expected(`KERNEL=PORT, not ${JSON.stringify(item)}`);
  return [netdevName(m[1]!.trim()), nonEmpty(m[2]!.trim())];
}

/** Two netdevs on one driver port would give it two router interfaces: [first, second, port]. */
function sharedPort(map: ReadonlyMap<string, string>): [string, string, string] | null {
  const owner = new Map<string, string>();
  for (const [dev, port] of map) {
    const other = owner.get(port);
    if (other !== undefined) return [other, dev, port];
    owner.set(port, dev);
  }
  return null;
}

const sharedMessage = ([a, b, port]: [string, string, string]) => `${a} and ${b} both map to driver port ${port}`;

// ---- the file

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

const formatKeys = (keys: readonly (string | number)[]) =>
  keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('') || '(top level)';

/** Reads one parsed document, failing with the file, line and key path of the first problem. */
class FileReader {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  fail(keys: (string | number)[], problem: string): never {
    const at = this.at(keys);
    const line = at === undefined ? '' : `:${this.lines.linePos(at).line}`;
    throw new ConfigError(`${this.file}${line}: ${formatKeys(keys)}: ${problem}`);
  }

  /** Where `keys` is written: its key in a mapping (a block value starts on the next line), else its value. */
  private at(keys: (string | number)[]): number | undefined {
    const last = keys.at(-1);
    const parent = keys.length ? this.doc.getIn(keys.slice(0, -1), true) : undefined;
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last)) : undefined;
    const node = (isScalar(pair?.key) ? pair.key : this.doc.getIn(keys, true)) as { range?: [number, number, number] } | undefined;
    return node?.range?.[0];
  }

  /** `check(value)` at `keys`, or undefined when the key is absent. */
  value<T>(keys: (string | number)[], value: unknown, check: (v: unknown) => T): T | undefined {
    if (value === undefined) return undefined;
    try {
      return check(value);
    } catch (err) {
      if (!(err instanceof Expected)) throw err;
      return this.fail(keys, `expected ${err.message}, got ${describeValue(value)}`);
    }
  }

  /** A mapping with only `allowed` keys; null (an empty section) is the same as absent. */
  section(keys: (string | number)[], value: unknown, allowed: readonly string[] | null): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return this.fail(keys, `expected a mapping, got ${describeValue(value)}`);
    const record = value as Record<string, unknown>;
    const unknown = allowed && Object.keys(record).find((k) => !allowed.includes(k));
    if (unknown) this.fail([...keys, unknown], `unknown key (expected one of ${allowed.join(', ')})`);
    return record;
  }
}

const undefinedDropped = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Parses and checks a configuration file's text; `path` names it in errors and anchors relative paths. */
export function parseConfigFile(text: string, path: string): ConfigLayer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, col } = lines.linePos(problem.pos[0]);
    throw new ConfigError(`${path}:${line}:${col}: not valid YAML: ${problem.message}`);
  }
  const r = new FileReader(path, doc, lines);
  const root = r.section([], doc.toJS() ?? {}, ['driver', 'ports', 'excludeVrfs', 'tableFull', 'batch', 'log', 'metrics', 'metricsTls', 'statusSocket', 'netlink'])!;
  const here = (p: string) => resolve(dirname(path), p);
  /** A file named at `at`, relative to the configuration file's folder. */
  const fileAt = (at: (string | number)[], v: unknown) => {
    const name = r.value(at, v, nonEmpty);
    return name === undefined ? undefined : here(name);
  };
  const layer: ConfigLayer = {};

  const d = r.section(['driver'], root.driver, ['address', 'insecure', 'tls', 'electionId', 'clientName']);
  if (d) {
    const t = r.section(['driver', 'tls'], d.tls, ['ca', 'cert', 'key', 'serverName']) ?? {};
    const file = (key: string) => fileAt(['driver', 'tls', key], t[key]);
    const tls: TlsOptions = undefinedDropped({
      insecure: r.value(['driver', 'insecure'], d.insecure, (v) => {
        if (typeof v !== 'boolean') throw new Expected('true or false');
        return v;
      }),
      ca: file('ca'),
      cert: file('cert'),
      key: file('key'),
      serverName: r.value(['driver', 'tls', 'serverName'], t.serverName, nonEmpty),
    });
    layer.driver = undefinedDropped({
      address: r.value(['driver', 'address'], d.address, driverAddress),
      tls,
      electionId: r.value(['driver', 'electionId'], d.electionId, electionId),
      clientName: r.value(['driver', 'clientName'], d.clientName, nonEmpty),
    });
  }

  const ports = r.section(['ports'], root.ports, null);
  const excluded = root.excludeVrfs;
  if (ports || (excluded !== undefined && excluded !== null)) {
    const portMap = new Map<string, string>();
    for (const [dev, port] of Object.entries(ports ?? {})) {
      r.value(['ports', dev], dev, netdevName);
      portMap.set(dev, r.value(['ports', dev], port, (v) => nonEmpty(v, 'a driver port name (quote one YAML reads as a number)'))!);
    }
    const shared = sharedPort(portMap);
    if (shared) r.fail(['ports', shared[1]], sharedMessage(shared));
    if (excluded !== undefined && excluded !== null && !Array.isArray(excluded)) {
      r.fail(['excludeVrfs'], `expected a list of VRF names, got ${describeValue(excluded)}`);
    }
    const names = ((excluded ?? []) as unknown[]).map((v, i) => r.value(['excludeVrfs', i], v, netdevName)!);
    layer.translate = { portMap, excludedVrfs: new Set(names) };
  }

  const b = r.section(['batch'], root.batch, ['maxUpdates', 'windowMs', 'inflight']);
  if (b) {
    layer.batch = undefinedDropped({
      maxUpdates: r.value(['batch', 'maxUpdates'], b.maxUpdates, positive),
      windowMs: r.value(['batch', 'windowMs'], b.windowMs, positive),
      inflight: r.value(['batch', 'inflight'], b.inflight, positive),
    });
  }
  const n = r.section(['netlink'], root.netlink, ['receiveBuffer']);
  if (n) layer.netlink = undefinedDropped({ receiveBuffer: r.value(['netlink', 'receiveBuffer'], n.receiveBuffer, positive) });
  const l = r.section(['log'], root.log, ['level']);
  if (l) layer.log = undefinedDropped({ level: r.value(['log', 'level'], l.level, oneOf(LOG_LEVELS)) });

  const tableFull = r.value(['tableFull'], root.tableFull, oneOf(TABLE_FULL_POLICIES)) as TableFullPolicy | undefined;
  if (tableFull) layer.tableFull = tableFull;
  // null: said explicitly that there is none, which is also the default.
  if (root.metrics !== null) {
    const metrics = r.value(['metrics'], root.metrics, tcpAddress);
    if (metrics) layer.metrics = metrics;
  }
  const mt = r.section(['metricsTls'], root.metricsTls, ['cert', 'key', 'clientCa']);
  if (mt) {
    const file = (key: 'cert' | 'key' | 'clientCa') => fileAt(['metricsTls', key], mt[key]);
    layer.metricsTls = undefinedDropped({ cert: file('cert'), key: file('key'), clientCa: file('clientCa') });
  }
  if (root.statusSocket !== null) {
    const socket = r.value(['statusSocket'], root.statusSocket, nonEmpty);
    if (socket) layer.statusSocket = here(socket);
  }
  return layer;
}

// ---- the flags

/** A commander argument parser from a value check. */
function flag<T>(check: (v: unknown) => T) {
  return (text: string): T => {
    try {
      return check(text);
    } catch (err) {
      if (err instanceof Expected) throw new InvalidArgumentError(`expected ${err.message}`);
      throw err;
    }
  };
}

function integerFlag(check: (v: unknown) => number) {
  return flag((text) => {
    if (typeof text !== 'string' || !/^\d+$/.test(text)) return check(NaN);
    return check(Number(text));
  });
}

/** Adds `vrfsync run`'s flags. None has a commander default: an absent flag must not override the file. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--driver <addr>', 'driver: embedded (an hwsim child on a private socket, the default), unix:/path/to.sock or HOST:PORT (TLS)', flag(driverAddress))
    .option('--config <file>', 'YAML configuration file; flags override it')
    .option('--once', 'sync once, then exit')
    .option('--insecure', 'TCP without TLS')
    .option('--tls-ca <file>', 'CA bundle that signs the driver certificate')
    .option('--tls-cert <file>', 'client certificate (when the driver requires one)')
    .option('--tls-key <file>', 'key of the client certificate')
    .option('--tls-server-name <name>', 'name to verify in the driver certificate, when it differs from HOST')
    .option('--election-id <n>', 'arbitration election id (default 1; the highest is primary)', integerFlag(electionId))
    .option('--port-map <kernel=port,...>', 'kernel netdev to driver port (repeatable; default: the same name)', (text: string, prev?: string[]) => [
      ...(prev ?? []),
      ...flag((v) => portItems(v as string))(text),
    ])
    .option('--exclude-vrf <name>', 'VRF never offloaded (repeatable)', (text: string, prev?: string[]) => [...(prev ?? []), flag(netdevName)(text)])
    .option('--table-full <safe|retry>', 'what to do when a hardware table is full (default safe)', flag(oneOf(TABLE_FULL_POLICIES)))
    .option('--batch-size <n>', 'most updates in one Write (default 10000)', integerFlag(positive))
    .option('--batch-window-ms <n>', 'how long changes gather before a Write (default 2)', integerFlag(positive))
    .option('--inflight <n>', 'Writes in flight at once (default 2)', integerFlag(positive))
    .option('--log-level <level>', `pino log level: ${LOG_LEVELS.join(' ')} (default info)`, flag(oneOf(LOG_LEVELS)))
    .option('--metrics <host:port>', 'serve Prometheus /metrics on HOST:PORT', flag(tcpAddress))
    .option('--metrics-tls-cert <file>', 'serve /metrics as HTTPS with this certificate (with --metrics-tls-key)')
    .option('--metrics-tls-key <file>', 'key of the metrics certificate')
    .option('--metrics-tls-client-ca <file>', 'mutual TLS for /metrics: only scrapers with a certificate this CA signed')
    .option('--status-socket <path>', 'unix socket of the status API')
    .option('--netlink-rcvbuf <bytes>', 'receive buffer of the kernel event socket (default 32 MiB; an overrun costs a full resync)', integerFlag(positive));
}

/** The flags as a layer, checked again: a caller may build RunFlags without commander. */
function flagLayer(f: RunFlags): ConfigLayer {
  const check = <T>(name: string, value: unknown, fn: (v: unknown) => T): T | undefined => {
    if (value === undefined) return undefined;
    try {
      return fn(value);
    } catch (err) {
      if (err instanceof Expected) throw new ConfigError(`${name}: expected ${err.message}, got ${describeValue(value)}`);
      throw err;
    }
  };
  const portMap = new Map((f.portMap ?? []).flatMap((text) => check('--port-map', text, (v) => portItems(v as string).map(portItem))!));
  const shared = sharedPort(portMap);
  if (shared) throw new ConfigError(`--port-map: ${sharedMessage(shared)}`);
  return undefinedDropped({
    driver: undefinedDropped({
      address: check('--driver', f.driver, driverAddress),
      tls: undefinedDropped({ insecure: f.insecure, ca: f.tlsCa, cert: f.tlsCert, key: f.tlsKey, serverName: f.tlsServerName }),
      electionId: check('--election-id', f.electionId, electionId),
    }),
    translate: {
      portMap,
      excludedVrfs: new Set((f.excludeVrf ?? []).map((v) => check('--exclude-vrf', v, netdevName)!)),
    },
    tableFull: check('--table-full', f.tableFull, oneOf(TABLE_FULL_POLICIES)) as TableFullPolicy | undefined,
    batch: undefinedDropped({
      maxUpdates: check('--batch-size', f.batchSize, positive),
      windowMs: check('--batch-window-ms', f.batchWindowMs, positive),
      inflight: check('--inflight', f.inflight, positive),
    }),
    log: undefinedDropped({ level: check('--log-level', f.logLevel, oneOf(LOG_LEVELS)) }),
    metrics: check('--metrics', f.metrics, tcpAddress),
    metricsTls: undefinedDropped({
      cert: check('--metrics-tls-cert', f.metricsTlsCert, nonEmpty),
      key: check('--metrics-tls-key', f.metricsTlsKey, nonEmpty),
      clientCa: check('--metrics-tls-client-ca', f.metricsTlsClientCa, nonEmpty),
    }),
    statusSocket: check('--status-socket', f.statusSocket, nonEmpty),
    netlink: undefinedDropped({ receiveBuffer: check('--netlink-rcvbuf', f.netlinkRcvbuf, positive) }),
  });
}

// ---- layering

function merge(base: AgentConfig, layer: ConfigLayer): AgentConfig {
  return {
    driver: {
      ...base.driver,
      ...layer.driver,
      tls: { ...base.driver.tls, ...layer.driver?.tls },
    },
    translate: {
      portMap: new Map([...base.translate.portMap, ...(layer.translate?.portMap ?? [])]),
      excludedVrfs: new Set([...base.translate.excludedVrfs, ...(layer.translate?.excludedVrfs ?? [])]),
    },
    tableFull: layer.tableFull ?? base.tableFull,
    batch: { ...base.batch, ...layer.batch },
    log: { ...base.log, ...layer.log },
    metrics: layer.metrics ?? base.metrics,
    metricsTls: { ...base.metricsTls, ...layer.metricsTls },
    statusSocket: layer.statusSocket ?? base.statusSocket,
    netlink: { ...base.netlink, ...layer.netlink },
  };
}

/** DEFAULTS, then the file (`file`, else `flags.config`), then the flags. */
export function loadConfig(opts: { file?: string; flags: RunFlags }): AgentConfig {
  const file = opts.file ?? opts.flags.config;
  let config = merge(DEFAULTS, {});
  if (file !== undefined) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
    }
    config = merge(config, parseConfigFile(text, file));
  }
  config = merge(config, flagLayer(opts.flags));
  const shared = sharedPort(config.translate.portMap);
  if (shared) throw new ConfigError(`ports${file ? ` (${file} with --port-map)` : ''}: ${sharedMessage(shared)}`);
  const mt = config.metricsTls;
  if ((mt.cert === undefined) !== (mt.key === undefined)) {
    throw new ConfigError('metrics TLS needs both a certificate and its key (metricsTls cert and key, or --metrics-tls-cert and --metrics-tls-key)');
  }
  if (mt.clientCa !== undefined && mt.cert === undefined) {
    throw new ConfigError('a metrics client CA (mutual TLS) needs the metrics certificate and key too');
  }
  return config;
}

/** A JSON-friendly view for logging: maps as objects, sets as arrays. */
export function describeConfig(c: AgentConfig): object {
  return {
    ...c,
    translate: { portMap: Object.fromEntries(c.translate.portMap), excludedVrfs: [...c.translate.excludedVrfs] },
  };
}
