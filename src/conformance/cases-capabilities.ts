// Capabilities: identity, ports, one usage row per table, limits, and usage that follows writes.
import { Table, type v1 } from '../driver/wire.ts';
import { check, expectEqual, fail } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { kindOf } from './entities.ts';
import { remove } from './fixtures.ts';

const TABLES = Object.values(Table).filter((t): t is Table => typeof t === 'number' && t !== Table.TABLE_UNSPECIFIED);

function usageMap(caps: v1.ICapabilitiesResponse): Map<Table, { used: number; capacity: number }> {
  return new Map((caps.tables ?? []).map((t) => [t.table ?? 0, { used: Number(t.used ?? 0), capacity: Number(t.capacity ?? 0) }]));
}

/** Table usage the given entities account for. */
function countUsage(entities: v1.IEntity[]): Map<Table, number> {
  const n = new Map<Table, number>(TABLES.map((t) => [t, 0]));
  const add = (t: Table, k = 1) => n.set(t, n.get(t)! + k);
  for (const e of entities) {
    switch (kindOf(e)) {
      case 'vrf': add(Table.TABLE_VRFS); break;
      case 'routerInterface': add(Table.TABLE_ROUTER_INTERFACES); break;
      case 'neighbor': add(Table.TABLE_NEIGHBORS); break;
      case 'nextHop': add(Table.TABLE_NEXT_HOPS); break;
      case 'nextHopGroup':
        add(Table.TABLE_NEXT_HOP_GROUPS);
        add(Table.TABLE_GROUP_MEMBERS, e.nextHopGroup!.members?.length ?? 0);
        break;
      case 'route': add(e.route!.prefix?.ipv6 != null ? Table.TABLE_IPV6_ROUTES : Table.TABLE_IPV4_ROUTES); break;
      default: break;
    }
  }
  return n;
}

async function expectUsage(ctx: CaseContext, base: Map<Table, { used: number }>, delta: Map<Table, number>, when: string) {
  const now = usageMap(await ctx.s.capabilities());
  for (const t of TABLES) {
    const want = (base.get(t)?.used ?? 0) + (delta.get(t) ?? 0);
    expectEqual(now.get(t)?.used, want, `${when}: ${Table[t]} used`);
  }
}

export const capabilitiesCases: Case[] = [
  {
    name: 'capabilities/identity-and-limits',
    async run(ctx) {
      const c = await ctx.s.capabilities();
      check(c.apiVersion, 'api_version is empty');
      check(/(^|\D)1\.\d+$/.test(c.apiVersion), `api_version ${JSON.stringify(c.apiVersion)} does not name version 1.N`);
      check(Number(c.bootEpoch) !== 0, 'boot_epoch is 0');
      const again = await ctx.s.capabilities();
      expectEqual(Number(again.bootEpoch), Number(c.bootEpoch), 'boot_epoch changed between two calls without a reset');
      check(c.ecmp, 'ecmp limits are unset');
      check((c.ecmp.maxMembersPerGroup ?? 0) > 0, 'ecmp.max_members_per_group is 0');
      check((c.ecmp.maxMemberWeight ?? 0) > 0, 'ecmp.max_member_weight is 0');
      check(c.maxUpdatesPerWrite > 0, 'max_updates_per_write is 0');
      check(c.maxMessageBytes > 0, 'max_message_bytes is 0');
    },
  },
  {
    name: 'capabilities/ports',
    async run(ctx) {
      const { ports } = await ctx.s.capabilities();
      check(ports.length > 0, 'no ports: router interfaces need at least one');
      const ids = new Set<number>();
      const names = new Set<string>();
      for (const p of ports) {
        check(p.mac?.length === 6, `port ${p.id} (${p.name}): mac has ${p.mac?.length ?? 0} bytes, expected 6`);
        check(p.name, `port ${p.id} has no name`);
        check(!ids.has(p.id ?? 0), `port id ${p.id} appears twice`);
        check(!names.has(p.name ?? ''), `port name ${p.name} appears twice`);
        ids.add(p.id ?? 0);
        names.add(p.name ?? '');
      }
    },
  },
  {
    name: 'capabilities/one-usage-per-table',
    async run(ctx) {
      const { tables } = await ctx.s.capabilities();
      for (const t of TABLES) {
        const rows = tables.filter((u) => u.table === t);
        expectEqual(rows.length, 1, `TableUsage rows for ${Table[t]}`);
      }
      const unknown = tables.filter((u) => !TABLES.includes(u.table ?? 0));
      if (unknown.length) fail(`TableUsage for unknown or unspecified table(s): ${unknown.map((u) => u.table).join(', ')}`);
    },
  },
  {
    // After the wipe only the built-in default VRF remains, and it counts as one VRF.
    name: 'capabilities/usage-of-empty-tables',
    async run(ctx) {
      const u = usageMap(await ctx.s.capabilities());
      for (const t of TABLES) {
        expectEqual(u.get(t)?.used, t === Table.TABLE_VRFS ? 1 : 0, `${Table[t]} used with nothing installed`);
      }
    },
  },
  {
    name: 'capabilities/usage-tracks-writes',
    async run(ctx) {
      const base = usageMap(await ctx.s.capabilities());
      const world = ctx.fx.world();
      await ctx.install(world);
      await expectUsage(ctx, base, countUsage(world), 'after inserting the test world');
      // Remove every route and the groups: those tables drop back, the rest stay.
      const gone = world.filter((e) => e.route || e.nextHopGroup);
      await ctx.s.apply([...gone].reverse().map(remove), 'delete routes and groups');
      const left = world.filter((e) => !gone.includes(e));
      await expectUsage(ctx, base, countUsage(left), 'after deleting routes and groups');
      await ctx.s.wipe();
      await expectUsage(ctx, base, new Map(), 'after deleting everything');
    },
  },
];
