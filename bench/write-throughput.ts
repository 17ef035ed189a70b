// Write throughput of a full table (1M IPv4 + 200k IPv6 routes) into hwsim over a unix socket,
// hwsim in another process, then a mixed batch of changes, next to the in-process cost of
// encoding and decoding the same messages with the generated code: the reference line.
//
// The timed writes hand DriverClient.write requests encoded beforehand, as the agent's full
// sync does, so they measure the client's gRPC path, the socket and hwsim. One more run hands it
// request objects, which the generated encoder encodes in the client during the run: that is
// what this benchmark measured before, and the client's own cost shows in the difference.
//
//   node bin/run-ts.js bench/write-throughput.ts [--routes N] [--routes6 N] [--mixed N]
//        [--batch N] [--inflight N] [--lookups N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DriverClient, SimulatorClient } from '../src/driver/client.ts';
import { Action, Code, UpdateType, pb, type v1 } from '../src/driver/wire.ts';
import { startHwsim } from '../test/helpers/hwsim-process.ts';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: '1000000' },
    routes6: { type: 'string', default: '200000' },
    mixed: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    inflight: { type: 'string', default: '4' },
    lookups: { type: 'string', default: '20000' },
  },
});
const ROUTES = Number(values.routes);
const ROUTES6 = Number(values.routes6);
const MIXED = Number(values.mixed);
const BATCH = Number(values.batch);
const INFLIGHT = Number(values.inflight);
const LOOKUPS = Number(values.lookups);
const NEXT_HOPS = 64;
const GROUPS = 8;

function proc(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** CPU seconds a process has used (all threads, user and system). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

/**
 * IPv4 route i: a distinct /24, in ascending order over the whole address space (13 is odd, so
 * i * 13 mod 2^24 is distinct for every i; it wraps past i = 1.29M), as a full table is.
 */
const prefix4 = (i: number): v1.IIpPrefix => ({ ipv4: ((i * 13) & 0xffffff) * 256, length: 24 });
/** IPv6 route i: a distinct /48 in 2001:db8::/32 (wrapping into 2001:db9:: and on past 65536). */
function prefix6(i: number): v1.IIpPrefix {
  const b = Buffer.alloc(16);
  b.writeUInt32BE((0x20010db8 + Math.floor(i / 65536)) >>> 0, 0);
  b.writeUInt16BE(i % 65536, 4);
  return { ipv6: b, length: 48 };
}
const route = (type: UpdateType, prefix: v1.IIpPrefix, target: Partial<v1.IRoute>): v1.IUpdate =>
  ({ type, entity: { route: { vrfId: 1, prefix, action: Action.ACTION_FORWARD, ...target } } });
const viaNextHop = (i: number) => ({ nextHopId: 1 + (i % NEXT_HOPS) });

function batches(count: number, update: (i: number) => v1.IUpdate): v1.IWriteRequest[] {
  const out: v1.IWriteRequest[] = [];
  for (let b = 0; b < count; b += BATCH) {
    const updates: v1.IUpdate[] = [];
    for (let i = b; i < Math.min(count, b + BATCH); i++) updates.push(update(i));
    out.push({ electionId: 1, updates });
  }
  return out;
}

/**
 * Changes as a routing table churns, over routes of both families: in each six updates one is
 * IPv6; they cycle through MODIFY (to a group and back), DELETE and INSERT of a new prefix.
 * Every update has its own key, so batches may be applied in any order.
 */
function mixedUpdate(i: number): v1.IUpdate {
  const v6 = i % 6 === 5;
  const k = v6 ? Math.floor(i / 6) : Math.floor(i / 6) * 5 + (i % 6); // index within the family
  const op = k % 3;
  const n = Math.floor(k / 3);
  // Existing routes 2n (modified) and 2n + 1 (deleted); new ones past the existing table.
  const existing = v6 ? ROUTES6 : ROUTES;
  const p = v6 ? prefix6 : prefix4;
  if (op === 0) return route(UpdateType.MODIFY, p(2 * n), { groupId: 1 + (n % GROUPS) });
  if (op === 1) return { type: UpdateType.DELETE, entity: { route: { vrfId: 1, prefix: p(2 * n + 1) } } };
  return route(UpdateType.INSERT, p(existing + n), viaNextHop(n));
}

/**
 * Requests encoded batch by batch, their objects dropped at once: a million route objects kept
 * alive through the timed runs would have the client's GC compete with hwsim for the CPU.
 */
function encoded(count: number, update: (i: number) => v1.IUpdate): Buffer[] {
  const out: Buffer[] = [];
  for (let b = 0; b < count; b += BATCH) {
    const updates: v1.IUpdate[] = [];
    for (let i = b; i < Math.min(count, b + BATCH); i++) updates.push(update(i));
    out.push(Buffer.from(pb.WriteRequest.encode({ electionId: 1, updates }).finish()));
  }
  return out;
}

/** The generated code's encode and decode of the requests and their all-OK responses, in one process. */
function inProcessCodec(reqs: v1.IWriteRequest[]): number {
  const t0 = performance.now();
  let n = 0;
  for (const r of reqs) {
    const bytes = pb.WriteRequest.encode(r).finish();
    const back = pb.WriteRequest.decode(bytes);
    const res = pb.WriteResponse.encode({ statuses: back.updates.map(() => ({ code: Code.OK })) }).finish();
    n += pb.WriteResponse.decode(res).statuses.length;
  }
  const s = (performance.now() - t0) / 1000;
  if (n !== ROUTES) throw new Error('codec lost updates');
  return ROUTES / s;
}

/** Sends every request, INFLIGHT at a time; returns updates per second. Any failed update throws. */
async function run(what: string, send: (i: number) => Promise<v1.IWriteResponse>, requests: number, updates: number, pid: number) {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const own0 = process.cpuUsage();
  let next = 0;
  let failed = 0;
  let first = '';
  const worker = async () => {
    while (next < requests) {
      const res = await send(next++);
      for (const s of res.statuses ?? []) {
        if (!s.code) continue;
        failed++;
        first ||= `${Code[s.code]}: ${s.message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  const secs = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  if (failed) throw new Error(`${what}: ${failed} updates failed, the first with ${first}`);
  // How busy each side was: hwsim near 100 % means it is what limits the rate.
  const busy = `hwsim busy ${Math.round((100 * (cpuSeconds(pid) - cpu0)) / secs)} %, client ${Math.round((own.user + own.system) / 1e4 / secs)} %`;
  return { rate: updates / secs, secs, busy };
}

async function main() {
  const hw = await startHwsim(['--capacity', `ipv4-routes=${ROUTES + MIXED},ipv6-routes=${ROUTES6 + MIXED}`, '--log-level', 'warn']);
  const pid = hw.proc.pid!;
  const client = new DriverClient(hw.address);
  const sim = new SimulatorClient(hw.address);
  const stream = client.openStream();
  const setup = async () => {
    const ups: v1.IUpdate[] = [
      { type: UpdateType.INSERT, entity: { vrf: { id: 1, name: 'bench' } } },
      { type: UpdateType.INSERT, entity: { routerInterface: { id: 1, vrfId: 1, portId: 1, mac: Buffer.from([2, 0, 0, 0, 0, 1]), mtu: 1500, adminUp: true } } },
    ];
    for (let i = 1; i <= NEXT_HOPS; i++) {
      ups.push({ type: UpdateType.INSERT, entity: { nextHop: { id: i, rifId: 1, ip: { ipv4: 0x0a000000 + i } } } });
      ups.push({ type: UpdateType.INSERT, entity: { neighbor: { rifId: 1, ip: { ipv4: 0x0a000000 + i }, mac: Buffer.from([2, 0, 0, 0, 1, i]) } } });
    }
    for (let g = 1; g <= GROUPS; g++) {
      ups.push({ type: UpdateType.INSERT, entity: { nextHopGroup: { id: g, members: [0, 1, 2, 3].map((m) => ({ nextHopId: 1 + ((g * 4 + m) % NEXT_HOPS), weight: 1 })) } } });
    }
    const res = await client.write({ electionId: 1, updates: ups });
    if (res.statuses.some((s) => s.code)) throw new Error('setup failed');
  };
  try {
    if ((await stream.arbitrate(1, 'bench')).code !== Code.OK) throw new Error('not primary');
    await setup();

    const insert4 = (i: number) => route(UpdateType.INSERT, prefix4(i), viaNextHop(i));
    const bytes4 = encoded(ROUTES, insert4);
    const bytes6 = encoded(ROUTES6, (i) => route(UpdateType.INSERT, prefix6(i), viaNextHop(i)));
    const bytesMixed = encoded(MIXED, mixedUpdate);
    const rssBefore = proc(pid, 'VmRSS');

    const w4 = await run('IPv4', (i) => client.write(bytes4[i]!), bytes4.length, ROUTES, pid);
    const w6 = await run('IPv6', (i) => client.write(bytes6[i]!), bytes6.length, ROUTES6, pid);
    await new Promise((r) => setTimeout(r, 500));
    const rssAfter = proc(pid, 'VmRSS');
    const peak = proc(pid, 'VmHWM');

    // LPM lookups through the Simulator service (one RPC each).
    const tl = performance.now();
    for (let i = 0; i < LOOKUPS; i++) {
      const dst = prefix4((i * 7919) % ROUTES).ipv4! + 9;
      const r = await sim.lookup({ vrfName: 'bench', destination: { ipv4: dst } });
      if (r.action !== Action.ACTION_FORWARD) throw new Error(`lookup ${dst} gave ${r.action} ${r.reason}`);
    }
    const lookupRate = LOOKUPS / ((performance.now() - tl) / 1000);

    const wm = await run('mixed', (i) => client.write(bytesMixed[i]!), bytesMixed.length, MIXED, pid);

    // Read back, after the mixed run's inserts and deletes.
    let expected = ROUTES + ROUTES6;
    for (let i = 0; i < MIXED; i++) expected += [0, 1, 0, -1][mixedUpdate(i).type ?? 0]!; // INSERT +1, DELETE -1
    const tr = performance.now();
    let read = 0;
    for await (const _ of client.read({ vrfId: 1, types: [6] })) read++;
    const readRate = read / ((performance.now() - tr) / 1000);
    if (read !== expected) throw new Error(`read back ${read} routes, expected ${expected}`);

    // The reference, and the same IPv4 table from request objects, encoded by the generated
    // code in the client during the run.
    const reqs4 = batches(ROUTES, insert4);
    const codecRate = inProcessCodec(reqs4);
    await sim.reset('bench: object run');
    await setup();
    const wo = await run('IPv4 objects', (i) => client.write(reqs4[i]!), reqs4.length, ROUTES, pid);

    const perRoute = (rssAfter - rssBefore) / (ROUTES + ROUTES6);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const mib = (n: number) => fmt(n / 2 ** 20);
    console.log(`routes                  ${fmt(ROUTES)} IPv4 + ${fmt(ROUTES6)} IPv6 in batches of ${BATCH}, ${INFLIGHT} in flight, unix socket, hwsim in another process`);
    console.log(`write IPv4              ${fmt(w4.rate)} routes/s (${w4.secs.toFixed(2)} s; ${w4.busy})`);
    console.log(`write IPv6              ${fmt(w6.rate)} routes/s (${w6.secs.toFixed(2)} s; ${w6.busy})`);
    console.log(`write mixed             ${fmt(wm.rate)} updates/s (${wm.secs.toFixed(2)} s; ${wm.busy}; MODIFY, DELETE and INSERT, one in six IPv6)`);
    console.log(`write IPv4, objects     ${fmt(wo.rate)} routes/s (${wo.secs.toFixed(2)} s; ${wo.busy}; DriverClient.write encoding request objects)`);
    console.log(`encode+decode in-proc   ${fmt(codecRate)} routes/s  (reference: the IPv4 write runs at ${(w4.rate / codecRate).toFixed(2)}x the generated codec alone)`);
    console.log(`hwsim RSS               ${fmt(perRoute)} bytes per route (${mib(rssBefore)} -> ${mib(rssAfter)} MiB holding ${fmt(ROUTES + ROUTES6)} routes; peak ${mib(peak)} MiB)`);
    console.log(`read back               ${fmt(readRate)} routes/s (${fmt(read)} routes)`);
    console.log(`LPM lookup over gRPC    ${fmt(lookupRate)} lookups/s (one unary RPC each)`);
    console.log(JSON.stringify({
      routes: ROUTES, routes6: ROUTES6, mixed: MIXED,
      routesPerSec: Math.round(w4.rate), routes6PerSec: Math.round(w6.rate), mixedPerSec: Math.round(wm.rate), objectRoutesPerSec: Math.round(wo.rate),
      codecRoutesPerSec: Math.round(codecRate), grpcOverhead: +(codecRate / w4.rate).toFixed(2),
      rssBytesPerRoute: Math.round(perRoute), peakRssMiB: Math.round(peak / 2 ** 20),
      readRoutesPerSec: Math.round(readRate), lookupsPerSec: Math.round(lookupRate),
    }));
  } finally {
    stream.close();
    client.close();
    sim.close();
    await hw.stop();
  }
}

await main();
