// `vrfsync record --out FILE [--seconds N]`: records the rtnetlink stream the agent sees (the
// initial dumps, the events, the re-dumps the session runs when the kernel deletes silently) to
// a pcap file that tshark decodes and `vrfsync replay` replays. It runs the agent's own kernel
// session with a tap on its door to the kernel: the recording is what the agent would see.
// Stops on SIGINT or SIGTERM, or after --seconds; prints one JSON line when done.
import { Command, InvalidArgumentError } from 'commander';
import { KernelSession } from '../kernel/kernel-session.ts';
import { CaptureWriter } from '../record/capture.ts';

export interface RecordReport {
  out: string;
  /** Datagrams written: dump requests, dump replies, events. */
  requests: number;
  replies: number;
  events: number;
  bytes: number;
  resyncs: number;
  seconds: number;
}

export async function runRecord(opts: { out: string; seconds?: number }): Promise<number> {
  const t0 = performance.now();
  let writer: CaptureWriter;
  try {
    writer = new CaptureWriter(opts.out);
  } catch (err) {
    process.stderr.write(`vrfsync record: cannot write ${opts.out}: ${(err as Error).message}\n`);
    return 2;
  }
  const session = new KernelSession();
  session.sub.tap = writer.tap;
  session.on('warning', (msg: string) => process.stderr.write(`warning: ${msg}\n`));
  session.on('error', (err: Error) => process.stderr.write(`error: ${err.message}\n`));
  session.on('resync', (reason: string) => {
    if (reason !== 'startup') process.stderr.write(`kernel re-dumped (${reason})\n`);
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = opts.seconds !== undefined ? setTimeout(stop, opts.seconds * 1000) : null;
  try {
    await session.start();
    process.stderr.write(`recording to ${opts.out}: initial dumps in (${writer.counts.reply} datagrams); ${opts.seconds !== undefined ? `${opts.seconds} s` : 'Ctrl-C stops'}\n`);
    await stopped;
    // A re-dump in progress is finished: a recording cut inside one would not replay it.
    await session.idle();
    const report: RecordReport = {
      out: opts.out, requests: writer.counts.request, replies: writer.counts.reply, events: writer.counts.event,
      bytes: writer.bytes, resyncs: session.stats.resyncs, seconds: Math.round(performance.now() - t0) / 1000,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    session.close();
    writer.close();
  }
}

function seconds(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('record the rtnetlink stream the agent sees (dumps, events, re-dumps) to a pcap file for tshark and vrfsync replay')
    .requiredOption('--out <file>', 'pcap file to write (LINKTYPE_NETLINK)')
    .option('--seconds <n>', 'stop after N seconds (default: at SIGINT or SIGTERM)', seconds)
    .action(async (opts: { out: string; seconds?: number }) => {
      process.exitCode = await runRecord(opts);
    });
}
