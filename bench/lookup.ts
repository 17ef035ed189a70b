// LPM lookup rate of hwsim's forwarding model in-process, against a brute-force scan of the
// same table: the ratio shows what per-length hash probing buys.
//
//   node bin/run-ts.js bench/lookup.ts [--routes N] [--lookups N]
import { parseArgs } from 'node:util';
import { Asic } from '../hwsim/asic.ts';
import { makeConfig } from '../hwsim/config.ts';
import { Action, UpdateType, type v1 } from '../src/driver/wire.ts';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' }, lookups: { type: 'string', default: '1000000' } } });
const ROUTES = Number(values.routes);
const LOOKUPS = Number(values.lookups);

const asic = new Asic(makeConfig({ capacity: { ipv4Routes: ROUTES + 10 } }));
const mac = Buffer.from([2, 0, 0, 0, 0, 1]);
asic.write([
  { type: UpdateType.INSERT, entity: { vrf: { id: 1, name: 'bench' } } },
  { type: UpdateType.INSERT, entity: { routerInterface: { id: 1, vrfId: 1, portId: 1, mac, mtu: 1500, adminUp: true } } },
  { type: UpdateType.INSERT, entity: { nextHop: { id: 1, rifId: 1, ip: { ipv4: 0x0a000001 } } } },
  { type: UpdateType.INSERT, entity: { neighbor: { rifId: 1, ip: { ipv4: 0x0a000001 }, mac } } },
], false);
// A mix of lengths like an Internet table: mostly /24, some /16../23.
const prefixes: [number, number][] = [];
for (let i = 0; i < ROUTES; i++) {
  const len = i % 10 === 0 ? 16 + (i % 8) : 24;
  const addr = ((0x01000000 + i * 256) & (len === 0 ? 0 : 0xffffffff << (32 - len))) >>> 0;
  prefixes.push([addr, len]);
}
for (let b = 0; b < ROUTES; b += 10_000) {
  const ups: v1.IUpdate[] = [];
  for (let i = b; i < Math.min(ROUTES, b + 10_000); i++) {
    ups.push({ type: UpdateType.INSERT, entity: { route: { vrfId: 1, prefix: { ipv4: prefixes[i]![0], length: prefixes[i]![1] }, action: Action.ACTION_FORWARD, nextHopId: 1 } } });
  }
  asic.write(ups, true); // duplicates among the shorter prefixes are refused, which is fine here
}
const dsts = Array.from({ length: LOOKUPS }, (_, i) => (0x01000000 + ((i * 7919) % ROUTES) * 256 + 7) >>> 0);
let t0 = performance.now();
let hits = 0;
for (const d of dsts) if (asic.lookup({ vrfId: 1, destination: { ipv4: d } }).action === Action.ACTION_FORWARD) hits++;
const rate = LOOKUPS / ((performance.now() - t0) / 1000);

// Reference: a linear scan over every prefix, on a sample (a full run would take hours).
const sample = Math.min(200, LOOKUPS);
t0 = performance.now();
for (let k = 0; k < sample; k++) {
  const d = dsts[k]!;
  let best = -1;
  for (const [a, len] of prefixes) {
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (((d & m) >>> 0) === a && len > best) best = len;
  }
}
const scanRate = sample / ((performance.now() - t0) / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`table        ${fmt(asic.tables.routes4.size)} IPv4 routes`);
console.log(`LPM lookup   ${fmt(rate)} lookups/s in-process (${fmt(hits)} forwarded)`);
console.log(`linear scan  ${fmt(scanRate)} lookups/s (reference): LPM is ${fmt(rate / scanRate)}x faster`);
