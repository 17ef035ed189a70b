// Batches: processed in order, stop at the first failure (the rest ABORTED, not applied) unless
// continue_on_error; dependencies within one batch resolve in order.
import { Code, type v1 } from '../driver/wire.ts';
import { expectSameEntities } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { W, insert, modify, prefix4, prefix6, remove, v6 } from './fixtures.ts';

/** [ok, ok, fail, ok] as VRF inserts around a route into a missing VRF. */
function okOkFailOk(ctx: CaseContext): { updates: v1.IUpdate[]; vrfs: v1.IEntity[] } {
  const vrfs = [1, 2, 3].map((n) => ctx.fx.vrf(ctx.fx.id(n)));
  const bad = insert(ctx.fx.route(ctx.fx.id(0x99), prefix4('10.80.0.0', 16), 'drop'));
  return { updates: [insert(vrfs[0]!), insert(vrfs[1]!), bad, insert(vrfs[2]!)], vrfs };
}

/** A chain of one entity of every kind, each depending on the previous ones. */
function chain(ctx: CaseContext): v1.IEntity[] {
  const fx = ctx.fx;
  const [vrf, rif, nh, grp] = [fx.id(0x40), fx.id(0x41), fx.id(0x42), fx.id(0x43)];
  return [
    fx.vrf(vrf),
    fx.portRif(rif, vrf, { vlanId: 800 }),
    fx.neighbor(rif, v6('2001:db8:80::1')),
    fx.nextHop(nh, rif, v6('2001:db8:80::1')),
    fx.group(grp, [[nh, 4]]),
    fx.route(vrf, prefix6('2001:db8:81::', 48), { groupId: grp }),
  ];
}

export const batchCases: Case[] = [
  {
    name: 'batch/stop-at-first-failure',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const { updates, vrfs } = okOkFailOk(ctx);
      await ctx.expectWrite(updates, [Code.OK, Code.OK, Code.FAILED_PRECONDITION, Code.ABORTED], '[ok, ok, fail, ok]');
      expectSameEntities(await ctx.s.read(), [...before, vrfs[0]!, vrfs[1]!], 'only the two updates before the failure are applied');
    },
  },
  {
    name: 'batch/continue-on-error',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const { updates, vrfs } = okOkFailOk(ctx);
      await ctx.expectWrite(updates, [Code.OK, Code.OK, Code.FAILED_PRECONDITION, Code.OK], '[ok, ok, fail, ok] with continue_on_error', { continueOnError: true });
      expectSameEntities(await ctx.s.read(), [...before, ...vrfs], 'every valid update is applied');
    },
  },
  {
    name: 'batch/continue-on-error-every-code',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      const fresh = ctx.fx.vrf(ctx.fx.id(1));
      const updates: v1.IUpdate[] = [
        insert(world[0]!), // ALREADY_EXISTS
        modify(ctx.fx.vrf(ctx.fx.id(2))), // NOT_FOUND
        insert(ctx.fx.route(W.vrfA, prefix4('10.1.0.1', 24), 'drop')), // INVALID_ARGUMENT (host bits)
        remove(world.find((e) => e.nextHop?.id === W.nh4)!), // FAILED_PRECONDITION (in a group)
        insert(fresh), // OK
        remove(fresh), // INVALID_ARGUMENT (same key twice in a batch)
      ];
      const codes = [Code.ALREADY_EXISTS, Code.NOT_FOUND, Code.INVALID_ARGUMENT, Code.FAILED_PRECONDITION, Code.OK, Code.INVALID_ARGUMENT];
      await ctx.expectWrite(updates, codes, 'a batch with every kind of failure, continue_on_error', { continueOnError: true });
      expectSameEntities(await ctx.s.read(), [...world, fresh], 'read after the batch');
    },
  },
  {
    name: 'batch/dependencies-in-order',
    async run(ctx) {
      const c = chain(ctx);
      await ctx.expectWrite(c.map(insert), c.map(() => Code.OK), 'VRF, interface, neighbour, next hop, group, route in one Write');
      expectSameEntities(await ctx.s.read(), c, 'read after the batch');
      await ctx.expectWrite([...c].reverse().map(remove), c.map(() => Code.OK), 'the same deleted in reverse order in one Write');
      expectSameEntities(await ctx.s.read(), [], 'read after deleting them');
    },
  },
  {
    name: 'batch/dependencies-in-reverse-order',
    async run(ctx) {
      const c = chain(ctx);
      const rev = [...c].reverse();
      await ctx.expectWrite(rev.map(insert), [Code.FAILED_PRECONDITION, ...c.slice(1).map(() => Code.ABORTED)], 'route, group, next hop, neighbour, interface, VRF in one Write', { unchanged: true });
      const codes = [...c.slice(1).map(() => Code.FAILED_PRECONDITION), Code.OK];
      await ctx.expectWrite(rev.map(insert), codes, 'the same with continue_on_error', { continueOnError: true });
      expectSameEntities(await ctx.s.read(), [c[0]!], 'only the VRF is installed');
    },
  },
  {
    name: 'batch/delete-in-create-order',
    async run(ctx) {
      const c = chain(ctx);
      await ctx.install(c);
      await ctx.expectWrite(c.map(remove), [Code.FAILED_PRECONDITION, ...c.slice(1).map(() => Code.ABORTED)], 'deleting VRF first, route last', { unchanged: true });
    },
  },
  {
    name: 'batch/empty',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      await ctx.expectWrite([], [], 'a Write with no updates', { unchanged: true });
    },
  },
];
