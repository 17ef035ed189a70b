// Translation rules, one table-driven case each, IPv4 and IPv6: kernel state in, desired hardware
// state out, and the planned updates accepted by an in-process hwsim that then holds exactly it.
import { describe, expect, it } from 'vitest';
import { Nud } from '../../src/netlink/neigh-codec.ts';
import { RouteType } from '../../src/netlink/route-codec.ts';
import { RouteRecord, recordFromRoute } from '../../src/netlink/route-record.ts';
import { DEFAULT_TRANSLATE_CONFIG, type TranslateConfig } from '../../src/translate/inputs.ts';
import { describeValue } from '../../src/translate/route-value.ts';
import { ABSENT } from '../../src/translate/route-table.ts';
import { Translator } from '../../src/translate/translator.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { newAsic, syncInto } from '../helpers/sync-check.ts';

const MAC1 = '02:aa:00:00:00:01';
const MAC2 = '02:aa:00:00:00:02';

function translate(k: KernelModel, config: TranslateConfig = DEFAULT_TRANSLATE_CONFIG) {
  const { asic, facts } = newAsic();
  const t = new Translator(config, facts, k.mirror);
  t.rebuild();
  syncInto(asic, t.desired);
  /** The desired hardware route for a prefix in a VRF, as text ("trap", "nexthop 1", ...). */
  const route = (vrf: number, cidr: string): string => {
    const r = recordFromRoute(k.routeOf({ dst: cidr }), new RouteRecord());
    const v = t.desired.routes(r.family).get(vrf, r.dstLen, r.d0, r.d1, r.d2, r.d3);
    return v === ABSENT ? 'absent' : describeValue(v);
  };
  const nexthop = (id: number) => t.desired.nexthops.get(id);
  return { t, asic, route, nexthop, d: t.desired };
}

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

  it('traps a miss unless the table has a default route of its own', () => {
    const k = basic();
    k.vrf('red', 10);
    k.vrf('blue', 11);
    k.link('swp3', { masterName: 'red' });
    k.addr('swp3', '10.0.3.1/24');
    k.route({ dst: '0.0.0.0/0', table: 10, via: [{ gw: '10.0.3.2', dev: 'swp3' }] });
    k.route({ dst: '::/0', table: 11, type: RouteType.UNREACHABLE, metric: 4278198272 });
    const { route } = translate(k);
    expect(route(10, '0.0.0.0/0')).toMatch(/^nexthop/);
    expect(route(10, '::/0')).toBe('trap');
    expect(route(11, '0.0.0.0/0')).toBe('trap');
    expect(route(0, '0.0.0.0/0')).toBe('trap');
    expect(route(11, 'fe80::/10')).toBe('trap');
  });

  it('lets a route use a router interface of another VRF (route leaking)', () => {
    const k = basic();
    k.vrf('red', 10);
    k.route({ dst: '10.9.0.0/16', table: 10, via: [{ gw: '10.0.2.2', dev: 'swp2' }] });
    const { route, nexthop } = translate(k);
    expect(nexthop(Number(route(10, '10.9.0.0/16').split(' ')[1]))).toMatchObject({ rifId: 2, ip: '10.0.2.2' });
  });

  it('offloads no table that no VRF device owns, nor a dead VRF left behind', () => {
    const k = basic();
    k.route({ dst: '10.7.0.0/16', table: 100, via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    k.vrf('red', 10);
    k.route({ dst: '10.8.0.0/16', table: 10, via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    k.apply({ kind: 'link', op: 'del', link: k.mirror.links.get(String(k.ifindex('red')))! });
    const { route, d } = translate(k);
    expect(route(100, '10.7.0.0/16')).toBe('absent');
    expect(route(10, '10.8.0.0/16')).toBe('absent');
    expect(d.vrfs.size).toBe(0);
  });

  it('traps routes through a netdev with no hardware port', () => {
    const k = basic();
    k.link('tun0', { kind: 'gre' });
    k.addr('tun0', '172.16.0.1/30');
    k.route({ dst: '10.6.0.0/16', via: [{ gw: '172.16.0.2', dev: 'tun0' }] });
    k.route({ dst: '10.6.1.0/24', via: [{ gw: '172.16.0.2', dev: 'tun0' }, { gw: '10.0.1.2', dev: 'swp1' }] });
    const { route } = translate(k);
    expect(route(0, '10.6.0.0/16')).toBe('trap');
    expect(route(0, '10.6.1.0/24')).toBe('trap');
  });

  it('resolves nexthop objects: one, a group, a blackhole', () => {
    const k = basic();
    k.nexthop(1, { gw: '10.0.1.2', dev: 'swp1' });
    k.nexthop(2, { gw: '10.0.2.2', dev: 'swp2' });
    k.nexthop(3, { group: [[1, 1], [2, 5]] });
    k.nexthop(4, { blackhole: true });
    k.route({ dst: '10.10.0.0/16', nhId: 1, via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    k.route({ dst: '10.11.0.0/16', nhId: 3 });
    k.route({ dst: '10.12.0.0/16', nhId: 4 });
    const { route, d } = translate(k);
    expect(route(0, '10.10.0.0/16')).toMatch(/^nexthop/);
    const g = d.groups.get(Number(route(0, '10.11.0.0/16').split(' ')[1]))!;
    expect(g.members.map((m) => m.weight)).toEqual([1, 5]);
    expect(route(0, '10.12.0.0/16')).toBe('drop');
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

describe('neighbours', () => {
  it('keeps a route on its next hop whether or not the neighbour is resolved (a miss traps in hardware)', () => {
    const k = basic();
    k.route({ dst: '10.1.0.0/16', via: [{ gw: '10.0.1.9', dev: 'swp1' }] });
    k.neigh('swp1', '10.0.1.8', '', Nud.INCOMPLETE);
    const { route, d } = translate(k);
    expect(route(0, '10.1.0.0/16')).toMatch(/^nexthop/);
    expect(d.neighbors.has('1|10.0.1.9')).toBe(false);
    expect(d.neighbors.has('1|10.0.1.8')).toBe(false);
    expect(d.neighbors.get('1|10.0.1.2')).toEqual({ rifId: 1, ip: '10.0.1.2', mac: MAC1 });
  });

  it('takes unresolved members out of a group, and puts them all back when none is resolved', () => {
    const k = basic();
    k.route({ dst: '10.1.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1' }, { gw: '10.0.2.9', dev: 'swp2' }] });
    const { d, route, t } = translate(k);
    const gid = Number(route(0, '10.1.0.0/16').split(' ')[1]);
    const ips = () => d.groups.get(gid)!.members.map((m) => d.nexthops.get(m.nextHopId)!.ip);
    expect(ips()).toEqual(['10.0.1.2']);
    t.update(k.neigh('swp2', '10.0.2.9', MAC2));
    expect(ips()).toEqual(['10.0.1.2', '10.0.2.9']);
    t.update(k.neigh('swp1', '10.0.1.2', '', Nud.FAILED));
    t.update(k.neigh('swp2', '10.0.2.9', '', Nud.FAILED));
    expect(ips()).toEqual(['10.0.1.2', '10.0.2.9']);
    expect(route(0, '10.1.0.0/16')).toBe(`group ${gid}`);
  });
});

describe('moving a port to another VRF', () => {
  it('recreates its router interface in the new VRF with what hangs on it, hwsim accepting every step', () => {
    const k = basic();
    k.vrf('red', 10);
    k.route({ dst: '10.1.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    k.route({ dst: '10.2.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1' }, { gw: '10.0.2.2', dev: 'swp2' }] });
    const { asic, t } = translate(k);
    // The kernel enslaves swp1: its routes in main go, the same routes appear in red's table.
    k.link('swp1', { masterName: 'red' });
    k.route({ dst: '10.1.0.0/16', via: [{ gw: '10.0.1.2', dev: 'swp1' }] }, 'del');
    k.route({ dst: '10.1.0.0/16', table: 10, via: [{ gw: '10.0.1.2', dev: 'swp1' }] });
    t.rebuild();
    expect(t.desired.rifs.get(1)!.vrfId).toBe(10);
    syncInto(asic, t.desired);
  });
});
