// `vrfsync show capacity`: every table Capabilities reports, with its use, named as hwsim's
// --capacity option names them. JSON: {"table","used","capacity","percent"}, percent with one
// decimal, null for a table of capacity 0 (used may exceed capacity: a table can shrink under
// entries already installed, so percent may pass 100).
import { Table, type v1 } from '../driver/wire.ts';
import { formatColumns } from './columns.ts';

export interface CapacityEntry {
  table: string;
  used: number;
  capacity: number;
  percent: number | null;
}

const TABLE_NAME: Record<number, string> = {
  [Table.TABLE_VRFS]: 'vrfs',
  [Table.TABLE_ROUTER_INTERFACES]: 'rifs',
  [Table.TABLE_NEIGHBORS]: 'neighbors',
  [Table.TABLE_NEXT_HOPS]: 'nexthops',
  [Table.TABLE_NEXT_HOP_GROUPS]: 'groups',
  [Table.TABLE_GROUP_MEMBERS]: 'group-members',
  [Table.TABLE_IPV4_ROUTES]: 'ipv4-routes',
  [Table.TABLE_IPV6_ROUTES]: 'ipv6-routes',
};

/** In the contract's Table order. */
export function capacityEntries(caps: v1.ICapabilitiesResponse): CapacityEntry[] {
  return [...(caps.tables ?? [])]
    .sort((a, b) => (a.table ?? 0) - (b.table ?? 0))
    .map((t) => {
      const used = Number(t.used ?? 0);
      const capacity = Number(t.capacity ?? 0);
      return {
        table: TABLE_NAME[t.table ?? 0] ?? `table-${t.table ?? 0}`,
        used,
        capacity,
        percent: capacity > 0 ? Math.round((used * 1000) / capacity) / 10 : null,
      };
    });
}

export function capacityText(entries: CapacityEntry[]): string[] {
  return formatColumns(
    [{ header: 'table' }, { header: 'used', right: true }, { header: 'capacity', right: true }, { header: 'use', right: true }],
    entries.map((e) => [e.table, String(e.used), String(e.capacity), e.percent === null ? '-' : `${e.percent.toFixed(1)}%`]),
  );
}
