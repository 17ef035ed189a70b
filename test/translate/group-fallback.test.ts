// A full group table: routes of a group the driver has no room for fall back to one of its
// next hops, and move onto the group once a probe of it succeeds (the upgrade SONiC never did,
// swss#1774). Checked against an in-process hwsim with room for one group.
import { describe, expect, it } from 'vitest';
import { Asic } from '../../hwsim/asic.ts';
import { defaultPorts, makeConfig } from '../../hwsim/config.ts';
import { Code } from '../../src/driver/wire.ts';
import { RouteRecord, recordFromRoute } from '../../src/netlink/route-record.ts';
import { DEFAULT_TRANSLATE_CONFIG, driverFacts } from '../../src/translate/inputs.ts';
import { planAll } from '../../src/translate/plan.ts';
import { describeValue } from '../../src/translate/route-value.ts';
import { Translator } from '../../src/translate/translator.ts';
import { applyUpdate, toProto } from '../../src/translate/updates.ts';
import { Nud } from '../../src/netlink/neigh-codec.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { installedOf } from '../helpers/sync-check.ts';

/** Writes the plan update by update; a group refused for room goes to the translator, as the agent does. */
function sync(asic: Asic, t: Translator): string[] {
  const refused: string[] = [];
  for (let round = 0; round < 5; round++) {
    const installed = installedOf(asic);
    const updates = planAll(installed, t.desired).flat();
    if (!updates.length) return refused;
    for (const u of updates) {
      const [st] = asic.write([toProto(u)], false);
      if ((st!.code ?? Code.OK) === Code.OK) {
        applyUpdate(installed, u);
        if (u.entity.kind === 'group' && u.op === 'insert') t.groupInstalled(u.entity.group.id);
      } else if (u.entity.kind === 'group' && st!.code === Code.RESOURCE_EXHAUSTED) {
        refused.push(`group ${u.entity.group.id}`);
        t.groupRefused(u.entity.group.id);
      }
      // A route to a group that was refused fails with FAILED_PRECONDITION: the next round rewrites it.
    }
  }
  throw new Error('did not converge in 5 rounds');
}

describe('group table full', () => {
  it('falls back to one next hop, then upgrades to the group when room frees', () => {
    const k = new KernelModel();
    for (let p = 1; p <= 3; p++) {
      k.link(`swp${p}`);
      k.addr(`swp${p}`, `10.0.${p}.1/24`);
      k.neigh(`swp${p}`, `10.0.${p}.2`, `02:aa:00:00:00:0${p}`, Nud.PERMANENT);
    }
    const via = (a: number, b: number) => [{ gw: `10.0.${a}.2`, dev: `swp${a}` }, { gw: `10.0.${b}.2`, dev: `swp${b}` }];
    k.route({ dst: '10.1.0.0/16', via: via(1, 2) });
    k.route({ dst: '10.2.0.0/16', via: via(2, 3) });
    k.route({ dst: '10.3.0.0/16', via: via(2, 3) });
    const asic = new Asic(makeConfig({ ports: defaultPorts(4), capacity: { groups: 1 } }));
    const t = new Translator(DEFAULT_TRANSLATE_CONFIG, driverFacts(asic.capabilities()), k.mirror);
    t.rebuild();
    const route = (cidr: string) => {
      const r = recordFromRoute(k.routeOf({ dst: cidr }), new RouteRecord());
      return describeValue(installedOf(asic).routes4.get(0, r.dstLen, r.d0));
    };
    expect(sync(asic, t)).toHaveLength(1);
    expect(t.fallenBackGroups).toBe(1);
    // One group fits; the other group's routes forward through a single member meanwhile.
    const kinds = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'].map((c) => route(c).split(' ')[0]);
    expect(kinds.filter((x) => x === 'group')).toHaveLength(kinds[0] === 'group' ? 1 : 2);
    expect(kinds.filter((x) => x === 'nexthop').length).toBeGreaterThan(0);
    // Room frees (the group in hwsim loses its routes); a probe takes it, and routes move on.
    const inGroup = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'].filter((c) => route(c).startsWith('group'));
    for (const c of inGroup) t.update(k.route({ dst: c, via: [] }, 'del'));
    sync(asic, t);
    expect(t.probeGroups()).toBe(true);
    sync(asic, t);
    expect(t.fallenBackGroups).toBe(0);
    const left = ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'].filter((c) => !inGroup.includes(c));
    for (const c of left) expect(route(c)).toMatch(/^group/);
    expect(planAll(installedOf(asic), t.desired).flat()).toEqual([]);
  });

  it('falls back to a resolved member, and to another one when that one\'s neighbour goes', () => {
    const k = new KernelModel();
    for (let p = 1; p <= 3; p++) {
      k.link(`swp${p}`);
      k.addr(`swp${p}`, `10.0.${p}.1/24`);
    }
    k.neigh('swp2', '10.0.2.2', '02:aa:00:00:00:02', Nud.REACHABLE);
    k.neigh('swp3', '10.0.3.2', '02:aa:00:00:00:03', Nud.REACHABLE);
    // The first member has no neighbour: a fallback onto it would trap every packet.
    k.route({ dst: '10.1.0.0/16', via: [1, 2, 3].map((p) => ({ gw: `10.0.${p}.2`, dev: `swp${p}` })) });
    const asic = new Asic(makeConfig({ ports: defaultPorts(4), capacity: { groups: 0 } }));
    const t = new Translator(DEFAULT_TRANSLATE_CONFIG, driverFacts(asic.capabilities()), k.mirror);
    t.rebuild();
    expect(sync(asic, t)).toHaveLength(1);
    const via = () => {
      const v = installedOf(asic);
      const nh = v.nexthops.get(Number(describeValue(v.routes4.get(0, 16, 0x0a010000)).split(' ')[1]));
      return nh?.ip;
    };
    expect(via()).toBe('10.0.2.2');
    t.update(k.neigh('swp2', '10.0.2.2', '', Nud.FAILED));
    sync(asic, t);
    expect(via()).toBe('10.0.3.2');
    expect(asic.lookup({ vrfId: 0, destination: { ipv4: 0x0a010203 } }).interface).toBe('swp3');
  });
});
