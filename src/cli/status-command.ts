// `vrfsync status [--json] [--watch] [--socket PATH]`: the running agent's status API client.
import type { Command } from 'commander';
import * as grpc from '@grpc/grpc-js';
import { agentpb, type agentv1 } from '../driver/wire.ts';
import { agentClient, askStatus } from '../status/status-client.ts';
import { defaultStatusSocket } from '../status/status-socket.ts';

const STATE_NAME = (s: number | null | undefined) => (agentpb.SyncState[s ?? 0] ?? 'SYNC_STATE_UNSPECIFIED').replace('SYNC_STATE_', '').toLowerCase().replace('_', '-');
const ago = (ms: number | Long | null | undefined) => {
  const t = Number(ms ?? 0);
  if (!t) return 'never';
  const s = Math.round((Date.now() - t) / 1000);
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
};
type Long = { toNumber(): number };

export function formatStatus(r: agentv1.IStatusResponse): string {
  const d = r.driver ?? {};
  const lag = r.lag ?? {};
  const lines = [
    `state: ${STATE_NAME(r.state)}`,
    `driver: ${d.address} ${d.connected ? 'connected' : 'not connected'}, ${d.role}, boot epoch ${d.bootEpoch}, reconnects ${d.reconnects}`,
    `updates sent: ${r.updatesSent} in ${r.writes} writes; first sync ${Number(r.firstSyncMs) ? `${r.firstSyncMs} ms` : 'not converged yet'}`,
    `lag (kernel change to driver OK): p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms over ${lag.updates} updates`,
    `kernel: ${r.kernelResyncs} re-dumps, last ${ago(r.lastKernelResync?.unixMs)} (${r.lastKernelResync?.reason || '-'}); netlink overruns ${r.netlinkOverruns}`,
    `driver read back: last ${ago(r.lastDriverRead?.unixMs)} (${r.lastDriverRead?.reason || '-'})`,
  ];
  if (r.fallenBackGroups) lines.push(`groups on one next hop for lack of room: ${r.fallenBackGroups}`);
  if (r.trappingCovers) lines.push(`routes trapping to cover routes that did not fit: ${r.trappingCovers}`);
  lines.push('', `${'VRF'.padEnd(16)} ${'TABLE'.padEnd(18)} ${'INSTALLED'.padStart(10)} ${'PENDING'.padStart(9)} ${'FAILED'.padStart(8)}`);
  for (const c of r.counts ?? []) {
    lines.push(`${(c.vrf || '-').padEnd(16)} ${(c.table ?? '').padEnd(18)} ${String(c.installed).padStart(10)} ${String(c.pending).padStart(9)} ${String(c.failed).padStart(8)}`);
  }
  const failures = r.failures ?? [];
  if (Number(r.failuresTotal)) {
    lines.push('', `failed entries (${failures.length} of ${r.failuresTotal}):`);
    for (const f of failures) lines.push(`  ${f.vrf || '-'} ${f.key} ${f.code} ${f.message}`);
  }
  return lines.join('\n');
}

function toJson(msg: agentv1.StatusResponse | agentv1.OffloadEvent, type: typeof agentpb.StatusResponse | typeof agentpb.OffloadEvent): object {
  return (type as typeof agentpb.StatusResponse).toObject(msg as agentv1.StatusResponse, { enums: String, longs: Number, defaults: true });
}

export async function runStatus(opts: { json?: boolean; watch?: boolean; socket?: string }): Promise<number> {
  const path = opts.socket ?? defaultStatusSocket();
  const client = agentClient(path);
  try {
    const status = await askStatus(client);
    process.stdout.write(`${opts.json ? JSON.stringify(toJson(status, agentpb.StatusResponse)) : formatStatus(status)}\n`);
    if (!opts.watch) return 0;
    const stream = client.watch({});
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (e: agentv1.OffloadEvent) => {
        const line = opts.json ? JSON.stringify(toJson(e, agentpb.OffloadEvent))
          : `${new Date(Number(e.unixMs)).toISOString()} ${e.kind}${e.state ? ` ${STATE_NAME(e.state)}` : ''}${e.key ? ` ${e.key}` : ''}${e.code ? ` ${e.code}` : ''}${Number(e.count) > 1 ? ` x${e.count}` : ''}${e.message ? ` ${e.message}` : ''}`;
        process.stdout.write(`${line}\n`);
      });
      // On stderr, so stdout stays the status and the events: from here on, no event is missed.
      stream.on('metadata', () => process.stderr.write('vrfsync status: watching offload events\n'));
      stream.on('end', resolve);
      stream.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? resolve() : reject(err)));
    });
    return 0;
  } catch (err) {
    process.stderr.write(`vrfsync status: no agent answers on ${path}: ${(err as Error).message}\n`);
    return 2;
  } finally {
    client.close();
  }
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("the running agent's state: sync state, entries per VRF and table, failures, resyncs, lag")
    .option('--json', 'print JSON (with --watch: one JSON line per event)')
    .option('--watch', 'then print offload events as they happen')
    .option('--socket <path>', `the agent's status socket (default: ${defaultStatusSocket()})`)
    .action(async (opts: { json?: boolean; watch?: boolean; socket?: string }) => {
      process.exitCode = await runStatus(opts);
    });
}
