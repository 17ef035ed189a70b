import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { addRunOptions, ConfigError, DEFAULTS, describeConfig, loadConfig, parseConfigFile, type RunFlags } from '../../src/agent/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'vrfsync-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function configFile(text: string): string {
  const path = join(dir, `config-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

const FULL = `
driver:
  address: 10.0.0.1:50051
  insecure: false
  tls: { ca: ca.pem, cert: /etc/vrfsync/client.pem, key: client.key, serverName: asic.example }
  electionId: 7
  clientName: edge-1
ports:
  eth1: swp1
  eth2: swp2
excludeVrfs: [mgmt, oob]
tableFull: retry
batch: { maxUpdates: 1000, windowMs: 5, inflight: 2 }
log: { level: debug }
metrics: 127.0.0.1:9108
metricsTls: { cert: metrics.pem, key: /etc/vrfsync/metrics.key, clientCa: prometheus-ca.pem }
statusSocket: /run/vrfsync/agent.sock
netlink: { receiveBuffer: 8388608 }
`;

/** Parses argv as `vrfsync run` would, throwing instead of exiting. */
function parseFlags(argv: string[]): RunFlags {
  const cmd = addRunOptions(new Command('run')).exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<RunFlags>();
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('VRFSYNC_CONFIG');
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function flagErrorOf(argv: string[]): CommanderError {
  try {
    parseFlags(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.invalidArgument');
    return err as CommanderError;
  }
  throw new Error('expected an invalid argument');
}

describe('config file', () => {
  it('parses every key', () => {
    const path = configFile(FULL);
    const c = loadConfig({ file: path, flags: {} });
    expect(c).toEqual({
      driver: {
        address: '10.0.0.1:50051',
        // Relative TLS paths are relative to the file's folder.
        tls: { insecure: false, ca: join(dir, 'ca.pem'), cert: '/etc/vrfsync/client.pem', key: join(dir, 'client.key'), serverName: 'asic.example' },
        electionId: 7,
        clientName: 'edge-1',
      },
      translate: { portMap: new Map([['eth1', 'swp1'], ['eth2', 'swp2']]), excludedVrfs: new Set(['mgmt', 'oob']) },
      tableFull: 'retry',
      batch: { maxUpdates: 1000, windowMs: 5, inflight: 2 },
      log: { level: 'debug' },
      metrics: '127.0.0.1:9108',
      metricsTls: { cert: join(dir, 'metrics.pem'), key: '/etc/vrfsync/metrics.key', clientCa: join(dir, 'prometheus-ca.pem') },
      statusSocket: '/run/vrfsync/agent.sock',
      netlink: { receiveBuffer: 8388608 },
    });
    expect(JSON.parse(JSON.stringify(describeConfig(c)))).toMatchObject({
      translate: { portMap: { eth1: 'swp1', eth2: 'swp2' }, excludedVrfs: ['mgmt', 'oob'] },
    });
  });

  it('gives the defaults without a file or flags, and for an empty file or empty sections', () => {
    expect(loadConfig({ flags: {} })).toEqual(DEFAULTS);
    expect(loadConfig({ file: configFile('# nothing yet\n'), flags: {} })).toEqual(DEFAULTS);
    expect(loadConfig({ file: configFile('ports:\nexcludeVrfs:\nbatch:\nmetrics:\n'), flags: {} })).toEqual(DEFAULTS);
    expect(DEFAULTS.translate.portMap.size).toBe(0);
  });

  it('keeps the defaults for keys the file leaves out', () => {
    const c = loadConfig({ file: configFile('batch: { inflight: 8 }\ndriver: { address: unix:/run/asic.sock }\n'), flags: {} });
    expect(c.batch).toEqual({ maxUpdates: 10000, windowMs: 2, inflight: 8 });
    expect(c.driver).toEqual({ address: 'unix:/run/asic.sock', tls: {}, electionId: 1, clientName: 'vrfsync' });
  });

  it.each([
    ['driver:\n  adress: embedded\n', 'driver.adress: unknown key (expected one of address, insecure, tls, electionId, clientName)', 2],
    ['driver:\n  tls: { ca: a, crt: b }\n', 'driver.tls.crt: unknown key', 2],
    ['port:\n  eth1: swp1\n', 'port: unknown key', 1],
    ['batch:\n  maxUpdates:\n    - 1\n', 'batch.maxUpdates: expected a positive integer, got a list', 2],
    ['batch:\n  maxUpdates: many\n', 'batch.maxUpdates: expected a positive integer, got "many"', 2],
    ['batch: { windowMs: 0 }\n', 'batch.windowMs: expected a positive integer, got 0', 1],
    ['batch: { inflight: 1.5 }\n', 'batch.inflight: expected a positive integer, got 1.5', 1],
    ['driver: { electionId: -1 }\n', 'driver.electionId: expected a non-negative integer below 2^53, got -1', 1],
    ['driver: { electionId: 9007199254740992 }\n', 'driver.electionId: expected a non-negative integer below 2^53', 1],
    ['driver: { insecure: yes }\n', 'driver.insecure: expected true or false, got "yes"', 1],
    ['driver:\n  address: somewhere\n', 'driver.address: expected embedded, unix:/path or HOST:PORT', 2],
    ['driver:\n  address: host:99999\n', 'driver.address: expected embedded, unix:/path or HOST:PORT (bad address "host:99999": port out of range)', 2],
    ['tableFull: drop\n', 'tableFull: expected one of safe, retry, got "drop"', 1],
    ['tableFull:\n', 'tableFull: expected one of safe, retry, got nothing', 1],
    ['log: { level: verbose }\n', 'log.level: expected one of fatal, error, warn, info, debug, trace, silent', 1],
    ['metrics: unix:/run/m.sock\n', 'metrics: expected HOST:PORT', 1],
    ['metrics: 9108\n', 'metrics: expected HOST:PORT', 1],
    ['excludeVrfs: mgmt\n', 'excludeVrfs: expected a list of VRF names, got "mgmt"', 1],
    ['excludeVrfs:\n  - mgmt\n  - 12\n', 'excludeVrfs[1]: expected a netdev name', 3],
    ['ports:\n  eth1: 10\n', 'ports.eth1: expected a driver port name', 2],
    ['ports:\n  eth1: swp1\n  eth2: swp1\n', 'ports.eth2: eth1 and eth2 both map to driver port swp1', 3],
    ['ports: [eth1]\n', 'ports: expected a mapping, got a list', 1],
    ['batch: 5000\n', 'batch: expected a mapping, got 5000', 1],
    ['- driver\n', '(top level): expected a mapping, got a list', 1],
  ])('rejects %j naming the key', (text, message, line) => {
    const path = configFile(text);
    const err = configErrorOf(() => loadConfig({ file: path, flags: {} }));
    expect(err.message).toContain(`${path}:${line}: ${message}`);
  });

  it('rejects YAML it cannot read, and repeated keys, with the line', () => {
    expect(configErrorOf(() => parseConfigFile('batch: { maxUpdates: 1\n', 'x.yaml')).message).toMatch(/^x\.yaml:\d+:\d+: not valid YAML: /);
    expect(configErrorOf(() => parseConfigFile('ports:\n  eth1: swp1\n  eth1: swp2\n', 'x.yaml')).message).toMatch(/^x\.yaml:3:3: not valid YAML: .*unique/);
  });

  it('names a file it cannot read', () => {
    const missing = join(dir, 'missing.yaml');
    expect(configErrorOf(() => loadConfig({ flags: { config: missing } })).message).toContain(`cannot read configuration file ${missing}`);
  });
});

describe('flags', () => {
  it('override the file, and add to its ports and exclusions', () => {
    const file = configFile(FULL);
    const flags = parseFlags([
      '--config', file,
      '--driver', 'unix:/run/other.sock',
      '--insecure',
      '--tls-server-name', 'other.example',
      '--election-id', '0',
      '--port-map', 'eth2=swp9,eth3=swp3',
      '--port-map', 'eth4=swp4',
      '--exclude-vrf', 'blue',
      '--table-full', 'safe',
      '--batch-size', '200',
      '--batch-window-ms', '10',
      '--inflight', '1',
      '--log-level', 'warn',
      '--metrics', '[::1]:9200',
      '--metrics-tls-cert', '/tmp/m.pem',
      '--status-socket', '/tmp/s.sock',
      '--netlink-rcvbuf', '4096',
      '--once',
    ]);
    expect(flags.portMap).toEqual(['eth2=swp9', 'eth3=swp3', 'eth4=swp4']);
    expect(flags.once).toBe(true);
    const c = loadConfig({ flags });
    expect(c).toEqual({
      driver: {
        address: 'unix:/run/other.sock',
        tls: { insecure: true, ca: join(dir, 'ca.pem'), cert: '/etc/vrfsync/client.pem', key: join(dir, 'client.key'), serverName: 'other.example' },
        electionId: 0,
        clientName: 'edge-1',
      },
      translate: {
        portMap: new Map([['eth1', 'swp1'], ['eth2', 'swp9'], ['eth3', 'swp3'], ['eth4', 'swp4']]),
        excludedVrfs: new Set(['mgmt', 'oob', 'blue']),
      },
      tableFull: 'safe',
      batch: { maxUpdates: 200, windowMs: 10, inflight: 1 },
      log: { level: 'warn' },
      metrics: '[::1]:9200',
      metricsTls: { cert: '/tmp/m.pem', key: '/etc/vrfsync/metrics.key', clientCa: join(dir, 'prometheus-ca.pem') },
      statusSocket: '/tmp/s.sock',
      netlink: { receiveBuffer: 4096 },
    });
  });

  it('refuse half a metrics TLS setup', () => {
    expect(configErrorOf(() => loadConfig({ flags: parseFlags(['--metrics', '127.0.0.1:9108', '--metrics-tls-cert', '/tmp/m.pem']) })).message)
      .toMatch(/both a certificate and its key/);
    expect(configErrorOf(() => loadConfig({ file: configFile('metricsTls: { key: m.key }\n'), flags: {} })).message).toMatch(/both a certificate and its key/);
    expect(configErrorOf(() => loadConfig({ flags: parseFlags(['--metrics-tls-client-ca', '/tmp/ca.pem']) })).message).toMatch(/needs the metrics certificate/);
    expect(configErrorOf(() => loadConfig({ file: configFile('metricsTls: { cert: a, key: b, ca: c }\n'), flags: {} })).message).toMatch(/ca/);
  });

  it('leave the file alone when absent: no commander defaults', () => {
    const flags = parseFlags([]);
    expect(Object.keys(flags)).toEqual([]);
    expect(loadConfig({ file: configFile('tableFull: retry\n'), flags }).tableFull).toBe('retry');
  });

  it('take the port map repeated or comma-separated', () => {
    const repeated = parseFlags(['--port-map', 'eth1=swp1', '--port-map', 'eth2=swp2']);
    const commas = parseFlags(['--port-map', 'eth1=swp1, eth2=swp2']);
    expect(repeated.portMap).toEqual(['eth1=swp1', 'eth2=swp2']);
    expect(commas.portMap).toEqual(['eth1=swp1', 'eth2=swp2']);
    expect(loadConfig({ flags: commas }).translate.portMap).toEqual(new Map([['eth1', 'swp1'], ['eth2', 'swp2']]));
  });

  it.each([
    [['--driver', 'nowhere'], 'expected embedded, unix:/path or HOST:PORT'],
    [['--election-id', '-1'], 'expected a non-negative integer below 2^53'],
    [['--election-id', '9007199254740992'], 'expected a non-negative integer below 2^53'],
    [['--batch-size', '0'], 'expected a positive integer'],
    [['--batch-window-ms', '2ms'], 'expected a positive integer'],
    [['--inflight', '1.5'], 'expected a positive integer'],
    [['--table-full', 'drop'], 'expected one of safe, retry'],
    [['--log-level', 'loud'], 'expected one of fatal, error'],
    [['--metrics', 'unix:/x.sock'], 'expected HOST:PORT'],
    [['--port-map', 'eth1'], 'expected KERNEL=PORT, not "eth1"'],
    [['--port-map', 'eth1=swp1,=swp2'], 'expected KERNEL=PORT'],
    [['--port-map', ','], 'expected KERNEL=PORT[,KERNEL=PORT...]'],
    [['--exclude-vrf', 'a/b'], 'expected a netdev name'],
  ])('reject %j', (argv, message) => {
    const err = flagErrorOf(argv);
    expect(err.message).toContain(argv[0]);
    expect(err.message).toContain(message);
  });

  it('are checked again when built without commander', () => {
    expect(configErrorOf(() => loadConfig({ flags: { tableFull: 'drop' } })).message).toBe('--table-full: expected one of safe, retry, got "drop"');
    expect(configErrorOf(() => loadConfig({ flags: { batchSize: 0 } })).message).toBe('--batch-size: expected a positive integer, got 0');
    expect(configErrorOf(() => loadConfig({ flags: { portMap: ['eth1=swp1', 'eth2=swp1'] } })).message).toBe(
      '--port-map: eth1 and eth2 both map to driver port swp1',
    );
  });

  it('may not put a second netdev on a port the file maps', () => {
    const file = configFile('ports: { eth1: swp1 }\n');
    const err = configErrorOf(() => loadConfig({ file, flags: { portMap: ['eth5=swp1'] } }));
    expect(err.message).toBe(`ports (${file} with --port-map): eth1 and eth5 both map to driver port swp1`);
  });
});
