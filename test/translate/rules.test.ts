// Issue 4's mapping rules, one case each, run for IPv4 and for IPv6 alike: kernel state in, the
// desired hardware route out, and the packet's fate asked of an in-process hwsim that the plan
// was written into update by update (forward out of which port to which MAC, drop, or trap and
// why). A case that changes the kernel afterwards also checks that translating the change gives
// what translating the final state from scratch gives.
import { describe, expect, it } from 'vitest';
import { Nud } from '../../src/netlink/neigh-codec.ts';
import { RTNH_F_DEAD, RTNH_F_LINKDOWN, RouteType } from '../../src/netlink/route-codec.ts';
import { Action } from '../../src/driver/wire.ts';
import { formatMac, parseIp } from '../../src/driver/text.ts';
import { DEFAULT_TRANSLATE_CONFIG, type TranslateConfig } from '../../src/translate/inputs.ts';
import { planAll } from '../../src/translate/plan.ts';
import { Translator } from '../../src/translate/translator.ts';
import type { MirrorEvent } from '../../src/kernel/mirror.ts';
import { canonical } from '../helpers/canonical-state.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { installedOf, syncInto } from '../helpers/sync-check.ts';
import { translateInto } from '../helpers/translate-fixture.ts';

const MAC1 = '02:aa:00:00:00:01';
const MAC2 = '02:aa:00:00:00:02';

/** Addresses of one family: subnets of swp1 and swp2, their gateways, and route prefixes. */
interface Family {
  name: string;
  addr1: string;
  addr2: string;
  net1: string;
  gw1: string;
  gw2: string;
  /** A gateway on swp1 with no neighbour. */
  gwUnresolved: string;
  /** Our own address on swp1, as its local (host) route. */
  own1: string;
  /** An address of a loopback. */
  loAddr: string;
  any: string;
  /** Route prefix number i, and an address inside it. */
  p: (i: number) => string;
  inside: (i: number) => string;
  /** A shorter prefix containing every p(i). */
  wide: () => string;
}

const FAMILIES: Family[] = [
  {
    name: 'IPv4', addr1: '10.0.1.1/24', addr2: '10.0.2.1/24', net1: '10.0.1.0/24', gw1: '10.0.1.2', gw2: '10.0.2.2', gwUnresolved: '10.0.1.9',
    own1: '10.0.1.1/32', loAddr: '10.255.0.1/32', any: '0.0.0.0/0',
    p: (i) => `10.${100 + i}.0.0/16`, inside: (i) => `10.${100 + i}.7.9`, wide: () => '10.0.0.0/8',
  },
  {
    name: 'IPv6', addr1: '2001:db8:1::1/64', addr2: '2001:db8:2::1/64', net1: '2001:db8:1::/64', gw1: '2001:db8:1::2', gw2: '2001:db8:2::2', gwUnresolved: '2001:db8:1::9',
    own1: '2001:db8:1::1/128', loAddr: '2001:db8:ff::1/128', any: '::/0',
    p: (i) => `2001:db8:${(0x100 + i).toString(16)}::/48`, inside: (i) => `2001:db8:${(0x100 + i).toString(16)}::7:9`, wide: () => '2001:db8::/32',
  },
];

function world(f: Family): KernelModel {
  const k = new KernelModel();
  k.link('lo', { kind: '', flags: 0x9 });
  k.link('swp1');
  k.link('swp2');
  k.addr('swp1', f.addr1);
  k.addr('swp2', f.addr2);
  k.neigh('swp1', f.gw1, MAC1);
  k.neigh('swp2', f.gw2, MAC2);
  return k;
}

function translate(k: KernelModel, config: TranslateConfig = DEFAULT_TRANSLATE_CONFIG) {
  const { t, asic, facts, route, d } = translateInto(k, config);
  /** What hwsim does with a packet to `dst` in `vrf`: "swp1 02:aa:..", "drop ...", "trap ...". */
  const fate = (vrf: number, dst: string): string => {
    const r = asic.lookup({ vrfId: vrf, destination: parseIp(dst) });
    if (r.action === Action.ACTION_FORWARD) return `${r.interface} ${formatMac(r.mac)}`;
    return `${r.action === Action.ACTION_DROP ? 'drop' : 'trap'} ${r.reason}`;
  };
  /** Applies kernel changes as events, writes the plan, and checks both equal a translation from scratch (ids aside). */
  const change = (...events: MirrorEvent[][]) => {
    for (const e of events) t.update(e);
    syncInto(asic, t.desired);
    const fresh = new Translator(config, facts, k.mirror);
    fresh.rebuild();
    expect(canonical(t.desired)).toEqual(canonical(fresh.desired));
    expect(canonical(installedOf(asic))).toEqual(canonical(fresh.desired));
  };
  return { t, asic, route, fate, change, d };
}

describe.each(FAMILIES)('translation rules, $name', (f) => {
  it('connected subnet: the router interface', () => {
    const k = world(f);
    k.route({ dst: f.net1, via: [{ dev: 'swp1' }] });
    const { route, fate } = translate(k);
    expect(route(0, f.net1)).toBe('rif 1');
    expect(fate(0, f.gw1)).toBe(`swp1 ${MAC1}`);
  });

  it('a gateway: its next hop; forwarded once its neighbour resolves, trapped while it does not', () => {
    const k = world(f);
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.route({ dst: f.p(2), via: [{ gw: f.gwUnresolved, dev: 'swp1' }] });
    const { route, fate, d, change } = translate(k);
    expect(route(0, f.p(1))).toMatch(/^nexthop \d+$/);
    expect(d.nexthops.get(Number(route(0, f.p(1)).split(' ')[1]))).toMatchObject({ rifId: 1, ip: f.gw1 });
    expect(fate(0, f.inside(1))).toBe(`swp1 ${MAC1}`);
    expect(fate(0, f.inside(2))).toBe('trap neighbor miss');
    change(k.neigh('swp1', f.gwUnresolved, MAC2));
    expect(fate(0, f.inside(2))).toBe(`swp1 ${MAC2}`);
    change(k.neigh('swp1', f.gwUnresolved, '', Nud.FAILED));
    expect(fate(0, f.inside(2))).toBe('trap neighbor miss');
  });

  it('multipath: one group per member set and weights, shared; unresolved members leave it; none resolved traps', () => {
    const k = world(f);
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1', weight: 3 }, { gw: f.gw2, dev: 'swp2' }] });
    k.route({ dst: f.p(2), via: [{ gw: f.gw1, dev: 'swp1', weight: 3 }, { gw: f.gw2, dev: 'swp2' }] });
    k.route({ dst: f.p(3), via: [{ gw: f.gw1, dev: 'swp1' }, { gw: f.gw2, dev: 'swp2' }] });
    const { route, fate, d, change } = translate(k);
    const gid = Number(route(0, f.p(1)).split(' ')[1]);
    expect(route(0, f.p(2))).toBe(`group ${gid}`);
    expect(route(0, f.p(3))).not.toBe(`group ${gid}`);
    expect(d.groups.size).toBe(2);
    const members = () => d.groups.get(gid)!.members.map((m) => [d.nexthops.get(m.nextHopId)!.ip, m.weight]);
    expect(members()).toEqual([[f.gw1, 3], [f.gw2, 1]]);
    expect(fate(0, f.inside(1))).toMatch(/^swp[12] /);
    change(k.neigh('swp2', f.gw2, '', Nud.FAILED));
    expect(members()).toEqual([[f.gw1, 3]]);
    expect(fate(0, f.inside(1))).toBe(`swp1 ${MAC1}`);
    change(k.neigh('swp1', f.gw1, '', Nud.FAILED));
    expect(members()).toEqual([[f.gw1, 3], [f.gw2, 1]]);
    expect(fate(0, f.inside(1))).toBe('trap neighbor miss');
  });

  it('multipath members the kernel marks dead or link-down leave the group; none left traps', () => {
    const k = world(f);
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1', flags: RTNH_F_LINKDOWN }, { gw: f.gw2, dev: 'swp2' }] });
    k.route({ dst: f.p(2), via: [{ gw: f.gw1, dev: 'swp1', flags: RTNH_F_DEAD | RTNH_F_LINKDOWN }, { gw: f.gw2, dev: 'swp2', flags: RTNH_F_LINKDOWN }] });
    const { route, fate, d } = translate(k);
    expect(d.nexthops.get(Number(route(0, f.p(1)).split(' ')[1]))).toMatchObject({ ip: f.gw2 });
    expect(fate(0, f.inside(1))).toBe(`swp2 ${MAC2}`);
    expect(route(0, f.p(2))).toBe('trap');
    expect(fate(0, f.inside(2))).toBe('trap route trap');
  });

  it('blackhole drops; unreachable and prohibit trap (the kernel answers with ICMP)', () => {
    const k = world(f);
    k.route({ dst: f.p(1), type: RouteType.BLACKHOLE });
    k.route({ dst: f.p(2), type: RouteType.UNREACHABLE });
    k.route({ dst: f.p(3), type: RouteType.PROHIBIT });
    const { route, fate } = translate(k);
    expect([route(0, f.p(1)), route(0, f.p(2)), route(0, f.p(3))]).toEqual(['drop', 'trap', 'trap']);
    expect(fate(0, f.inside(1))).toBe('drop route drop');
    expect(fate(0, f.inside(2))).toBe('trap route trap');
  });

  it('own addresses trap, on a port and on a loopback', () => {
    const k = world(f);
    k.route({ dst: f.own1, table: 255, type: RouteType.LOCAL, via: [{ dev: 'swp1' }] });
    k.route({ dst: f.loAddr, table: 255, type: RouteType.LOCAL, via: [{ dev: 'lo' }] });
    const { route, fate } = translate(k);
    expect(route(0, f.own1)).toBe('trap');
    expect(route(0, f.loAddr)).toBe('trap');
    expect(fate(0, f.own1.split('/')[0]!)).toBe('trap route trap');
  });

  it('a miss in a VRF traps unless the table has a default route of its own (blackhole: drop)', () => {
    const k = world(f);
    k.vrf('red', 10);
    k.vrf('blue', 11);
    k.link('swp3', { masterName: 'red' });
    k.route({ dst: f.any, table: 11, type: RouteType.BLACKHOLE });
    const { route, fate } = translate(k);
    expect(route(10, f.any)).toBe('trap');
    expect(fate(10, f.inside(1))).toBe('trap route trap');
    expect(route(11, f.any)).toBe('drop');
    expect(fate(11, f.inside(1))).toBe('drop route drop');
  });

  it('route leaking: a route in one VRF through a port of another uses that port\'s router interface', () => {
    const k = world(f);
    k.vrf('red', 10);
    k.route({ dst: f.p(1), table: 10, via: [{ gw: f.gw2, dev: 'swp2' }] });
    const { route, d, fate } = translate(k);
    expect(d.nexthops.get(Number(route(10, f.p(1)).split(' ')[1]))).toMatchObject({ rifId: 2, ip: f.gw2 });
    expect(fate(10, f.inside(1))).toBe(`swp2 ${MAC2}`);
  });

  it('a dead VRF\'s leftover routes, a table no VRF owns, and an excluded VRF are offloaded nowhere', () => {
    const k = world(f);
    k.vrf('red', 10);
    k.vrf('mgmt', 20);
    k.route({ dst: f.p(1), table: 10, via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.route({ dst: f.p(2), table: 20, via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.route({ dst: f.p(3), table: 100, via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.apply({ kind: 'link', op: 'del', link: k.mirror.links.get(String(k.ifindex('red')))! });
    const { route, d } = translate(k, { ...DEFAULT_TRANSLATE_CONFIG, excludedVrfs: new Set(['mgmt']) });
    expect([route(10, f.p(1)), route(20, f.p(2)), route(100, f.p(3)), route(0, f.p(3))]).toEqual(['absent', 'absent', 'absent', 'absent']);
    expect(d.vrfs.size).toBe(0);
  });

  it('a netdev with no hardware port traps, alone and as an ECMP member', () => {
    const k = world(f);
    k.link('tun0', { kind: 'gre' });
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'tun0' }] });
    k.route({ dst: f.p(2), via: [{ gw: f.gw1, dev: 'tun0' }, { gw: f.gw2, dev: 'swp2' }] });
    const { route, fate } = translate(k);
    expect([route(0, f.p(1)), route(0, f.p(2))]).toEqual(['trap', 'trap']);
    expect(fate(0, f.inside(2))).toBe('trap route trap');
  });

  it('nexthop objects: one, a weighted group, a blackhole', () => {
    const k = world(f);
    k.nexthop(1, { gw: f.gw1, dev: 'swp1' });
    k.nexthop(2, { gw: f.gw2, dev: 'swp2' });
    k.nexthop(3, { group: [[1, 1], [2, 5]] });
    k.nexthop(4, { blackhole: true });
    k.route({ dst: f.p(1), nhId: 1, via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.route({ dst: f.p(2), nhId: 3 });
    k.route({ dst: f.p(3), nhId: 4 });
    const { route, d, fate } = translate(k);
    expect(fate(0, f.inside(1))).toBe(`swp1 ${MAC1}`);
    expect(d.groups.get(Number(route(0, f.p(2)).split(' ')[1]))!.members.map((m) => m.weight)).toEqual([1, 5]);
    expect(route(0, f.p(3))).toBe('drop');
  });

  it('the default VRF\'s tables answer in rule order: a shorter route of an earlier table covers a longer one of a later table', () => {
    const k = world(f);
    // local's range of local addresses takes main's more specific route (the kernel delivers locally) ...
    k.route({ dst: f.wide(), table: 255, type: RouteType.LOCAL, via: [{ dev: 'lo' }] });
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1' }] });
    // ... and main's default takes table default's route.
    k.route({ dst: f.any, via: [{ gw: f.gw2, dev: 'swp2' }] });
    const other = f.name === 'IPv4' ? '172.16.5.0/24' : '2001:db9:5::/48';
    const otherAddr = f.name === 'IPv4' ? '172.16.5.1' : '2001:db9:5::1';
    k.route({ dst: other, table: 253, via: [{ gw: f.gw1, dev: 'swp1' }] });
    const { route, fate, change } = translate(k);
    expect(route(0, f.p(1))).toBe('trap');
    expect(fate(0, f.inside(1))).toBe('trap route trap');
    expect(fate(0, otherAddr)).toBe(`swp2 ${MAC2}`);
    // Main's default goes: table default's route answers.
    change(k.route({ dst: f.any, via: [{ gw: f.gw2, dev: 'swp2' }] }, 'del'));
    expect(fate(0, otherAddr)).toBe(`swp1 ${MAC1}`);
    // A covering route in main again, then local's range goes.
    change(k.route({ dst: f.wide(), via: [{ gw: f.gw2, dev: 'swp2' }] }));
    change(k.route({ dst: f.wide(), table: 255, type: RouteType.LOCAL, via: [{ dev: 'lo' }] }, 'del'));
    expect(fate(0, f.inside(1))).toBe(`swp1 ${MAC1}`);
    expect(route(0, f.wide())).toMatch(/^nexthop/);
  });

  it('a port changing MTU or MAC is modified in place, not recreated', () => {
    const k = world(f);
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1' }] });
    const { t, asic } = translate(k);
    const before = installedOf(asic);
    const link = k.mirror.links.get(String(k.ifindex('swp1')))!;
    const events = k.apply({ kind: 'link', op: 'new', link: { ...link, mtu: 9000, mac: '02:00:00:00:99:01' } });
    t.update(events);
    const updates = planAll(before, t.desired).flat();
    expect(updates.map((u) => `${u.op} ${u.entity.kind}`)).toEqual(['modify rif']);
    syncInto(asic, t.desired);
    expect(installedOf(asic).rifs.get(1)).toMatchObject({ mtu: 9000, mac: '02:00:00:00:99:01' });
  });

  it('a port moved to another VRF: its router interface is recreated there with what hangs on it, hwsim accepting every step', () => {
    const k = world(f);
    k.vrf('red', 10);
    k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1' }] });
    k.route({ dst: f.p(2), via: [{ gw: f.gw1, dev: 'swp1' }, { gw: f.gw2, dev: 'swp2' }] });
    const { change, fate } = translate(k);
    // The kernel enslaves swp1: its routes in main go, the same routes appear in red's table.
    change(
      k.link('swp1', { masterName: 'red' }),
      k.route({ dst: f.p(1), via: [{ gw: f.gw1, dev: 'swp1' }] }, 'del'),
      k.route({ dst: f.p(1), table: 10, via: [{ gw: f.gw1, dev: 'swp1' }] }),
    );
    expect(fate(10, f.inside(1))).toBe(`swp1 ${MAC1}`);
    expect(fate(0, f.inside(1))).toBe('trap route trap');
  });
});
