// Replay throughput: the agent's user-space path with no kernel. A capture of a full-size table is
// made here with the codecs' encoders, as `vrfsync record` would write it (four ports with
// addresses and neighbours, 1M IPv4 + 200k IPv6 routes as dump replies in 32 KiB datagrams, then
// 20,000 route events, a hundred a millisecond); `vrfsync replay --speed max` feeds it to hwsim in another
// process, from start to converged. Reference in the same run: the time to merely decode the
// capture's messages (read, frame, decode each route into a RouteRecord), in this process.
//
//   npm run bench:replay -- [--routes N] [--events N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeAddress } from '../src/netlink/addr-codec.ts';
import { DUMPS, countMessages, decodeEventDatagram, firstSeq, parseDumpRequest, type DumpKind } from '../src/netlink/datagrams.ts';
import { decodeChange, newDecodeStats } from '../src/netlink/decode.ts';
import { encodeLink } from '../src/netlink/link-codec.ts';
import { NLMSG, NLMSG_HDRLEN, NLM_F, RTM, encodeMessage } from '../src/netlink/messages.ts';
import { encodeNeighbor } from '../src/netlink/neigh-codec.ts';
import { RouteType, encodeRoute, type KernelRoute } from '../src/netlink/route-codec.ts';
import { RouteRecord, scanRoute } from '../src/netlink/route-record.ts';
import { CaptureReader, CaptureWriter } from '../src/record/capture.ts';
import { startHwsim } from '../test/helpers/hwsim-process.ts';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' }, events: { type: 'string', default: '20000' }, config: { type: 'string' }, keep: { type: 'string' } } });
const V4 = Number(values.routes);
const V6 = Math.floor(V4 / 5);
const EVENTS = Number(values.events);
const DATAGRAM = 32 * 1024;
const PORTS = 4;
const repo = join(import.meta.dirname, '..');

const ip4 = (i: number) => {
  const a = 0x20000000 + i * 256;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0`;
};
const ip6 = (i: number) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::`;
const route = (family: 4 | 6, i: number, port = i % PORTS): KernelRoute => ({
  family, table: 254, dst: family === 4 ? ip4(i) : ip6(i), dstLen: family === 4 ? 24 : 64, srcLen: 0, tos: 0, protocol: 4,
  scope: 0, type: RouteType.UNICAST, flags: 0, priority: family === 4 ? 0 : 1024,
  nexthops: [{ ifindex: port + 2, gateway: family === 4 ? `10.0.${port + 1}.2` : `2001:db8:ff${port + 1}::2`, weight: 1, flags: 0 }],
});

/** Writes the capture: the initial dumps as the live session runs them, then route events. */
function makeCapture(path: string): { messages: number; bytes: number } {
  const w = new CaptureWriter(path);
  let at = 1_800_000_000_000_000;
  let messages = 0;
  let seq = 1000;
  /** A dump's request; its replies are written by replies(). */
  const request = (kind: DumpKind, family: number): number => {
    const spec = DUMPS.find((d) => d.what === kind)!;
    const req = Buffer.alloc(spec.len);
    req[0] = family;
    w.tap('request', encodeMessage(spec.type, NLM_F.REQUEST | NLM_F.DUMP, ++seq, req), at++);
    return seq;
  };
  const replies = (dumpSeq: number, bodies: Iterable<[number, Buffer]>) => {
    let parts: Buffer[] = [];
    let size = 0;
    const flush = () => {
      w.tap('reply', Buffer.concat(parts, size), at);
      parts = [];
      size = 0;
    };
    for (const [type, body] of bodies) {
      const m = encodeMessage(type, NLM_F.MULTI, dumpSeq, body, 4242);
      if (size + m.length > DATAGRAM) flush();
      parts.push(m);
      size += m.length;
      messages++;
    }
    if (size) flush();
    w.tap('reply', encodeMessage(NLMSG.DONE, NLM_F.MULTI, dumpSeq, Buffer.alloc(4), 4242), at++);
    messages++;
  };
  const dumpOf = (kind: DumpKind, family: number, bodies: Iterable<[number, Buffer]>) => replies(request(kind, family), bodies);
  const links: [number, Buffer][] = [[RTM.NEWLINK, encodeLink({ index: 1, name: 'lo', type: 772, flags: 0x49, kind: '', master: 0, mac: '00:00:00:00:00:00', mtu: 65536, operState: 0 })]];
  for (let p = 0; p < PORTS; p++) {
    links.push([RTM.NEWLINK, encodeLink({ index: p + 2, name: `swp${p + 1}`, type: 1, flags: 0x11043, kind: 'veth', master: 0, mac: `02:00:00:00:00:0${p + 1}`, mtu: 1500, operState: 6 })]);
  }
  dumpOf('links', 0, links);
  const addrs = (family: 4 | 6) => Array.from({ length: PORTS }, (_, p): [number, Buffer] => [RTM.NEWADDR, encodeAddress({
    family, index: p + 2, prefixLen: family === 4 ? 24 : 64, scope: 0, address: family === 4 ? `10.0.${p + 1}.1` : `2001:db8:ff${p + 1}::1`, flags: 0x80,
  })]);
  dumpOf('addresses', 2, addrs(4));
  dumpOf('addresses', 10, addrs(6));
  const neighs = (family: 4 | 6) => Array.from({ length: PORTS }, (_, p): [number, Buffer] => [RTM.NEWNEIGH, encodeNeighbor({
    family, ifindex: p + 2, state: 0x80, flags: 0, ip: family === 4 ? `10.0.${p + 1}.2` : `2001:db8:ff${p + 1}::2`, mac: `02:aa:00:00:00:0${p + 1}`,
  })]);
  dumpOf('neighbors', 2, neighs(4));
  dumpOf('neighbors', 10, neighs(6));
  dumpOf('nexthops', 0, []);
  dumpOf('rules', 2, []);
  dumpOf('rules', 10, []);
  // Both route families requested at once, as the live session dumps them.
  function* routes(family: 4 | 6, n: number): Generator<[number, Buffer]> {
    for (let i = 0; i < n; i++) yield [RTM.NEWROUTE, encodeRoute(route(family, i))];
  }
  const v4 = request('ipv4-routes', 2);
  const v6 = request('ipv6-routes', 10);
  replies(v4, routes(4, V4));
  replies(v6, routes(6, V6));
  // Events: moves to another port and deletions, a hundred a millisecond (`ip -batch` adding
  // routes here sends 85 a millisecond).
  at += 1000;
  for (let e = 0; e < EVENTS; e++) {
    const i = (e * 7919) % V4;
    const del = e % 4 === 3;
    const body = encodeRoute(route(4, i, (i + 1) % PORTS));
    w.tap('event', encodeMessage(del ? RTM.DELROUTE : RTM.NEWROUTE, del ? 0 : NLM_F.REPLACE, 0, body), at + Math.floor(e / 100) * 1000);
    messages++;
  }
  w.close();
  return { messages, bytes: statSync(path).size };
}

/** The reference: every message of the capture framed and decoded, nothing applied. */
function decodeOnly(path: string): { ms: number; messages: number } {
  const t0 = performance.now();
  const r = CaptureReader.open(path);
  const rec = new RouteRecord();
  const stats = newDecodeStats();
  let messages = 0;
  const seqs = new Set<number>();
  for (let d = r.next(); d; d = r.next()) {
    const buf = d.datagram;
    if (d.kind === 'request') {
      seqs.add(parseDumpRequest(buf)!.seq);
      continue;
    }
    if (d.kind === 'event') {
      messages += countMessages(buf);
      decodeEventDatagram(buf, stats);
      continue;
    }
    if (!seqs.has(firstSeq(buf))) throw new Error('reply to no request');
    for (let off = 0; off + NLMSG_HDRLEN <= buf.length;) {
      const len = buf.readUInt32LE(off);
      const type = buf.readUInt16LE(off + 4);
      if (type === RTM.NEWROUTE) scanRoute(buf, off + NLMSG_HDRLEN, off + len, rec);
      else if (type !== NLMSG.DONE) decodeChange(type, 0, buf, off + NLMSG_HDRLEN, off + len, stats);
      messages++;
      off += (len + 3) & ~3;
    }
  }
  r.close();
  return { ms: performance.now() - t0, messages };
}

async function replay(path: string, address: string): Promise<{ wallMs: number; report: Record<string, number>; logs: Record<string, unknown>[] }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(repo, 'bin', 'vrfsync.js'), 'replay', path, '--driver', address, '--speed', 'max', '--log-level', 'info', ...(values.config ? ['--config', values.config] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((res) => proc.on('exit', res));
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`vrfsync replay exited ${code}:\n${err.slice(-3000)}`);
  const logs = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { wallMs, report: JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>, logs };
}

const rate = (n: number, ms: number) => `${((n / ms) * 1000 / 1e6).toFixed(2)}M msg/s`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const path = values.keep ?? join(dir, 'full-table.pcap');
  let hw: Awaited<ReturnType<typeof startHwsim>> | null = null;
  try {
    const tg = performance.now();
    const made = makeCapture(path);
    console.log(`capture: ${V4.toLocaleString('en-US')} IPv4 + ${V6.toLocaleString('en-US')} IPv6 routes in ${DATAGRAM / 1024} KiB datagrams, ${EVENTS.toLocaleString('en-US')} events; ${made.messages.toLocaleString('en-US')} messages, ${(made.bytes / 2 ** 20).toFixed(0)} MiB, made in ${((performance.now() - tg) / 1000).toFixed(1)} s`);

    const ref = decodeOnly(path);
    if (ref.messages !== made.messages) throw new Error(`decoded ${ref.messages} messages, wrote ${made.messages}`);
    console.log(`${'reference: read and decode every message'.padEnd(52)} ${(ref.ms / 1000).toFixed(2)} s  ${rate(ref.messages, ref.ms)}  1.00x`);

    hw = await startHwsim(['--ports', Array.from({ length: PORTS }, (_, p) => `swp${p + 1}`).join(','), '--capacity', `ipv4-routes=${V4 + 1000},ipv6-routes=${V6 + 1000}`, '--log-level', 'warn']);
    const r = await replay(path, hw.address);
    const log = <T>(msg: string) => r.logs.find((l) => l.msg === msg) as T | undefined;
    const replayed = log<{ maxRssKb: number; replay: { batches: number } }>('replayed');
    const mirrored = log<{ ms: number }>('kernel mirrored')?.ms ?? NaN;
    const cold = log<{ ms: number }>('cold sync written')?.ms ?? NaN;
    const synced = log<{ ms: number }>('initial dumps synced')?.ms ?? NaN;
    const ms = r.report.ms!;
    const dumped = made.messages - EVENTS;
    console.log(`${'vrfsync replay --speed max into hwsim (start to converged)'.padEnd(52)} ${(ms / 1000).toFixed(2)} s  ${rate(r.report.messages!, ms)}  ${(ms / ref.ms).toFixed(2)}x  (target 0.50M msg/s)`);
    console.log(`  initial dumps into the mirror      ${(mirrored / 1000).toFixed(2)} s  ${rate(dumped, mirrored)}`);
    console.log(`  cold sync of the mirror into hwsim ${(cold / 1000).toFixed(2)} s  ${((r.report.routes! / cold) * 1000 / 1e6).toFixed(2)}M routes/s`);
    console.log(`  events, ${replayed?.replay.batches ?? '?'} batches one after the other  ${((ms - synced) / 1000).toFixed(2)} s  ${rate(EVENTS, ms - synced)}  ${((ms - synced) / (replayed?.replay.batches ?? 1)).toFixed(1)} ms a batch`);
    console.log(`  process wall ${(r.wallMs / 1000).toFixed(2)} s; ${r.report.routes} routes, ${r.report.writes} updates written, ${r.report.failed} failed`);
    console.log(`  replay peak RSS ${((replayed?.maxRssKb ?? 0) / 1024).toFixed(0)} MiB (${(((replayed?.maxRssKb ?? 0) * 1024) / (V4 + V6)).toFixed(0)} B/route)`);
    if (r.report.messages !== made.messages) throw new Error(`replayed ${r.report.messages} messages of ${made.messages}`);
  } finally {
    await hw?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
