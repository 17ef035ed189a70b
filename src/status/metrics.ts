// Prometheus metrics (prom-client) on HOST:PORT /metrics, named as exporters name things.
// Counts that are state (entries, table usage) are computed when scraped; what happens
// (writes, lag) is observed as it happens.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { isIP } from 'node:net';
import client from 'prom-client';
import type { Agent } from '../agent/agent.ts';
import type { MetricsTls } from '../agent/config.ts';
import { parseAddress } from '../driver/address.ts';
import { Table } from '../driver/wire.ts';
import { tableCounts } from './report.ts';

const TABLE_NAMES: Partial<Record<Table, string>> = {
  [Table.TABLE_VRFS]: 'vrfs', [Table.TABLE_ROUTER_INTERFACES]: 'router-interfaces', [Table.TABLE_NEIGHBORS]: 'neighbors',
  [Table.TABLE_NEXT_HOPS]: 'next-hops', [Table.TABLE_NEXT_HOP_GROUPS]: 'next-hop-groups', [Table.TABLE_GROUP_MEMBERS]: 'group-members',
  [Table.TABLE_IPV4_ROUTES]: 'ipv4-routes', [Table.TABLE_IPV6_ROUTES]: 'ipv6-routes',
};

export function agentRegistry(agent: Agent): client.Registry {
  const registry = new client.Registry();
  new client.Gauge({
    name: 'vrfsync_entries', help: 'Hardware entries by table, VRF and state (installed, pending, failed)',
    labelNames: ['table', 'vrf', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const c of tableCounts(agent)) {
        for (const state of ['installed', 'pending', 'failed'] as const) this.set({ table: c.table, vrf: c.vrf, state }, c[state]);
      }
    },
  });
  const writeSeconds = new client.Histogram({
    name: 'vrfsync_driver_write_duration_seconds', help: 'Duration of Write calls to the driver',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  const batchSize = new client.Histogram({
    name: 'vrfsync_driver_write_batch_updates', help: 'Updates per Write call',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000], registers: [registry],
  });
  const lag = new client.Histogram({
    name: 'vrfsync_kernel_to_hardware_lag_seconds', help: 'From a kernel change reaching the agent to the driver acknowledging its update',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  agent.observer = {
    write: (seconds, updates) => {
      writeSeconds.observe(seconds);
      batchSize.observe(updates);
    },
    lag: (ms) => lag.observe(ms / 1000),
  };
  const counter = (name: string, help: string, value: () => number) => new client.Counter({
    name, help, registers: [registry],
    collect() {
      this.reset();
      this.inc(value());
    },
  });
  counter('vrfsync_netlink_overruns_total', 'Netlink receive buffer overruns (each one costs a full resync)', () => agent.kernel.sub.stats.overruns);
  counter('vrfsync_kernel_resyncs_total', 'Re-dumps of kernel state (startup, overruns, inferred silent deletions)', () => agent.kernel.stats.resyncs);
  counter('vrfsync_driver_reconnects_total', 'Reconnections to the driver', () => agent.driver.stats.reconnects);
  counter('vrfsync_driver_reads_total', 'Read-backs of the driver tables', () => agent.stats.reads);
  counter('vrfsync_driver_updates_total', 'Updates sent to the driver', () => agent.stats.updates);
  counter('vrfsync_netlink_malformed_total', 'Malformed netlink messages counted and skipped', () => agent.kernel.sub.stats.malformed);
  for (const [name, help, pick] of [
    ['vrfsync_hardware_table_used', 'Driver table usage as the driver reports it', (u: { used: number }) => u.used],
    ['vrfsync_hardware_table_capacity', 'Driver table capacity as the driver reports it', (u: { capacity: number }) => u.capacity],
  ] as const) {
    new client.Gauge({
      name, help, labelNames: ['table'], registers: [registry],
      collect() {
        this.reset();
        for (const [t, u] of agent.tableUsage) this.set({ table: TABLE_NAMES[t] ?? String(t) }, pick(u));
      },
    });
  }
  new client.Gauge({
    name: 'vrfsync_in_sync', help: '1 when the hardware holds what the kernel asks for', registers: [registry],
    collect() {
      this.set(agent.state === 'in-sync' ? 1 : 0);
    },
  });
  client.collectDefaultMetrics({ register: registry, prefix: 'vrfsync_process_' });
  return registry;
}

/** Is this host this machine only (127.0.0.0/8, ::1, localhost)? */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * Serves /metrics on HOST:PORT: HTTPS when `tls` has a certificate and key (and, with a client
 * CA, only to scrapers holding a certificate it signed), plain HTTP otherwise, as Prometheus
 * exporters do by default. Resolves with the address it listens on, whether it is HTTPS
 * (`secure`) and whether only this machine can reach it (`loopback`).
 */
export async function startMetricsServer(agent: Agent, listen: string, tls: MetricsTls = {}): Promise<{ address: string; secure: boolean; loopback: boolean; close(): Promise<void> }> {
  const addr = parseAddress(listen);
  if (addr.kind !== 'tcp') throw new Error(`--metrics takes HOST:PORT, not ${listen}`);
  const registry = agentRegistry(agent);
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  };
  const secure = tls.cert !== undefined && tls.key !== undefined;
  const server: Server = secure
    ? createTlsServer({
      cert: readFileSync(tls.cert!), key: readFileSync(tls.key!),
      ...(tls.clientCa !== undefined ? { ca: readFileSync(tls.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
    }, serve)
    : createServer(serve);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(addr.port, addr.host, () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    address: `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${port}`,
    secure,
    loopback: isLoopback(addr.host),
    // Connections are cut, not waited for: a scrape lost at shutdown is nothing, and a client
    // that never finishes its request would otherwise hold the agent's stop for a minute.
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
