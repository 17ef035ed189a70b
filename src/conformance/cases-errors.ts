// Every per-update error code the contract names (but FAILED_PRECONDITION, see cases-deps.ts,
// and RESOURCE_EXHAUSTED, see cases-capacity.ts), whole-call refusals, and for every failure:
// the tables are unchanged.
import * as grpc from '@grpc/grpc-js';
import { Action, Code, UpdateType, type v1 } from '../driver/wire.ts';
import { expectRpcError, expectSameEntities, expectStatuses } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { describe, KINDS, kindOf } from './entities.ts';
import { W, insert, modify, prefix4, prefix6, remove, v4, v6 } from './fixtures.ts';
import { CALL_MS } from './session.ts';

/** Entities of each kind that are valid against the world but not installed. */
function absent(ctx: CaseContext): v1.IEntity[] {
  const fx = ctx.fx;
  return [
    fx.vrf(fx.id(1)),
    fx.portRif(fx.id(2), W.vrfA, { vlanId: 400 }),
    fx.neighbor(W.rifPort, v4('10.1.0.99')),
    fx.nextHop(fx.id(3), W.rifPort, v4('10.1.0.99')),
    fx.group(fx.id(4), [[W.nh4, 1]]),
    fx.route(W.vrfA, prefix4('10.77.0.0', 16), 'drop'),
  ];
}

const keyCases: Case[] = [
  {
    name: 'errors/already-exists',
    async run(ctx) {
      const world = ctx.fx.world();
      await ctx.install(world);
      for (const k of KINDS) {
        const e = world.find((x) => kindOf(x) === k)!;
        await ctx.expectWrite([insert(e)], [Code.ALREADY_EXISTS], `INSERT of the installed ${describe(e)}`, { unchanged: true });
      }
      // Same key, different content: still ALREADY_EXISTS, and the installed entity stays.
      const r = world.find((x) => x.route?.action === Action.ACTION_DROP)!;
      const other = ctx.fx.route(r.route!.vrfId!, r.route!.prefix!, 'trap');
      await ctx.expectWrite([insert(other)], [Code.ALREADY_EXISTS], `INSERT of ${describe(other)} over an installed key`, { unchanged: true });
    },
  },
  {
    name: 'errors/modify-missing',
    async run(ctx) {
      await ctx.install(ctx.fx.world());
      for (const e of absent(ctx)) {
        await ctx.expectWrite([modify(e)], [Code.NOT_FOUND], `MODIFY of the missing ${describe(e)}`, { unchanged: true });
      }
    },
  },
  {
    name: 'errors/delete-missing',
    async run(ctx) {
      await ctx.install(ctx.fx.world());
      for (const e of absent(ctx)) {
        await ctx.expectWrite([remove(e)], [Code.NOT_FOUND], `DELETE of the missing ${describe(e)}`, { unchanged: true });
      }
    },
  },
  {
    // "Two updates with the same entity key in one batch are INVALID_ARGUMENT (the later ones)."
    name: 'errors/duplicate-keys-in-batch',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const a = ctx.fx.vrf(ctx.fx.id(1), 'cf-first');
      const b = ctx.fx.vrf(ctx.fx.id(1), 'cf-second');
      const before = await ctx.snapshot();
      await ctx.expectWrite([insert(a), modify(b)], [Code.OK, Code.INVALID_ARGUMENT], 'INSERT then MODIFY of one key in a batch');
      expectSameEntities(await ctx.s.read(), [...before, a], 'only the first update of the key is applied');
      const r = ctx.fx.route(W.vrfA, prefix6('2001:db8:77::', 48), 'drop');
      const r2 = ctx.fx.route(W.vrfA, prefix6('2001:db8:77::', 48), 'trap');
      await ctx.expectWrite([insert(r), remove(r2), insert(r2)], [Code.OK, Code.INVALID_ARGUMENT, Code.INVALID_ARGUMENT],
        'three updates of one route key with continue_on_error', { continueOnError: true });
      expectSameEntities(await ctx.s.read(), [...before, a, r], 'only the first update of the route key is applied');
    },
  },
];

type Bad = [name: string, make: (ctx: CaseContext) => v1.IUpdate];

const route = (r: v1.IRoute): v1.IUpdate => insert({ route: r });
const rif = (ctx: CaseContext, vlan: number, over: Partial<v1.IRouterInterface>) => insert(ctx.fx.portRif(ctx.fx.id(2), W.vrfA, { vlanId: vlan, ...over }));
const drop = Action.ACTION_DROP;

/** Malformed entities, each valid against the installed world but for one defect. */
const BAD: Bad[] = [
  ['route-ipv4-prefix-length-33', () => route({ vrfId: W.vrfA, prefix: prefix4('10.0.0.0', 33), action: drop })],
  ['route-ipv6-prefix-length-129', () => route({ vrfId: W.vrfA, prefix: prefix6('2001:db8::', 129), action: drop })],
  ['route-ipv4-host-bits-set', () => route({ vrfId: W.vrfA, prefix: prefix4('10.1.0.1', 24), action: drop })],
  ['route-ipv6-host-bits-set', () => route({ vrfId: W.vrfA, prefix: prefix6('2001:db8::1', 64), action: drop })],
  ['route-ipv4-default-with-bits', () => route({ vrfId: W.vrfA, prefix: prefix4('10.0.0.0', 0), action: drop })],
  ['route-ipv6-wrong-address-length', () => route({ vrfId: W.vrfA, prefix: { ipv6: new Uint8Array(4), length: 0 }, action: drop })],
  ['route-action-unspecified', () => route({ vrfId: W.vrfA, prefix: prefix4('10.50.0.0', 16), action: Action.ACTION_UNSPECIFIED })],
  ['route-action-unspecified-with-target', () => route({ vrfId: W.vrfA, prefix: prefix4('10.50.0.0', 16), nextHopId: W.nh4 })],
  ['route-forward-without-target', () => route({ vrfId: W.vrfA, prefix: prefix4('10.50.0.0', 16), action: Action.ACTION_FORWARD })],
  ['route-drop-with-target', () => route({ vrfId: W.vrfA, prefix: prefix4('10.50.0.0', 16), action: drop, nextHopId: W.nh4 })],
  ['route-trap-with-target', () => route({ vrfId: W.vrfA, prefix: prefix4('10.50.0.0', 16), action: Action.ACTION_TRAP, rifId: W.rifPort })],
  ['route-missing-prefix', () => route({ vrfId: W.vrfA, action: drop })],
  ['route-prefix-without-family', () => route({ vrfId: W.vrfA, prefix: { length: 8 }, action: drop })],
  ['rif-mac-5-bytes', (ctx) => rif(ctx, 301, { mac: Uint8Array.of(2, 0xcf, 0, 0, 1) })],
  ['rif-mac-multicast', (ctx) => rif(ctx, 302, { mac: Uint8Array.of(1, 0, 0x5e, 0, 0, 1) })],
  ['rif-no-mac', (ctx) => rif(ctx, 303, { mac: new Uint8Array(0) })],
  ['rif-no-attachment', (ctx) => insert({ routerInterface: { id: ctx.fx.id(2), vrfId: W.vrfA, mac: Uint8Array.of(2, 0xcf, 0, 0, 0, 1), mtu: 1500, adminUp: true } })],
  ['rif-mtu-67', (ctx) => rif(ctx, 304, { mtu: 67 })],
  ['rif-mtu-65537', (ctx) => rif(ctx, 305, { mtu: 65537 })],
  ['rif-vlan-4095', (ctx) => rif(ctx, 4095, {})],
  ['rif-loopback-with-vlan', (ctx) => insert({ routerInterface: { ...ctx.fx.loopbackRif(ctx.fx.id(2), W.vrfA).routerInterface, vlanId: 10 } })],
  ['neighbor-mac-7-bytes', () => insert({ neighbor: { rifId: W.rifPort, ip: v4('10.1.0.50'), mac: Uint8Array.of(2, 0xcf, 0, 0, 0, 1, 0) } })],
  ['neighbor-without-ip', () => insert({ neighbor: { rifId: W.rifPort, mac: Uint8Array.of(2, 0xcf, 0, 0, 0, 1) } })],
  ['next-hop-without-ip', (ctx) => insert({ nextHop: { id: ctx.fx.id(3), rifId: W.rifPort } })],
  ['next-hop-ipv6-15-bytes', (ctx) => insert({ nextHop: { id: ctx.fx.id(3), rifId: W.rifPort, ip: { ipv6: new Uint8Array(15) } } })],
  ['group-weight-0', (ctx) => insert(ctx.fx.group(ctx.fx.id(4), [[W.nh4, 1], [W.nh6, 0]]))],
  ['group-weight-over-max', (ctx) => insert(ctx.fx.group(ctx.fx.id(4), [[W.nh4, Math.min((ctx.caps.ecmp?.maxMemberWeight ?? 0) + 1, 0xffffffff)]]))],
  ['group-duplicate-members', (ctx) => insert(ctx.fx.group(ctx.fx.id(4), [[W.nh4, 1], [W.nh6, 1], [W.nh4, 2]]))],
  ['vrf-empty-name', (ctx) => insert({ vrf: { id: ctx.fx.id(1), name: '' } })],
  ['vrf-name-65-bytes', (ctx) => insert({ vrf: { id: ctx.fx.id(1), name: 'v'.repeat(65) } })],
  ['update-type-unspecified', (ctx) => ({ type: UpdateType.TYPE_UNSPECIFIED, entity: ctx.fx.vrf(ctx.fx.id(1)) })],
  ['update-type-unknown', (ctx) => ({ type: 7 as UpdateType, entity: ctx.fx.vrf(ctx.fx.id(1)) })],
  ['entity-with-nothing-set', () => ({ type: UpdateType.INSERT, entity: {} })],
  ['update-without-entity', () => ({ type: UpdateType.INSERT })],
  ['delete-entity-with-nothing-set', () => ({ type: UpdateType.DELETE, entity: {} })],
  // Create-only fields of a router interface.
  ['rif-modify-vrf', (ctx) => modify(ctx.fx.portRif(W.rifPort, W.vrfB))],
  ['rif-modify-vlan', (ctx) => modify(ctx.fx.portRif(W.rifSub, W.vrfB, { vlanId: 200, mtu: 1500, adminUp: false }))],
  ['rif-modify-port-to-loopback', () => modify({ routerInterface: { id: W.rifPort, vrfId: W.vrfA, loopback: {}, mac: Uint8Array.of(2, 0xcf, 0, 0, 0, 1), mtu: 9000, adminUp: true } })],
  ['rif-modify-loopback-to-port', (ctx) => modify(ctx.fx.portRif(W.rifLoop, W.vrfA, { vlanId: 500 }))],
];

const invalidCases: Case[] = BAD.map(([name, make]) => ({
  name: `invalid/${name}`,
  async run(ctx: CaseContext) {
    await ctx.install(ctx.fx.world());
    const u = make(ctx);
    const what = u.entity && kindOf(u.entity) ? `${UpdateType[u.type ?? 0] ?? u.type} ${describe(u.entity)}` : name;
    await ctx.expectWrite([u], [Code.INVALID_ARGUMENT], what, { unchanged: true });
  },
}));

const callCases: Case[] = [
  {
    name: 'errors/permission-denied-wrong-election-id',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const e = ctx.s.electionId;
      const v = ctx.fx.vrf(ctx.fx.id(1));
      for (const id of [e + 1, e - 1, 0]) {
        await expectRpcError(ctx.s.client.write({ electionId: id, updates: [insert(v)] }, CALL_MS), grpc.status.PERMISSION_DENIED,
          `Write with election id ${id} while the primary's is ${e}`);
      }
      await ctx.expectUnchanged(before, 'refused writes');
    },
  },
  {
    name: 'errors/permission-denied-backup',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const client = ctx.track(ctx.s.newClient());
      const stream = ctx.track(client.openStream());
      stream.on('error', () => {});
      const lower = ctx.s.electionId - 1;
      const r = await stream.arbitrate(lower, 'conformance-backup', CALL_MS);
      expectStatuses([r], [Code.ALREADY_EXISTS], `arbitration with the lower election id ${lower}`);
      await expectRpcError(client.write({ electionId: lower, updates: [insert(ctx.fx.vrf(ctx.fx.id(1)))] }, CALL_MS),
        grpc.status.PERMISSION_DENIED, 'Write from a backup with its own election id');
      await ctx.expectUnchanged(before, 'refused write');
    },
  },
  {
    // The election id is not a password: a Write counts only from the client that became
    // primary with it on its StreamChannel.
    name: 'errors/permission-denied-primary-id-from-another-client',
    async run(ctx) {
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const e = ctx.s.electionId;
      const stranger = ctx.track(ctx.s.newClient());
      await expectRpcError(stranger.write({ electionId: e, updates: [insert(ctx.fx.vrf(ctx.fx.id(1)))] }, CALL_MS),
        grpc.status.PERMISSION_DENIED, "Write with the primary's election id from a client that never arbitrated");
      const backup = ctx.track(ctx.s.newClient());
      const stream = ctx.track(backup.openStream());
      stream.on('error', () => {});
      expectStatuses([await stream.arbitrate(e - 1, 'conformance-backup', CALL_MS)], [Code.ALREADY_EXISTS], `arbitration with the lower election id ${e - 1}`);
      await expectRpcError(backup.write({ electionId: e, updates: [insert(ctx.fx.vrf(ctx.fx.id(1)))] }, CALL_MS),
        grpc.status.PERMISSION_DENIED, "Write with the primary's election id from a backup");
      await ctx.expectUnchanged(before, 'refused writes');
    },
  },
  {
    name: 'errors/too-many-updates',
    async run(ctx) {
      const max = ctx.caps.maxUpdatesPerWrite;
      if (max > 100_000 || (max + 1) * 40 > ctx.caps.maxMessageBytes) {
        ctx.note(`skipped: max_updates_per_write ${max} is too large to test within max_message_bytes`);
        return;
      }
      await ctx.install(ctx.fx.base());
      const before = await ctx.snapshot();
      const vrfs = Array.from({ length: max + 1 }, (_, i) => insert(ctx.fx.vrf(ctx.fx.id(0x20000 + i), `cf-t${i}`)));
      await expectRpcError(ctx.s.client.write({ electionId: ctx.s.electionId, updates: vrfs }, CALL_MS * 2), grpc.status.INVALID_ARGUMENT,
        `Write of ${max + 1} updates (max_updates_per_write ${max})`);
      await ctx.expectUnchanged(before, 'refused batch');
      // Exactly the limit is accepted: MODIFY of missing VRFs, every one NOT_FOUND.
      const misses = vrfs.slice(0, max).map((u) => modify(u.entity!));
      const statuses = await ctx.s.write(misses, true, CALL_MS * 2);
      expectStatuses(statuses, misses.map(() => Code.NOT_FOUND), `Write of exactly ${max} updates (MODIFY of missing VRFs, continue_on_error)`);
    },
  },
];

export const errorCases: Case[] = [...keyCases, ...invalidCases, ...callCases];
