// Translation in-process, no kernel and no driver: a mirror holding N IPv4 routes over 4 tables
// (1 default + 3 VRFs) plus N/5 IPv6 routes, nexthops over 4 ports. Prints the time to translate
// everything from scratch, then to translate N route changes (every route moved to another
// next hop, then to a 2-way group), as changes per second; the reference is the same loop over
// the changed keys doing nothing but read the mirror's active route.
//
//   node --expose-gc bin/run-ts.js bench/translate.ts [--routes N]
import { parseArgs } from 'node:util';
import { RouteKeyList } from '../src/kernel/route-keys.ts';
import { RouteRecord, recordFromRoute } from '../src/netlink/route-record.ts';
import { DEFAULT_TRANSLATE_CONFIG } from '../src/translate/inputs.ts';
import { Translator } from '../src/translate/translator.ts';
import { Nud } from '../src/netlink/neigh-codec.ts';
import { KernelModel } from '../test/helpers/kernel-model.ts';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000000' } } });
const N = Number(values.routes);
const TABLES = [254, 10, 11, 12];

const k = new KernelModel();
k.link('lo', { kind: '', flags: 0x9 });
['red', 'green', 'blue'].forEach((v, i) => k.vrf(v, 10 + i));
for (let p = 1; p <= 4; p++) {
  k.link(`swp${p}`);
  k.addr(`swp${p}`, `10.0.${p}.1/24`);
  k.addr(`swp${p}`, `2001:db8:${p}::1/64`);
  k.neigh(`swp${p}`, `10.0.${p}.2`, `02:aa:00:00:00:0${p}`, Nud.PERMANENT);
  k.neigh(`swp${p}`, `fe80::${p}`, `02:aa:00:00:00:0${p}`, Nud.PERMANENT);
}
const facts = { ports: [1, 2, 3, 4].map((id) => ({ id, name: `swp${id}` })), defaultVrfId: 0, maxMembersPerGroup: 64, maxMemberWeight: 256 };

// Load the routes as a dump would (bulk), one reused record.
const rec = new RouteRecord();
const v4 = k.mirror.routes.beginResync(4);
const v6 = k.mirror.routes.beginResync(6);
const via = (i: number, shift: number) => [{ gw: `10.0.${((i + shift) % 4) + 1}.2`, dev: `swp${((i + shift) % 4) + 1}` }];
const ipv4 = (i: number) => {
  const a = 0x01000000 + Math.floor(i / 4) * 256;
  return { dst: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24`, table: TABLES[i % 4]! };
};
for (let i = 0; i < N; i++) v4.load(recordFromRoute(k.routeOf({ ...ipv4(i), via: via(i, 0) }), rec));
for (let i = 0; i < N / 5; i++) {
  v6.load(recordFromRoute(k.routeOf({ dst: `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`, via: [{ gw: `fe80::${(i % 4) + 1}`, dev: `swp${(i % 4) + 1}` }] }), rec));
}
k.mirror.routes.finishResync(v4, new RouteKeyList());
k.mirror.routes.finishResync(v6, new RouteKeyList());
const total = k.mirror.routes.size;

function time(label: string, run: () => number): number {
  global.gc?.();
  const t0 = performance.now();
  const n = run();
  const s = (performance.now() - t0) / 1000;
  const rate = n / s;
  console.log(`${label.padEnd(52)} ${s.toFixed(2)} s  ${Math.round(rate).toLocaleString('en-US')} /s`);
  return rate;
}

const t = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
time(`translate ${total.toLocaleString('en-US')} routes from scratch`, () => {
  t.rebuild();
  return total;
});

/** Moves every IPv4 route (mirror only, untimed) and returns the changed keys. */
function change(shift: number, group: boolean): RouteKeyList {
  const keys = new RouteKeyList();
  for (let i = 0; i < N; i++) {
    const r = k.routeOf({ ...ipv4(i), via: group ? [...via(i, shift), ...via(i, shift + 1)] : via(i, shift) });
    k.mirror.routes.family(4).add(recordFromRoute(r, rec), { replace: true, append: false }, keys);
  }
  return keys;
}

for (const [shift, group] of [[1, false], [2, true]] as const) {
  const keys = change(shift, group);
  const fam = k.mirror.routes.family(4);
  const ref = time(`reference: read the active route of ${keys.length.toLocaleString('en-US')} changed keys`, () => {
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (fam.active(keys.table(i), keys.dstLen(i), keys.word(i, 0)) >= 0) n++;
    return n;
  });
  let reported = 0;
  const rate = time(`translate ${keys.length.toLocaleString('en-US')} route changes (${group ? 'to groups' : 'to next hops'})`, () => {
    reported = t.update([{ kind: 'routes', keys }]).length;
    return keys.length;
  });
  // Every changed route must come back as a hardware key to write: a rate of wrong work is none.
  if (reported !== keys.length) throw new Error(`${keys.length} routes changed, ${reported} hardware keys reported`);
  console.log(`  ${(rate / ref).toFixed(2)}x the reference`);
}
console.log(`desired: ${t.desired.routeCount.toLocaleString('en-US')} routes, ${t.desired.nexthops.size} next hops, ${t.desired.groups.size} groups; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
