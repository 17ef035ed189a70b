// Write throughput of a full IPv4 table into hwsim over a unix socket, hwsim in another
// process, next to the in-process cost of encoding and decoding the same messages: the ratio
// between the two is what gRPC, the socket and hwsim's tables add.
//
//   node bin/run-ts.js bench/write-throughput.ts [--routes N] [--batch N] [--inflight N] [--lookups N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DriverClient, SimulatorClient } from '../src/driver/client.ts';
import { Action, Code, UpdateType, pb, type v1 } from '../src/driver/wire.ts';
import { startHwsim } from '../test/helpers/hwsim-process.ts';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    inflight: { type: 'string', default: '4' },
    lookups: { type: 'string', default: '20000' },
  },
});
const ROUTES = Number(values.routes);
const BATCH = Number(values.batch);
const INFLIGHT = Number(values.inflight);
const LOOKUPS = Number(values.lookups);
const NEXT_HOPS = 64;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Route i: a distinct /24 (or /16.. for variety every 16th), next hop i % NEXT_HOPS. */
function routeUpdate(i: number): v1.IUpdate {
  const addr = (0x01000000 + i * 256) >>> 0;
  return {
    type: UpdateType.INSERT,
    entity: { route: { vrfId: 1, prefix: { ipv4: addr, length: 24 }, action: Action.ACTION_FORWARD, nextHopId: 1 + (i % NEXT_HOPS) } },
  };
}

function batches(): v1.IWriteRequest[] {
  const out: v1.IWriteRequest[] = [];
  for (let b = 0; b < ROUTES; b += BATCH) {
    const updates: v1.IUpdate[] = [];
    for (let i = b; i < Math.min(ROUTES, b + BATCH); i++) updates.push(routeUpdate(i));
    out.push({ electionId: 1, updates });
  }
  return out;
}

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

async function main() {
  const hw = await startHwsim(['--capacity', `ipv4-routes=${ROUTES + 1000}`]);
  const client = new DriverClient(hw.address);
  const sim = new SimulatorClient(hw.address);
  try {
    const stream = client.openStream();
    const arb = await stream.arbitrate(1, 'bench');
    if (arb.code !== Code.OK) throw new Error('not primary');
    const setup: v1.IUpdate[] = [
      { type: UpdateType.INSERT, entity: { vrf: { id: 1, name: 'bench' } } },
      { type: UpdateType.INSERT, entity: { routerInterface: { id: 1, vrfId: 1, portId: 1, mac: Buffer.from([2, 0, 0, 0, 0, 1]), mtu: 1500, adminUp: true } } },
    ];
    for (let i = 1; i <= NEXT_HOPS; i++) {
      setup.push({ type: UpdateType.INSERT, entity: { nextHop: { id: i, rifId: 1, ip: { ipv4: 0x0a000000 + i } } } });
      setup.push({ type: UpdateType.INSERT, entity: { neighbor: { rifId: 1, ip: { ipv4: 0x0a000000 + i }, mac: Buffer.from([2, 0, 0, 0, 1, i]) } } });
    }
    const s0 = await client.write({ electionId: 1, updates: setup });
    if (s0.statuses.some((s) => s.code)) throw new Error('setup failed');

    const reqs = batches();
    const codecRate = inProcessCodec(reqs);
    const rssBefore = rssBytes(hw.proc.pid!);

    const t0 = performance.now();
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < reqs.length) {
        const res = await client.write(reqs[next++]!);
        for (const s of res.statuses) if (s.code) failed++;
      }
    };
    // Independent routes: any order is correct, so batches may be in flight together.
    await Promise.all(Array.from({ length: INFLIGHT }, worker));
    const secs = (performance.now() - t0) / 1000;
    const rate = ROUTES / secs;
    await new Promise((r) => setTimeout(r, 500));
    const rssAfter = rssBytes(hw.proc.pid!);
    if (failed) throw new Error(`${failed} updates failed`);

    // LPM lookups through the Simulator service (one RPC each) and reads back.
    const tl = performance.now();
    for (let i = 0; i < LOOKUPS; i++) {
      const dst = (0x01000000 + ((i * 7919) % ROUTES) * 256 + 9) >>> 0;
      const r = await sim.lookup({ vrfName: 'bench', destination: { ipv4: dst } });
      if (r.action !== Action.ACTION_FORWARD) throw new Error(`lookup ${dst} gave ${r.action} ${r.reason}`);
    }
    const lookupRate = LOOKUPS / ((performance.now() - tl) / 1000);
    const tr = performance.now();
    let read = 0;
    for await (const _ of client.read({ vrfId: 1, types: [6] })) read++;
    const readRate = read / ((performance.now() - tr) / 1000);

    const perRoute = (rssAfter - rssBefore) / ROUTES;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`routes                 ${fmt(ROUTES)} IPv4 in batches of ${BATCH}, ${INFLIGHT} in flight, unix socket, hwsim in another process`);
    console.log(`write over gRPC        ${fmt(rate)} routes/s (${secs.toFixed(2)} s)`);
    console.log(`encode+decode in-proc  ${fmt(codecRate)} routes/s  (gRPC path costs ${(codecRate / rate).toFixed(1)}x the codec alone)`);
    console.log(`hwsim RSS              ${fmt(perRoute)} bytes per route (${fmt(rssBefore / 2 ** 20)} -> ${fmt(rssAfter / 2 ** 20)} MiB)`);
    console.log(`read back              ${fmt(readRate)} routes/s (${fmt(read)} routes)`);
    console.log(`LPM lookup over gRPC   ${fmt(lookupRate)} lookups/s (one unary RPC each)`);
    console.log(JSON.stringify({ routes: ROUTES, routesPerSec: Math.round(rate), codecRoutesPerSec: Math.round(codecRate), grpcOverhead: +(codecRate / rate).toFixed(2), rssBytesPerRoute: Math.round(perRoute), readRoutesPerSec: Math.round(readRate), lookupsPerSec: Math.round(lookupRate) }));
    stream.close();
  } finally {
    client.close();
    sim.close();
    await hw.stop();
  }
}

await main();
