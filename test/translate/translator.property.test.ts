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
import { HardwareState } from '../../src/translate/hardware-state.ts';
import { planSmall, routeOp } from '../../src/translate/plan.ts';
import { applyUpdate, toProto, type HwUpdate } from '../../src/translate/updates.ts';
import { RouteWork } from '../../src/agent/route-work.ts';
import { Action, Code, codeName } from '../../src/driver/wire.ts';
import { TargetKind, actionOf, kindOf, targetOf } from '../../src/translate/route-value.ts';
import type { Asic } from '../../hwsim/asic.ts';
import { canonical } from '../helpers/canonical-state.ts';
import { KernelModel } from '../helpers/kernel-model.ts';
import { installedOf, newAsic, syncInto } from '../helpers/sync-check.ts';

const PORTS = ['swp1', 'swp2', 'swp3', 'swp4'];
const port = fc.integer({ min: 1, max: 4 });
const gateway = fc.tuple(port, fc.constantFrom(2, 3)).map(([p, h]) => ({ gw: `10.0.${p}.${h}`, dev: `swp${p}` }));
const gateway6 = fc.tuple(port, fc.constantFrom(2, 3)).map(([p, h]) => ({ gw: `2001:db8:${p}::${h}`, dev: `swp${p}` }));
const mac = (dev: string) => `02:aa:00:00:00:0${dev.slice(3)}`;

type Op = (k: KernelModel) => MirrorEvent[];

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(port, fc.boolean()).map(([p, add]): Op => (k) => k.addr(`swp${p}`, `10.0.${p}.1/24`, add ? 'new' : 'del')),
  fc.tuple(gateway, fc.boolean()).map(([g, ok]): Op => (k) => k.neigh(g.dev, g.gw, ok ? `02:aa:00:00:00:0${g.dev.slice(3)}` : '', ok ? Nud.REACHABLE : Nud.FAILED)),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom(254, 255, 253, 10, 11, 100), fc.array(gateway, { minLength: 0, maxLength: 3 }), fc.constantFrom(0, 0, 0, RouteType.BLACKHOLE, RouteType.UNREACHABLE), fc.boolean())
    .map(([p, table, via, type, del]): Op => (k) => {
      const spec = { dst: `10.${p}.0.0/16`, table, via: type ? [] : via.length ? via : [{ dev: 'swp1' }], type: type || RouteType.UNICAST };
      return k.route(spec, del ? 'del' : 'new', { replace: true, append: false });
    }),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(254, 10), fc.boolean())
    .map(([p, table, del]): Op => (k) => k.route({ dst: `2001:db8:${p}::/48`, table, via: [{ gw: `fe80::${p}`, dev: `swp${p}` }] }, del ? 'del' : 'new', { replace: true, append: false })),
  // IPv6 as IPv4: addresses, neighbours, multipath, blackholes, in every table.
  fc.tuple(port, fc.boolean()).map(([p, add]): Op => (k) => k.addr(`swp${p}`, `2001:db8:${p}::1/64`, add ? 'new' : 'del')),
  fc.tuple(gateway6, fc.boolean()).map(([g, ok]): Op => (k) => k.neigh(g.dev, g.gw, ok ? mac(g.dev) : '', ok ? Nud.REACHABLE : Nud.FAILED)),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom(254, 255, 253, 10, 11), fc.array(gateway6, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 0, RouteType.BLACKHOLE), fc.boolean())
    .map(([p, table, via, type, del]): Op => (k) => k.route({ dst: `2001:db8:${(0x100 + p).toString(16)}::/48`, table, via: type ? [] : via, type: type || RouteType.UNICAST }, del ? 'del' : 'new', { replace: true, append: false })),
  // Routes of the default VRF's earlier tables that cover later ones: local ranges, main defaults.
  fc.tuple(fc.constantFrom('10.0.0.0/8', '10.4.0.0/14', '2001:db8::/32', '2001:db8:100::/40'), fc.boolean())
    .map(([dst, del]): Op => (k) => k.route({ dst, table: 255, type: RouteType.LOCAL, via: [{ dev: 'lo' }] }, del ? 'del' : 'new', { replace: true, append: false })),
  fc.tuple(fc.constantFrom('0.0.0.0/0', '10.0.0.0/12', '::/0', '2001:db8:100::/44'), gateway, gateway6, fc.boolean())
    .map(([dst, g, g6, del]): Op => (k) => k.route({ dst, via: [dst.includes(':') ? g6 : g] }, del ? 'del' : 'new', { replace: true, append: false })),
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

  it('keeps hwsim equal to the desired state along the agent\'s own path: the changed keys only, stages in any order within', () => {
    fc.assert(fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), fc.boolean(), (steps, backwards) => {
      const k = model();
      const { asic, facts } = newAsic();
      const t = new Translator(DEFAULT_TRANSLATE_CONFIG, facts, k.mirror);
      t.rebuild();
      const installed = new HardwareState();
      const work = new RouteWork();
      work.markWhole();
      agentCycle(asic, t.desired, installed, work, backwards);
      for (const step of steps) {
        for (const o of step) work.addList(t.update(o(k)));
        agentCycle(asic, t.desired, installed, work, backwards);
      }
    }), { numRuns: 200 });
  });
});

/**
 * One sync cycle as the agent runs it (src/agent/agent.ts syncOnce): the small tables' stages
 * from planSmall, the parked routes and the pending keys compared one by one (routeOp), then the
 * removals; every update written alone into hwsim and applied to `installed` on OK, updates of
 * a stage in list order or backwards (the agent writes a stage in parallel batches). Then hwsim
 * must hold exactly the desired state, ids aside.
 */
function agentCycle(asic: Asic, desired: HardwareState, installed: HardwareState, work: RouteWork, backwards: boolean) {
  const write = (u: HwUpdate) => {
    const [st] = asic.write([toProto(u)], false);
    if ((st!.code ?? Code.OK) !== Code.OK) throw new Error(`${u.op} ${u.entity.kind} ${JSON.stringify(u.entity)}: ${codeName(st!.code!)} ${st!.message}`);
    applyUpdate(installed, u);
  };
  const stage = (updates: HwUpdate[]) => (backwards ? [...updates].reverse() : updates).forEach(write);
  const small = planSmall(installed, desired);
  for (let i = 0; i < small.parked.length; i++) {
    work.add(small.parked.family(i), small.parked.table(i), small.parked.dstLen(i), small.parked.word(i, 0), small.parked.word(i, 1), small.parked.word(i, 2), small.parked.word(i, 3));
  }
  small.before.forEach(stage);
  const routes: HwUpdate[] = [];
  work.take(desired, installed).rest((family, vrfId, dstLen, d0, d1, d2, d3, _since, known) => {
    const want = Number.isNaN(known) ? desired.routes(family).get(vrfId, dstLen, d0, d1, d2, d3) : known;
    const have = installed.routes(family).get(vrfId, dstLen, d0, d1, d2, d3);
    const op = routeOp(have, want);
    if (op) routes.push({ op, entity: { kind: 'route', route: { family, vrfId, dstLen, d0, d1, d2, d3, value: op === 'delete' ? have : want } } });
  });
  stage(routes);
  small.after.forEach(stage);
  expect(canonical(installedOf(asic))).toEqual(canonical(desired));
  // No route refers to a group or next hop the desired state does not hold.
  for (const f of [4, 6] as const) {
    const t = desired.routes(f);
    t.forEach((s) => {
      const v = t.valueOf(s);
      if (actionOf(v) !== Action.ACTION_FORWARD) return;
      if (kindOf(v) === TargetKind.Group) expect(desired.groups.has(targetOf(v))).toBe(true);
      if (kindOf(v) === TargetKind.NextHop) expect(desired.nexthops.has(targetOf(v))).toBe(true);
    });
  }
}
