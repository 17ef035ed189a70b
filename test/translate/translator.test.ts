// Translation of VRFs, router interfaces and the route kinds and tables the rules in
// rules.test.ts (each for IPv4 and IPv6) do not go through: kernel state in, desired hardware
// state out, and the planned updates accepted by an in-process hwsim that then holds exactly it.
import { describe, expect, it } from 'vitest';
import { RouteType } from '../../src/netlink/route-codec.ts';
import { DEFAULT_TRANSLATE_CONFIG } from '../../src/translate/inputs.ts';
import { Translator } from '../../src/translate/translator.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { newAsic } from '../helpers/sync-check.ts';
import { translateInto } from '../helpers/translate-fixture.ts';

const MAC1 = '02:aa:00:00:00:01';
const MAC2 = '02:aa:00:00:00:02';

const translate = translateInto;

/** swp1 (10.0.1.1/24, 2001:db8:1::1/64) and swp2 (10.0.2.1/24) in the default VRF, neighbours resolved. */
function basic(): KernelModel {
  const k = new KernelModel();
  k.link('lo', { kind: '', flags: 0x9 });
  k.link('swp1');
  k.link('swp2');
  k.addr('swp1', '10.0.1.1/24');
  k.addr('swp1', '2001:db8:1::1/64');
  k.addr('swp2', '10.0.2.1/24');
  k.neigh('swp1', '10.0.1.2', MAC1);
  k.neigh('swp2', '10.0.2.2', MAC2);
  k.neigh('swp1', '2001:db8:1::2', MAC1);
  return k;
}

describe('VRFs and router interfaces', () => {
  it('makes a VRF per kernel VRF table, with its ports, and the default VRF for main/local/default', () => {
    const k = basic();
    k.vrf('red', 10);
    k.link('swp3', { masterName: 'red' });
    const { d } = translate(k);
    expect([...d.vrfs.values()]).toEqual([{ id: 10, name: 'red' }]);
    expect(d.rifs.get(1)).toMatchObject({ vrfId: 0, portId: 1, mac: '02:00:00:00:01:03', mtu: 1500, adminUp: true });
    expect(d.rifs.get(3)).toMatchObject({ vrfId: 10, portId: 3 });
    expect(d.rifs.has(4)).toBe(false); // no swp4 in the kernel
  });

  it('shares one VRF between two VRF devices on one table, named after the first', () => {
    const k = basic();
    k.vrf('red', 10);
    k.vrf('blue', 10);
    expect([...translate(k).d.vrfs.values()]).toEqual([{ id: 10, name: 'blue' }]);
  });

  it('offloads nothing of an excluded VRF: no VRF, no router interface, no route', () => {
    const k = basic();
    k.vrf('mgmt', 20);
    k.link('swp3', { masterName: 'mgmt' });
    k.addr('swp3', '192.168.9.1/24');
    k.route({ dst: '0.0.0.0/0', table: 20, via: [{ gw: '192.168.9.254', dev: 'swp3' }] });
    const { d, route } = translate(k, { ...DEFAULT_TRANSLATE_CONFIG, excludedVrfs: new Set(['mgmt']) });
    expect(d.vrfs.size).toBe(0);
    expect(d.rifs.has(3)).toBe(false);
    expect(route(20, '0.0.0.0/0')).toBe('absent');
  });

  it('gives a port no router interface while it has no address and no VRF, or sits in a bridge', () => {
    const k = basic();
    k.link('br0', { kind: 'bridge' });
    k.link('swp3');
    k.link('swp4', { masterName: 'br0' });
    k.addr('swp4', '10.0.4.1/24');
    const { d } = translate(k);
    expect(d.rifs.has(3)).toBe(false);
    expect(d.rifs.has(4)).toBe(false);
  });

  it('maps netdevs to ports by the configured names', () => {
    const k = basic();
    k.link('eth7');
    k.addr('eth7', '10.0.7.1/24');
    const { d } = translate(k, { ...DEFAULT_TRANSLATE_CONFIG, portMap: new Map([['eth7', 'swp5']]) });
    expect(d.rifs.get(5)).toMatchObject({ portId: 5, vrfId: 0 });
  });
});

describe('routes', () => {
  it('translates each route kind', () => {
    const k = basic();
    k.route({ dst: '10.0.1.0/24', via: [{ dev: 'swp1' }] });
    k.route({ dst: '10.1.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    k.route({ dst: '10.2.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1', weight: 3 }, { gw: '10.0.2.2', dev: 'swp2' }] });
    k.route({ dst: '10.3.0.0/16', type: RouteType.BLACKHOLE });
    k.route({ dst: '10.4.0.0/16', type: RouteType.UNREACHABLE });
    k.route({ dst: '10.5.0.0/16', type: RouteType.PROHIBIT });
    k.route({ dst: '10.0.1.1/32', table: 255, type: RouteType.LOCAL, via: [{ dev: 'swp1' }] });
    k.route({ dst: '10.0.1.255/32', table: 255, type: RouteType.BROADCAST, via: [{ dev: 'swp1' }] });
    k.route({ dst: '2001:db8:9::/48', via: [{ gw: '2001:db8:1::2', dev: 'swp1' }] });
    k.route({ dst: 'fe80::/64', via: [{ dev: 'swp1' }] });
    k.route({ dst: 'ff00::/8', table: 255, type: RouteType.MULTICAST, via: [{ dev: 'swp1' }] });
    const { route, d, nexthop } = translate(k);
    expect(route(0, '10.0.1.0/24')).toBe('rif 1');
    expect(route(0, '10.1.0.0/16')).toMatch(/^nexthop \d+$/);
    expect(nexthop(Number(route(0, '10.1.0.0/16').split(' ')[1]))).toMatchObject({ rifId: 1, ip: '10.0.1.2' });
    expect(route(0, '10.2.0.0/16')).toMatch(/^group \d+$/);
    const g = d.groups.get(Number(route(0, '10.2.0.0/16').split(' ')[1]))!;
    expect(g.members.map((m) => [nexthop(m.nextHopId)!.ip, m.weight])).toEqual([['10.0.1.2', 3], ['10.0.2.2', 1]]);
    expect(route(0, '10.3.0.0/16')).toBe('drop');
    expect(route(0, '10.4.0.0/16')).toBe('trap');
    expect(route(0, '10.5.0.0/16')).toBe('trap');
    expect(route(0, '10.0.1.1/32')).toBe('trap');
    expect(route(0, '10.0.1.255/32')).toBe('trap');
    expect(route(0, '2001:db8:9::/48')).toMatch(/^nexthop \d+$/);
    // Link-local: one trap for fe80::/10, never a per-interface route; multicast: nothing.
    expect(route(0, 'fe80::/64')).toBe('absent');
    expect(route(0, 'fe80::/10')).toBe('trap');
    expect(route(0, 'ff00::/8')).toBe('absent');
  });

  it('shares one group among routes with the same members and weights', () => {
    const k = basic();
    for (let i = 0; i < 20; i++) k.route({ dst: `10.${20 + i}.0.0/16`, via: [{ gw: '10.0.1.2', dev: 'swp1' }, { gw: '10.0.2.2', dev: 'swp2' }] });
    k.route({ dst: '10.50.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1', weight: 2 }, { gw: '10.0.2.2', dev: 'swp2' }] });
    const { d } = translate(k);
    expect(d.groups.size).toBe(2);
    expect(d.nexthops.size).toBe(2);
  });
});

describe('route changes', () => {
  it('are translated by key, covering routes of the default VRF\'s tables included, with what they cover', () => {
    const k = basic();
    k.route({ dst: '172.16.5.0/24', table: 253, via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    const { t } = translate(k);
    const keys = (l: ReturnType<Translator['update']>) => Array.from({ length: l.length }, (_, i) => `${l.dstLen(i)}`).sort();
    // A short route in main: its own key, and table default's route under it; never the whole family.
    const changed = t.update(k.route({ dst: '172.16.0.0/16', via: [{ gw: '10.0.2.2', dev: 'swp2' }] }));
    expect(changed.isWhole(4)).toBe(false);
    expect(keys(changed)).toEqual(['16', '24']);
    const local = t.update(k.route({ dst: '10.9.0.0/16', table: 255, type: RouteType.LOCAL, via: [{ dev: 'lo' }] }));
    expect(local.isWhole(4)).toBe(false);
  });
});

describe('whole families', () => {
  it('translates a family the mirror filled from nothing (its first dump), and rebuilds in steps alike', () => {
    const k = basic();
    const { facts } = newAsic();
    const t = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
    t.rebuild();
    // The first dump of IPv4 routes arrives as one event marking the family whole.
    const dumped = [10, 11, 12].map((i) => ({ kind: 'route' as const, op: 'new' as const, route: k.routeOf({ dst: `10.${i}.0.0/16`, via: [{ gw: '10.0.1.2', dev: 'swp1' }] }), replace: false, append: false }));
    const events = k.mirror.reconcile(['ipv4-routes'], dumped);
    expect(events.some((e) => e.kind === 'routes' && e.keys.isWhole(4))).toBe(true);
    const changed = t.update(events);
    expect(changed.isWhole(4)).toBe(true);
    const count = () => { let n = 0; t.desired.routes4.forEach(() => n++); return n; };
    expect(count()).toBe(4); // three routes and the trap default
    // The same result from a rebuild taken in steps of one prefix, every route emitted once.
    const stepped = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
    const emitted: string[] = [];
    let steps = 0;
    for (const _ of stepped.rebuildSteps(1, (f, vrf, len, d0) => emitted.push(`${f}/${vrf}/${d0}/${len}`))) steps++;
    expect(steps).toBeGreaterThan(2);
    expect(emitted).toHaveLength(stepped.desired.routeCount);
    expect(new Set(emitted).size).toBe(emitted.length);
  });
});

