// Referential integrity both ways: an entity whose dependency is missing is refused
// (FAILED_PRECONDITION), and so is the delete of an entity still referenced; once the references
// are gone the delete succeeds.
import { Code, type v1 } from '../driver/wire.ts';
import { expectOneOf, expectSameEntities } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { describe, keyOf } from './entities.ts';
import { W, insert, modify, prefix4, prefix6, remove, v4 } from './fixtures.ts';

type Make = (ctx: CaseContext) => v1.IUpdate;

const missing = (ctx: CaseContext) => ctx.fx.id(0x99);

/** Each update names a dependency that does not exist; everything else is valid. */
const CREATE: [string, Make][] = [
  ['rif-in-missing-vrf', (ctx) => insert(ctx.fx.portRif(ctx.fx.id(2), missing(ctx), { vlanId: 600 }))],
  ['neighbor-on-missing-rif', (ctx) => insert(ctx.fx.neighbor(missing(ctx), v4('10.1.0.77')))],
  ['next-hop-on-missing-rif', (ctx) => insert(ctx.fx.nextHop(ctx.fx.id(3), missing(ctx), v4('10.1.0.77')))],
  ['group-with-missing-next-hop', (ctx) => insert(ctx.fx.group(ctx.fx.id(4), [[W.nh4, 1], [missing(ctx), 1]]))],
  ['route-in-missing-vrf', (ctx) => insert(ctx.fx.route(missing(ctx), prefix4('10.60.0.0', 16), 'drop'))],
  ['route-to-missing-next-hop', (ctx) => insert(ctx.fx.route(W.vrfA, prefix4('10.60.0.0', 16), { nextHopId: missing(ctx) }))],
  ['route-to-missing-group', (ctx) => insert(ctx.fx.route(W.vrfA, prefix6('2001:db8:60::', 48), { groupId: missing(ctx) }))],
  ['route-to-missing-rif', (ctx) => insert(ctx.fx.route(W.vrfA, prefix4('10.60.0.0', 16), { rifId: missing(ctx) }))],
  ['modify-route-to-missing-next-hop', (ctx) => modify(ctx.fx.route(W.vrfA, prefix4('10.9.0.0', 16), { nextHopId: missing(ctx) }))],
  ['modify-group-to-missing-next-hop', (ctx) => modify(ctx.fx.group(W.groupB, [[missing(ctx), 1]]))],
  ['modify-neighbor-on-missing-rif', (ctx) => modify(ctx.fx.neighbor(missing(ctx), v4('10.1.0.2')))],
];

const createCases: Case[] = CREATE.map(([name, make]) => ({
  name: `deps/create/${name}`,
  async run(ctx: CaseContext) {
    await ctx.install(ctx.fx.world());
    const u = make(ctx);
    // MODIFY of a neighbour on a missing interface: the key itself is missing, so NOT_FOUND
    // is as right as FAILED_PRECONDITION; every other case has an existing key or an INSERT.
    const codes = name === 'modify-neighbor-on-missing-rif' ? null : [Code.FAILED_PRECONDITION];
    if (codes) {
      await ctx.expectWrite([u], codes, describe(u.entity!), { unchanged: true });
    } else {
      const before = await ctx.snapshot();
      expectOneOf((await ctx.s.write([u]))[0], [Code.FAILED_PRECONDITION, Code.NOT_FOUND], `MODIFY ${describe(u.entity!)}`);
      await ctx.expectUnchanged(before, 'refused MODIFY');
    }
  },
}));

interface DeleteScenario {
  name: string;
  /** Entities to install, in dependency order (after the standard world). */
  setup: (ctx: CaseContext) => v1.IEntity[];
  /** Index in setup of the entity to delete. */
  victim: number;
  /** Indexes in setup of what references it. */
  dependents: number[];
}

const C = (ctx: CaseContext) => ctx.fx.id(0x10);
const D = (ctx: CaseContext) => ctx.fx.id(0x11);
const R = (ctx: CaseContext) => ctx.fx.id(0x12);
const NH = (ctx: CaseContext) => ctx.fx.id(0x13);
const G = (ctx: CaseContext) => ctx.fx.id(0x14);
const vrfC = (ctx: CaseContext) => ctx.fx.vrf(C(ctx));
const rifR = (ctx: CaseContext) => ctx.fx.portRif(R(ctx), C(ctx), { vlanId: 700 });
const nhR = (ctx: CaseContext) => ctx.fx.nextHop(NH(ctx), R(ctx), v4('10.70.0.1'));

const DELETE: DeleteScenario[] = [
  { name: 'vrf-with-rif', setup: (c) => [vrfC(c), c.fx.loopbackRif(R(c), C(c))], victim: 0, dependents: [1] },
  { name: 'vrf-with-route', setup: (c) => [vrfC(c), c.fx.route(C(c), prefix4('10.70.0.0', 16), 'drop')], victim: 0, dependents: [1] },
  { name: 'rif-with-neighbor', setup: (c) => [vrfC(c), rifR(c), c.fx.neighbor(R(c), v4('10.70.0.1'))], victim: 1, dependents: [2] },
  { name: 'rif-with-next-hop', setup: (c) => [vrfC(c), rifR(c), nhR(c)], victim: 1, dependents: [2] },
  { name: 'rif-with-route', setup: (c) => [vrfC(c), rifR(c), c.fx.route(C(c), prefix4('10.70.0.0', 24), { rifId: R(c) })], victim: 1, dependents: [2] },
  {
    name: 'rif-with-route-in-other-vrf',
    setup: (c) => [vrfC(c), c.fx.vrf(D(c)), rifR(c), c.fx.route(D(c), prefix4('10.70.0.0', 24), { rifId: R(c) })],
    victim: 2,
    dependents: [3],
  },
  { name: 'next-hop-in-group', setup: (c) => [vrfC(c), rifR(c), nhR(c), c.fx.group(G(c), [[NH(c), 1]])], victim: 2, dependents: [3] },
  { name: 'next-hop-with-route', setup: (c) => [vrfC(c), rifR(c), nhR(c), c.fx.route(C(c), prefix6('2001:db8:70::', 48), { nextHopId: NH(c) })], victim: 2, dependents: [3] },
  {
    name: 'next-hop-with-route-in-default-vrf',
    setup: (c) => [vrfC(c), rifR(c), nhR(c), c.fx.route(c.fx.defaultVrf, prefix4('10.71.0.0', 16), { nextHopId: NH(c) })],
    victim: 2,
    dependents: [3],
  },
  { name: 'group-with-route', setup: (c) => [vrfC(c), rifR(c), nhR(c), c.fx.group(G(c), [[NH(c), 1]]), c.fx.route(C(c), prefix4('0.0.0.0', 0), { groupId: G(c) })], victim: 3, dependents: [4] },
  { name: 'empty-group-with-route', setup: (c) => [vrfC(c), c.fx.group(G(c), []), c.fx.route(C(c), prefix6('::', 0), { groupId: G(c) })], victim: 1, dependents: [2] },
];

const deleteCases: Case[] = DELETE.map((sc) => ({
  name: `deps/delete/${sc.name}`,
  async run(ctx: CaseContext) {
    const world = ctx.fx.world();
    const setup = sc.setup(ctx);
    await ctx.install([...world, ...setup]);
    const victim = setup[sc.victim]!;
    await ctx.expectWrite([remove(victim)], [Code.FAILED_PRECONDITION], `DELETE of the referenced ${describe(victim)}`, { unchanged: true });
    const deps = sc.dependents.map((i) => setup[i]!);
    await ctx.expectWrite([...deps].reverse().map(remove), deps.map(() => Code.OK), 'DELETE of what references it');
    await ctx.expectWrite([remove(victim)], [Code.OK], `DELETE of ${describe(victim)} once unreferenced`);
    const gone = new Set([victim, ...deps].map(keyOf));
    expectSameEntities(await ctx.s.read(), [...world, ...setup].filter((e) => !gone.has(keyOf(e))), 'read after the deletes');
  },
}));

const otherCases: Case[] = [
  {
    // A next hop's neighbour need not exist, before or after (a miss traps to the CPU).
    name: 'deps/next-hop-needs-no-neighbor',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      const extra = ctx.fx.nextHop(ctx.fx.id(3), W.rifPort, v4('10.1.0.200'));
      await ctx.expectWrite([insert(extra)], [Code.OK], `INSERT of ${describe(extra)} without a neighbour`);
      const n = world.find((e) => e.neighbor?.rifId === W.rifPort && e.neighbor.ip?.ipv4 != null)!;
      await ctx.expectWrite([remove(n)], [Code.OK], `DELETE of ${describe(n)}, the gateway of a next hop`);
      expectSameEntities(await ctx.s.read(), [...world.filter((e) => e !== n), extra], 'read after the writes');
    },
  },
];

export const depsCases: Case[] = [...createCases, ...deleteCases, ...otherCases];
