// Capacity: fill the smallest of the tables a client can fill cheaply (VRFs, groups: an empty
// group needs no next hops), see RESOURCE_EXHAUSTED with the table's usage, free one entry and
// insert again; Capabilities usage follows every step.
import { Code, Table, codeName, type v1 } from '../driver/wire.ts';
import { check, expectEqual, expectStatuses, fail } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { insert, remove } from './fixtures.ts';

/** Larger tables take too long to fill in a suite meant to run in seconds. */
const MAX_FILL = 100_000;

const CANDIDATES: [Table, (ctx: CaseContext, i: number) => v1.IEntity][] = [
  [Table.TABLE_VRFS, (ctx, i) => ctx.fx.vrf(ctx.fx.id(0x100000 + i), `cf-fill-${i}`)],
  [Table.TABLE_NEXT_HOP_GROUPS, (ctx, i) => ctx.fx.group(ctx.fx.id(0x100000 + i), [])],
];

export const capacityCases: Case[] = [
  {
    name: 'capacity/exhaust-and-recover',
    async run(ctx) {
      const caps = await ctx.s.capabilities();
      let best: { table: Table; make: (ctx: CaseContext, i: number) => v1.IEntity; free: number; used: number; capacity: number } | null = null;
      for (const [table, make] of CANDIDATES) {
        const u = caps.tables.find((t) => t.table === table);
        check(u, `Capabilities has no TableUsage for ${Table[table]}`);
        const [used, capacity] = [Number(u.used), Number(u.capacity)];
        if (capacity > MAX_FILL) {
          ctx.note(`${Table[table]} skipped: capacity ${capacity} > ${MAX_FILL}`);
          continue;
        }
        const free = Math.max(0, capacity - used);
        if (!best || free < best.free) best = { table, make, free, used, capacity };
      }
      if (!best) {
        ctx.note('nothing filled');
        return;
      }
      const { table, make, free, used, capacity } = best;
      const name = Table[table];
      ctx.note(`filled ${name} (${free} free of ${capacity})`);
      const fill = Array.from({ length: free }, (_, i) => make(ctx, i));
      await ctx.install(fill, `filling ${name}`);
      expectEqual((await ctx.usage(table)).used, used + free, `${name} used after ${free} inserts`);

      const before = await ctx.snapshot();
      const extra = make(ctx, free);
      const [s] = await ctx.s.write([insert(extra)]);
      if ((s?.code ?? 0) !== Code.RESOURCE_EXHAUSTED) {
        fail(`INSERT into the full ${name}: expected RESOURCE_EXHAUSTED, got ${codeName(s?.code ?? 0)} ${s?.message ?? ''}`);
      }
      check(s.usage, `RESOURCE_EXHAUSTED for ${name} has no usage`);
      expectEqual(s.usage.table, table, 'RESOURCE_EXHAUSTED usage.table');
      expectEqual(Number(s.usage.used), used + free, 'RESOURCE_EXHAUSTED usage.used');
      expectEqual(Number(s.usage.capacity), capacity, 'RESOURCE_EXHAUSTED usage.capacity');
      await ctx.expectUnchanged(before, 'INSERT into a full table');

      if (free > 0) {
        expectStatuses(await ctx.s.write([remove(fill[0]!)]), [Code.OK], `DELETE of one ${name} entry`);
        expectEqual((await ctx.usage(table)).used, used + free - 1, `${name} used after one delete`);
        expectStatuses(await ctx.s.write([insert(extra)]), [Code.OK], `INSERT into ${name} after freeing one entry`);
        expectEqual((await ctx.usage(table)).used, used + free, `${name} used after the insert`);
      } else {
        ctx.note(`${name} was already full: recovery not tested`);
      }
    },
  },
];
