// `vrfsync replay FILE --driver ADDR [--speed X|max]`: feeds a recording (vrfsync record)
// through the agent, with no kernel: a replay session stands in for the live one, and everything
// after it (translation, planning, writes to the driver) is the agent as it runs. With --speed
// max (the default) each batch of events goes once the agent has written the previous one, so
// the same recording gives the same driver updates every time.
// Exits 0 once the recording is replayed and the agent has converged, printing one JSON line as
// `vrfsync run --once` does, plus "messages" replayed. Logs (pino, JSON) go to stderr.
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { Agent, memory } from '../agent/agent.ts';
import { ConfigError, loadConfig, type RunFlags } from '../agent/config.ts';
import { ReplaySession } from '../kernel/replay-session.ts';
import { CaptureReader } from '../record/capture.ts';
import { PcapFormatError } from '../record/pcap.ts';
import { addDriverOptions } from './driver-options.ts';
import type { OnceReport } from './run-command.ts';

export interface ReplayReport extends OnceReport {
  /** Netlink messages replayed (dump replies and events). */
  messages: number;
}

type ReplayFlags = Pick<RunFlags, 'driver' | 'config' | 'insecure' | 'tlsCa' | 'tlsCert' | 'tlsKey' | 'tlsServerName'
  | 'portMap' | 'excludeVrf' | 'tableFull' | 'batchSize' | 'logLevel'> & { speed: number | 'max' };

export async function runReplay(file: string, flags: ReplayFlags): Promise<number> {
  const t0 = performance.now();
  let config;
  let reader: CaptureReader;
  try {
    config = loadConfig({ file: flags.config, flags });
    if (config.driver.address === 'embedded') throw new ConfigError('replay writes to a driver given with --driver unix:/path or HOST:PORT');
    reader = CaptureReader.open(file);
  } catch (err) {
    if (!(err instanceof ConfigError || err instanceof PcapFormatError || (err as { code?: string }).code === 'ENOENT')) throw err;
    process.stderr.write(`vrfsync replay: ${(err as Error).message}\n`);
    return 2;
  }
  const logger = pino({ level: config.log.level, base: { name: 'vrfsync' } }, pino.destination({ dest: 2, sync: false }));
  const session = new ReplaySession(reader);
  session.on('warning', (msg: string) => logger.warn(msg));
  const agent = new Agent({
    driverAddress: config.driver.address, tls: config.driver.tls, electionId: config.driver.electionId, clientName: config.driver.clientName,
    translate: config.translate, tableFull: config.tableFull, logger, session,
    // At full speed the session hands over whole batches: waiting for more would only add time.
    batch: flags.speed === 'max' ? { ...config.batch, windowMs: 0 } : config.batch,
  });
  try {
    await agent.start();
    await agent.converged();
    logger.info({ ...agent.summary(), ms: Math.round(performance.now() - t0) }, 'initial dumps synced');
    await session.play({ speed: flags.speed, settled: () => agent.idle() });
    await agent.idle();
    await agent.converged();
    const s = agent.summary();
    const report: ReplayReport = {
      vrfs: s.vrfs, rifs: s.rifs, neighbors: s.neighbors, nexthops: s.nexthops, groups: s.groups, routes: s.routes,
      failed: s.failed, writes: agent.stats.updates, ms: Math.round(performance.now() - t0), messages: session.replay.messages,
    };
    logger.info({ replay: session.replay, resyncs: session.stats.resyncs, maxRssKb: process.resourceUsage().maxRSS, memory: memory() }, 'replayed');
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await agent.stop().catch((err: unknown) => logger.error({ err }, 'stopping the agent'));
    logger.flush();
  }
}

function speed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new InvalidArgumentError('expected max or a positive number');
  return n;
}

function collect(text: string, prev?: string[]) {
  return [...(prev ?? []), text];
}

export function registerReplayCommand(program: Command): void {
  addDriverOptions(program
    .command('replay')
    .description('replay a recording (vrfsync record) through the agent into a driver, with no kernel')
    .argument('<file>', 'pcap file written by vrfsync record'))
    .option('--speed <x|max>', 'max: each batch once the previous one is written (deterministic, the default); X: recorded time / X', speed, 'max' as const)
    .option('--config <file>', "vrfsync run's YAML configuration (port map, excluded VRFs, batch); flags override it")
    .option('--port-map <kernel=port,...>', 'recorded netdev to driver port (repeatable; default: the same name)', collect)
    .option('--exclude-vrf <name>', 'VRF never offloaded (repeatable)', collect)
    .option('--table-full <safe|retry>', 'what to do when a hardware table is full (default safe)')
    .option('--batch-size <n>', 'most updates in one Write (default 10000)', (v) => Number(v))
    .option('--log-level <level>', 'pino log level (default info)')
    .action(async (file: string, flags: ReplayFlags) => {
      process.exitCode = await runReplay(file, flags);
    });
}
