// `vrfsync run [--driver ADDR] [--config FILE] [--once] ...`: the agent.
// Logs (pino, JSON) go to stderr, so that stdout carries only what scripts read: with --once,
// one JSON line once the first full sync has converged.
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { Agent, memory } from '../agent/agent.ts';
import { addRunOptions, loadConfig, describeConfig, type AgentConfig, type RunFlags } from '../agent/config.ts';
import { startEmbeddedHwsim, type EmbeddedHwsim } from '../agent/embedded-hwsim.ts';
import { progressReporter } from '../agent/progress.ts';
import { startMetricsServer } from '../status/metrics.ts';
import { tableCounts } from '../status/report.ts';
import { startStatusServer } from '../status/status-server.ts';
import { defaultStatusSocket, ensureSocketDir } from '../status/status-socket.ts';
import { SocketPathError, socketInUse } from '../common/grpc-bind.ts';
import { tuneMalloc } from '../common/malloc-tuning.ts';

export interface OnceReport {
  vrfs: number;
  rifs: number;
  neighbors: number;
  nexthops: number;
  groups: number;
  routes: number;
  failed: number;
  /** Updates sent. */
  writes: number;
  /** From start to the first converged sync. */
  ms: number;
}

export async function runAgent(flags: RunFlags & { lagReportMs?: number }): Promise<number> {
  const t0 = performance.now();
  const untuned = tuneMalloc();
  const config = loadConfig({ file: flags.config, flags });
  const logger = pino({ level: config.log.level, base: { name: 'vrfsync' } }, pino.destination({ dest: 2, sync: false }));
  logger.info({ config: describeConfig(config) }, 'starting');
  if (untuned) logger.warn({ reason: untuned }, 'allocator left at its defaults: a higher memory peak on large tables');
  let embedded: EmbeddedHwsim | null = null;
  let address = config.driver.address;
  if (address === 'embedded') {
    embedded = await startEmbeddedHwsim();
    address = embedded.address;
    logger.info({ address, pid: embedded.pid }, 'embedded hwsim started');
  }
  const agent = new Agent({
    driverAddress: address, tls: config.driver.tls, electionId: config.driver.electionId, clientName: config.driver.clientName,
    translate: config.translate, tableFull: config.tableFull, batch: config.batch, logger, lagReportMs: flags.lagReportMs,
    kernel: { recvBufferSize: config.netlink.receiveBuffer },
  });
  // The first sync of a large table shows its progress: a bar on a terminal, lines otherwise.
  const progress = progressReporter(process.stdout.isTTY ? process.stdout : process.stderr);
  const onProgress = (p: { done: number; total: number; phase: string }) => {
    if (p.total >= 10_000) progress.update(p.done, p.total, p.phase);
  };
  agent.on('progress', onProgress);

  const services = await startServices(agent, config, logger);
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= (async () => {
    await services.close();
    await agent.stop().catch((err: unknown) => logger.error({ err }, 'stopping the agent'));
    await embedded?.stop();
    logger.flush();
  })());
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // SIGHUP: read the configuration again and apply what can change without a restart.
  const onHup = () => {
    try {
      const next = loadConfig({ file: flags.config, flags });
      logger.level = next.log.level;
      agent.reconfigure({ translate: next.translate, tableFull: next.tableFull, batch: next.batch });
      for (const k of ['driver', 'metrics', 'metricsTls', 'statusSocket', 'netlink'] as const) {
        if (JSON.stringify(next[k]) !== JSON.stringify(config[k])) logger.warn({ setting: k }, 'this setting changes at the next restart');
      }
      logger.info({ config: describeConfig(next) }, 'configuration reloaded');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'configuration not reloaded: it has errors; the running one stays');
    }
  };
  process.on('SIGHUP', onHup);

  try {
    await agent.start();
    await agent.converged();
    agent.off('progress', onProgress);
    const s = agent.summary();
    const ms = Math.round(performance.now() - t0);
    if (s.desiredRoutes >= 10_000) progress.finish(`synced ${s.routes} routes in ${(ms / 1000).toFixed(1)} s`);
    logger.info({ ...s, updates: agent.stats.updates, ms, maxRssKb: process.resourceUsage().maxRSS, memory: memory() }, 'first sync converged');
    if (!flags.once) {
      process.stdout.write(`${welcome(agent, address, services.statusServed ? socketOf(config) : null, embedded !== null)}\n`);
      await new Promise<never>(() => undefined);
    }
    const report: OnceReport = {
      vrfs: s.vrfs, rifs: s.rifs, neighbors: s.neighbors, nexthops: s.nexthops, groups: s.groups, routes: s.routes,
      failed: s.failed, writes: agent.stats.updates, ms,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHup);
  }
}

function socketOf(config: AgentConfig): string {
  return config.statusSocket ?? defaultStatusSocket();
}

/**
 * After the first sync of a long-running agent: what it holds, and how to look at it. show and
 * check find a unix-socket driver through the status API; a TCP one needs their TLS flags too.
 */
function welcome(agent: Agent, driver: string, socket: string | null, embedded: boolean): string {
  const lines = ['', `vrfsync is in sync with this kernel${embedded ? ' (into an embedded hwsim)' : ''}.`, ''];
  const vrfs = agent.kernel.mirror.vrfs();
  lines.push(`kernel VRFs: ${vrfs.length ? vrfs.map((v) => `${v.name} (table ${v.table})`).join(', ') : 'none (the default VRF only)'}`);
  lines.push('kernel routes by table:');
  for (const [table, c] of agent.kernel.mirror.routes.counts()) lines.push(`  table ${String(table).padEnd(10)} ${String(c.ipv4).padStart(9)} IPv4 ${String(c.ipv6).padStart(9)} IPv6`);
  const rows = tableCounts(agent).filter((r) => r.table.endsWith('routes') && (r.installed || r.failed));
  lines.push('hardware routes by VRF:');
  for (const r of rows) lines.push(`  ${r.vrf.padEnd(16)} ${r.table.padEnd(12)} ${String(r.installed).padStart(9)} installed ${r.failed ? `${r.failed} failed` : ''}`);
  const s = agent.summary();
  lines.push(`hardware: ${s.vrfs} VRFs, ${s.rifs} router interfaces, ${s.neighbors} neighbours, ${s.nexthops} next hops, ${s.groups} groups`);
  lines.push('', 'Look at it (in this network namespace):');
  const where = socket === null ? ` --driver ${driver}` : `${socket === defaultStatusSocket() ? '' : ` --socket ${socket}`}${driver.startsWith('unix:') ? '' : ` --driver ${driver}`}`;
  lines.push(`  vrfsync show routes${where}`);
  if (socket !== null) lines.push(`  vrfsync status${socket === defaultStatusSocket() ? '' : ` --socket ${socket}`}`);
  lines.push(`  vrfsync check${where}`);
  lines.push('Changes to the kernel are followed as they happen; Ctrl-C stops.');
  return lines.join('\n');
}

/** The status API (vrfsync status) and, when asked, Prometheus metrics. */
async function startServices(agent: Agent, config: AgentConfig, logger: Logger): Promise<{ close(): Promise<void>; statusServed: boolean }> {
  const services: { close(): Promise<void> }[] = [];
  const socket = socketOf(config);
  let statusServed = false;
  try {
    ensureSocketDir(socket);
    if (await socketInUse(socket)) {
      logger.warn({ socket }, 'another agent serves its status on this socket; give this one its own with --status-socket');
    } else {
      services.push(await startStatusServer(agent, socket));
      statusServed = true;
      logger.info({ socket }, 'status API listening');
    }
  } catch (err) {
    // Like a socket another agent holds: the agent runs on, without its status API.
    if (!(err instanceof SocketPathError)) throw err;
    logger.error({ socket, reason: err.message }, 'not serving the status API at this path');
  }
  if (config.metrics) {
    const m = await startMetricsServer(agent, config.metrics, config.metricsTls);
    services.push(m);
    logger.info({ address: m.address, https: m.secure }, 'metrics at /metrics');
    if (!m.secure && !m.loopback) {
      logger.warn({ address: m.address }, 'metrics served over plain HTTP beyond this host: give --metrics-tls-cert and --metrics-tls-key for HTTPS');
    }
  }
  return { close: async () => void (await Promise.all(services.map((x) => x.close().catch(() => undefined)))), statusServed };
}

export function registerRunCommand(program: Command): void {
  addRunOptions(program.command('run').description('run the agent: keep the driver in sync with this kernel'))
    .option('--lag-report-ms <ms>', 'log the kernel-to-hardware lag (p50, p99, max) this often', (v) => Number(v))
    .action(async (flags: RunFlags & { lagReportMs?: number }) => {
      process.exitCode = await runAgent(flags);
    });
}
