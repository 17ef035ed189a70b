// "Whatever was written reads back identically through Read": every entity kind and variant,
// Read's filters, its dependency order (a Read replayed as INSERTs works), the hidden default VRF.
import { Code, EntityType, codeName, pb, type v1 } from '../driver/wire.ts';
import { check, expectOneOf, expectSameEntities, fail } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { depsOf, describe, inVrf, keyOf, kindOf, KINDS, TYPE_OF_KIND, withDeps, type Kind } from './entities.ts';
import { W, insert, modify, remove, v6 } from './fixtures.ts';

/** Installs `pick(world)` with its dependencies and reads back the entities of `kind`. */
async function roundTrip(ctx: CaseContext, kind: Kind, pick: (e: v1.IEntity) => boolean, what: string) {
  const world = ctx.fx.world();
  const picked = world.filter((e) => kindOf(e) === kind && pick(e));
  check(picked.length, `internal: no ${what} in the test world`);
  await ctx.install(withDeps(world, picked), `insert ${what}`);
  const got = await ctx.s.read({ types: [TYPE_OF_KIND[kind]] });
  expectSameEntities(got, picked, `read back ${what}`);
}

const isV6Route = (e: v1.IEntity) => e.route?.prefix?.ipv6 != null;

const roundTrips: Case[] = [
  { name: 'rw/vrf', run: (ctx) => roundTrip(ctx, 'vrf', () => true, 'VRFs') },
  { name: 'rw/router-interface-port', run: (ctx) => roundTrip(ctx, 'routerInterface', (e) => e.routerInterface!.id === W.rifPort, 'a port interface') },
  { name: 'rw/router-interface-subport-vlan', run: (ctx) => roundTrip(ctx, 'routerInterface', (e) => e.routerInterface!.id === W.rifSub, 'a sub-port interface (VLAN 100, admin down)') },
  { name: 'rw/router-interface-loopback', run: (ctx) => roundTrip(ctx, 'routerInterface', (e) => e.routerInterface!.id === W.rifLoop, 'a loopback interface') },
  { name: 'rw/neighbor-ipv4', run: (ctx) => roundTrip(ctx, 'neighbor', (e) => e.neighbor!.ip?.ipv4 != null, 'IPv4 neighbours') },
  { name: 'rw/neighbor-ipv6', run: (ctx) => roundTrip(ctx, 'neighbor', (e) => e.neighbor!.ip?.ipv6 != null, 'IPv6 neighbours') },
  { name: 'rw/next-hop-ipv4', run: (ctx) => roundTrip(ctx, 'nextHop', (e) => e.nextHop!.ip?.ipv4 != null, 'IPv4 next hops') },
  { name: 'rw/next-hop-ipv6', run: (ctx) => roundTrip(ctx, 'nextHop', (e) => e.nextHop!.ip?.ipv6 != null, 'IPv6 next hops') },
  { name: 'rw/group-weights-and-member-order', run: (ctx) => roundTrip(ctx, 'nextHopGroup', (e) => e.nextHopGroup!.id === W.groupMixed, 'a weighted group (members not in id order)') },
  { name: 'rw/group-empty', run: (ctx) => roundTrip(ctx, 'nextHopGroup', (e) => e.nextHopGroup!.id === W.groupEmpty, 'an empty group') },
  { name: 'rw/route-ipv4', run: (ctx) => roundTrip(ctx, 'route', (e) => !isV6Route(e), 'IPv4 routes (0.0.0.0/0, /32, every action and target kind)') },
  { name: 'rw/route-ipv6', run: (ctx) => roundTrip(ctx, 'route', isV6Route, 'IPv6 routes (::/0, /128, every action and target kind)') },
  {
    name: 'rw/route-leak-across-vrfs',
    run: (ctx) => roundTrip(ctx, 'route', (e) => (e.route!.vrfId === W.vrfB && e.route!.nextHopId === W.nh4) || e.route!.vrfId === ctx.fx.defaultVrf, 'routes whose target is in another VRF'),
  },
  {
    name: 'rw/everything',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      expectSameEntities(await ctx.s.read(), world, 'read everything back');
    },
  },
];

const reads: Case[] = [
  {
    name: 'read/filter-by-type',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      for (const k of KINDS) {
        expectSameEntities(await ctx.s.read({ types: [TYPE_OF_KIND[k]] }), world.filter((e) => kindOf(e) === k), `Read types=[${EntityType[TYPE_OF_KIND[k]]}]`);
      }
      const two = [EntityType.ENTITY_TYPE_VRF, EntityType.ENTITY_TYPE_ROUTE];
      expectSameEntities(await ctx.s.read({ types: two }), world.filter((e) => e.vrf || e.route), 'Read types=[VRF, ROUTE]');
    },
  },
  {
    name: 'read/filter-by-vrf',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      for (const id of [W.vrfA, W.vrfB, ctx.fx.defaultVrf]) {
        expectSameEntities(await ctx.s.read({ vrfId: id }), inVrf(world, id), `Read vrf_id=${id}`);
      }
      const routesA = inVrf(world, W.vrfA).filter((e) => e.route);
      expectSameEntities(await ctx.s.read({ vrfId: W.vrfA, types: [EntityType.ENTITY_TYPE_ROUTE] }), routesA, `Read vrf_id=${W.vrfA} types=[ROUTE]`);
    },
  },
  {
    name: 'read/dependency-order-and-chunk-size',
    async run(ctx) {
      await ctx.install(ctx.fx.world());
      const limit = ctx.caps.maxMessageBytes;
      let chunks = 0;
      const all = await ctx.s.read({}, (c) => {
        chunks++;
        const size = pb.ReadResponse.encode(c).finish().length;
        if (size > limit) fail(`ReadResponse ${chunks} is ${size} bytes, over max_message_bytes ${limit}`);
      });
      const seen = new Set<string>();
      const present = new Set(all.map(keyOf));
      for (const e of all) {
        for (const d of depsOf(e)) {
          if (present.has(d) && !seen.has(d)) fail(`Read is not in dependency order: ${describe(e)} comes before what it references (${d})`);
        }
        seen.add(keyOf(e));
      }
    },
  },
  {
    name: 'read/replay-as-inserts',
    async run(ctx) {
      await ctx.install(ctx.fx.world());
      const first = await ctx.s.read();
      await ctx.s.wipe();
      const statuses = await ctx.s.write(first.map(insert));
      const bad = statuses.findIndex((s) => (s.code ?? 0) !== Code.OK);
      if (bad >= 0) fail(`replaying the Read as INSERTs in Read order: update ${bad} (${describe(first[bad]!)}) failed with ${codeName(statuses[bad]!.code ?? 0)}: ${statuses[bad]!.message}`);
      expectSameEntities(await ctx.s.read(), first, 'read after the replay', true);
    },
  },
  {
    name: 'read/default-vrf-hidden-and-immutable',
    async run(ctx) {
      const d = ctx.fx.defaultVrf;
      const none = await ctx.s.read();
      if (none.length) fail(`Read with nothing installed returned ${none.length} entities, e.g. ${describe(none[0]!)} (the default VRF must not be returned)`);
      await ctx.install(ctx.fx.world());
      const vrfs = await ctx.s.read({ types: [EntityType.ENTITY_TYPE_VRF] });
      const dflt = vrfs.find((e) => e.vrf!.id === d);
      if (dflt) fail(`Read returned the default VRF: ${describe(dflt)}`);
      const before = await ctx.snapshot();
      const vrf = { vrf: { id: d, name: 'default' } };
      // INSERT of an existing key is ALREADY_EXISTS; "cannot be inserted" may also be INVALID_ARGUMENT.
      expectOneOf((await ctx.s.write([insert(vrf)]))[0], [Code.ALREADY_EXISTS, Code.INVALID_ARGUMENT], 'INSERT of the default VRF');
      for (const [u, what] of [[modify({ vrf: { id: d, name: 'cf-renamed' } }), 'MODIFY'], [remove(vrf), 'DELETE']] as const) {
        const [s] = await ctx.s.write([u]);
        if (!s || (s.code ?? 0) === Code.OK) fail(`${what} of the default VRF succeeded; it must be refused`);
      }
      await ctx.expectUnchanged(before, 'writes to the default VRF');
    },
  },
];

/** MODIFY replaces the whole entity: each pair is [original, replacement]. */
function modifyCases(): Case[] {
  const pairs: [string, (ctx: CaseContext) => [v1.IEntity, v1.IEntity]][] = [
    ['vrf-name', (ctx) => [ctx.fx.vrf(W.vrfA, 'cf-red'), ctx.fx.vrf(W.vrfA, 'cf-crimson')]],
    ['router-interface', (ctx) => [ctx.fx.portRif(W.rifPort, W.vrfA), ctx.fx.portRif(W.rifPort, W.vrfA, { mac: Uint8Array.of(2, 0xcf, 1, 2, 3, 4), mtu: 1280, adminUp: false })]],
    ['neighbor-mac', (ctx) => {
      const n = ctx.fx.world().find((e) => e.neighbor?.rifId === W.rifPort)!;
      return [n, { neighbor: { ...n.neighbor, mac: Uint8Array.of(2, 0xcf, 9, 9, 9, 9) } }];
    }],
    ['next-hop-ip-family', (ctx) => [ctx.fx.world().find((e) => e.nextHop?.id === W.nh4)!, ctx.fx.nextHop(W.nh4, W.rifPort, v6('2001:db8:1::3'))]],
    ['group-members', (ctx) => [ctx.fx.world().find((e) => e.nextHopGroup?.id === W.groupMixed)!, ctx.fx.group(W.groupMixed, [[W.nh6, 5], [W.nh4, 9]])]],
    ['group-to-empty', (ctx) => [ctx.fx.world().find((e) => e.nextHopGroup?.id === W.groupMixed)!, ctx.fx.group(W.groupMixed, [])]],
    ['route-forward-to-drop', (ctx) => {
      const r = ctx.fx.world().find((e) => e.route?.groupId === W.groupMixed && e.route.vrfId === W.vrfA)!;
      return [r, ctx.fx.route(W.vrfA, r.route!.prefix!, 'drop')];
    }],
    ['route-drop-to-forward', (ctx) => {
      const r = ctx.fx.world().find((e) => e.route?.action === 2 && e.route.vrfId === W.vrfA)!;
      return [r, ctx.fx.route(W.vrfA, r.route!.prefix!, { rifId: W.rifPort })];
    }],
    ['route-target-kind', (ctx) => {
      const r = ctx.fx.world().find((e) => e.route?.nextHopId === W.nh4 && e.route.vrfId === W.vrfA)!;
      return [r, ctx.fx.route(W.vrfA, r.route!.prefix!, { groupId: W.groupB })];
    }],
  ];
  return pairs.map(([name, make]) => ({
    name: `modify/${name}`,
    async run(ctx: CaseContext) {
      const world = ctx.fx.world();
      await ctx.install(world);
      const [was, now] = make(ctx);
      await ctx.expectWrite([modify(now)], [Code.OK], `MODIFY ${describe(was)} to ${describe(now)}`);
      const expected = world.map((e) => (keyOf(e) === keyOf(now) ? now : e));
      expectSameEntities(await ctx.s.read(), expected, 'read after MODIFY');
    },
  }));
}

export const readWriteCases: Case[] = [...roundTrips, ...reads, ...modifyCases()];
