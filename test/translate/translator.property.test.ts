// Properties of translation and the diff (fast-check), over random kernel histories:
// - the desired state depends only on the final kernel state, not on the history (incremental
//   updates equal a fresh translation, ids aside);
// - the planned updates, written one by one into an in-process hwsim, are each accepted (every
//   prefix of the list keeps referential integrity: hwsim refuses a dangling reference or the
//   delete of a referenced entity) and leave hwsim holding exactly the desired state.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Nud } from '../../src/netlink/neigh-codec.ts';
import { RouteType } from '../../src/netlink/route-codec.ts';
import type { MirrorEvent } from '../../src/kernel/mirror.ts';
import { DEFAULT_TRANSLATE_CONFIG } from '../../src/translate/inputs.ts';
import { Translator } from '../../src/translate/translator.ts';
import type { HardwareState } from '../../src/translate/hardware-state.ts';
import { TargetKind, actionOf, kindOf, targetOf } from '../../src/translate/route-value.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { installedOf, newAsic, syncInto } from '../helpers/sync-check.ts';

const PORTS = ['swp1', 'swp2', 'swp3', 'swp4'];
const port = fc.integer({ min: 1, max: 4 });
const gateway = fc.tuple(port, fc.constantFrom(2, 3)).map(([p, h]) => ({ gw: `10.0.${p}.${h}`, dev: `swp${p}` }));

type Op = (k: KernelModel) => MirrorEvent[];

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(port, fc.boolean()).map(([p, add]): Op => (k) => k.addr(`swp${p}`, `10.0.${p}.1/24`, add ? 'new' : 'del')),
  fc.tuple(gateway, fc.boolean()).map(([g, ok]): Op => (k) => k.neigh(g.dev, g.gw, ok ? `02:aa:00:00:00:0${g.dev.slice(3)}` : '', ok ? Nud.REACHABLE : Nud.FAILED)),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom(254, 255, 10, 11, 100), fc.array(gateway, { minLength: 0, maxLength: 3 }), fc.constantFrom(0, 0, 0, RouteType.BLACKHOLE, RouteType.UNREACHABLE), fc.boolean())
    .map(([p, table, via, type, del]): Op => (k) => {
      const spec = { dst: `10.${p}.0.0/16`, table, via: type ? [] : via.length ? via : [{ dev: 'swp1' }], type: type || RouteType.UNICAST };
      return k.route(spec, del ? 'del' : 'new', { replace: true, append: false });
    }),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(254, 10), fc.boolean())
    .map(([p, table, del]): Op => (k) => k.route({ dst: `2001:db8:${p}::/48`, table, via: [{ gw: `fe80::${p}`, dev: `swp${p}` }] }, del ? 'del' : 'new', { replace: true, append: false })),
  fc.tuple(port, fc.constantFrom('', 'red', 'blue')).map(([p, vrf]): Op => (k) => k.link(`swp${p}`, { masterName: vrf || undefined, master: vrf ? undefined : 0 })),
  fc.tuple(fc.constantFrom('red', 'blue'), fc.boolean()).map(([name, del]): Op => (k) => {
    if (!del) return k.vrf(name, name === 'red' ? 10 : 11);
    const l = k.mirror.links.get(String(k.ifindex(name)));
    return l ? k.apply({ kind: 'link', op: 'del', link: l }) : [];
  }),
  fc.tuple(fc.integer({ min: 1, max: 3 }), gateway).map(([id, g]): Op => (k) => k.nexthop(id, g)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b]): Op => (k) => (a === b ? k.nexthop(10, {}, 'del') : k.nexthop(10, { group: [[a, 1], [b, 2]] }))),
  fc.tuple(fc.integer({ min: 20, max: 23 }), fc.constantFrom(1, 2, 10)).map(([p, id]): Op => (k) => k.route({ dst: `10.${p}.0.0/16`, nhId: id }, 'new', { replace: true, append: false })),
);

function model(): KernelModel {
  const k = new KernelModel();
  k.link('lo', { kind: '', flags: 0x9 });
  k.vrf('red', 10);
  k.vrf('blue', 11);
  for (const p of PORTS) k.link(p);
  k.addr('swp1', '10.0.1.1/24');
  k.addr('swp2', '10.0.2.1/24');
  return k;
}

/** The desired state with ids replaced by what they stand for: comparable across translators. */
function canonical(s: HardwareState) {
  const nh = (id: number) => { const n = s.nexthops.get(id)!; return `${n.rifId}|${n.ip}`; };
  const target = (v: number) => {
    if (actionOf(v) !== 1) return `a${actionOf(v)}`;
    const id = targetOf(v);
    switch (kindOf(v)) {
      case TargetKind.NextHop: return `nh ${nh(id)}`;
      case TargetKind.Group: return `group ${s.groups.get(id)!.members.map((m) => `${nh(m.nextHopId)}*${m.weight}`).join(',')}`;
      default: return `rif ${id}`;
    }
  };
  const routes: string[] = [];
  for (const f of [4, 6] as const) {
    const t = s.routes(f);
    t.forEach((slot) => routes.push(`${t.keyText(slot)} ${target(t.valueOf(slot))}`));
  }
  return {
    vrfs: [...s.vrfs.values()].sort((a, b) => a.id - b.id),
    rifs: [...s.rifs.values()].sort((a, b) => a.id - b.id),
    neighbors: [...s.neighbors.keys()].sort(),
    nexthops: [...s.nexthops.keys()].map(nh).sort(),
    groups: s.groups.size,
    routes: routes.sort(),
  };
}

describe('translation properties', () => {
  it('gives the same desired state incrementally as from scratch, whatever the history', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
      const k = model();
      const { facts } = newAsic();
      const live = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      live.rebuild();
      for (const o of ops) live.update(o(k));
      const fresh = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      fresh.rebuild();
      expect(canonical(live.desired)).toEqual(canonical(fresh.desired));
    }), { numRuns: 300 });
  });

  it('plans updates hwsim accepts one by one, ending exactly at the desired state, step after step', () => {
    fc.assert(fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (steps) => {
      const k = model();
      const { asic, facts } = newAsic();
      const t = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      t.rebuild();
      syncInto(asic, t.desired);
      for (const step of steps) {
        for (const o of step) t.update(o(k));
        syncInto(asic, t.desired);
      }
    }), { numRuns: 200 });
  });

  it('writes nothing when a restarted agent adopts what hardware holds', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
      const k = model();
      const { asic, facts } = newAsic();
      const first = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      first.rebuild();
      for (const o of ops) first.update(o(k));
      syncInto(asic, first.desired);
      const restarted = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      restarted.adopt(installedOf(asic));
      restarted.rebuild();
      expect(syncInto(asic, restarted.desired)).toBe(0);
    }), { numRuns: 200 });
  });
});
