// `vrfsync show vrfs|interfaces|neighbors|nexthops|groups`: each listing is first a list of
// plain entries, which is exactly what --json prints, and the text is drawn from those entries,
// so the two outputs cannot disagree. Text follows iproute2 where it has a line format
// (`ip neigh`, `ip nexthop`) and is an aligned table where it has none that fits.
//
// JSON shapes (also in `vrfsync show --help`):
//   vrfs        {"name","id","interfaces","routes":{"ipv4","ipv6"}}
//   interfaces  {"name","rif","vrf","mac","mtu","state":"up"|"down"}
//   neighbors   {"vrf","address","interface","mac"}
//   nexthops    {"id","vrf","address","interface"}
//   groups      {"id","members":[{"nexthop","address","interface","weight"}]}
import { formatColumns } from './columns.ts';
import { Names } from './names.ts';
import type { DriverTables, ShowNextHop } from './tables.ts';

export interface VrfEntry {
  name: string;
  id: number;
  interfaces: number;
  routes: { ipv4: number; ipv6: number };
}

export interface InterfaceEntry {
  name: string;
  rif: number;
  vrf: string;
  mac: string;
  mtu: number;
  state: 'up' | 'down';
}

export interface NeighborEntry {
  vrf: string;
  address: string;
  interface: string;
  mac: string;
}

export interface NextHopEntry {
  id: number;
  vrf: string;
  address: string;
  interface: string;
}

export interface GroupEntry {
  id: number;
  members: { nexthop: number; address: string; interface: string; weight: number }[];
}

/** `only`: a VRF id to list alone, or null for all. */
export function vrfEntries(names: Names, tables: DriverTables, routes: Map<number, { ipv4: number; ipv6: number }>, only: number | null): VrfEntry[] {
  const interfaces = new Map<number, number>();
  for (const r of tables.rifs.values()) interfaces.set(r.vrfId, (interfaces.get(r.vrfId) ?? 0) + 1);
  return names.vrfOrder
    .filter((id) => only === null || id === only)
    .map((id) => ({ name: names.vrf(id), id, interfaces: interfaces.get(id) ?? 0, routes: routes.get(id) ?? { ipv4: 0, ipv6: 0 } }));
}

export function vrfText(entries: VrfEntry[]): string[] {
  return formatColumns(
    [{ header: 'name' }, { header: 'id', right: true }, { header: 'interfaces', right: true }, { header: 'ipv4-routes', right: true }, { header: 'ipv6-routes', right: true }],
    entries.map((e) => [e.name, String(e.id), String(e.interfaces), String(e.routes.ipv4), String(e.routes.ipv6)]),
  );
}

/** Sorted by name (swp2 before swp10). */
export function interfaceEntries(names: Names, tables: DriverTables, only: number | null): InterfaceEntry[] {
  return [...tables.rifs.values()]
    .filter((r) => only === null || r.vrfId === only)
    .map((r): InterfaceEntry => ({ name: names.rif(r.id), rif: r.id, vrf: names.vrf(r.vrfId), mac: r.mac, mtu: r.mtu, state: r.up ? 'up' : 'down' }))
    .sort((a, b) => Names.compare(a.name, b.name) || a.rif - b.rif);
}

export function interfaceText(entries: InterfaceEntry[]): string[] {
  return formatColumns(
    [{ header: 'name' }, { header: 'rif', right: true }, { header: 'vrf' }, { header: 'mac' }, { header: 'mtu', right: true }, { header: 'state' }],
    entries.map((e) => [e.name, String(e.rif), e.vrf, e.mac, String(e.mtu), e.state]),
  );
}

const inVrf = (names: Names, rifId: number, only: number | null) => only === null || names.rifVrf(rifId) === only;

/** Sorted by VRF, interface name, then address (IPv4 first). */
export function neighborEntries(names: Names, tables: DriverTables, only: number | null): NeighborEntry[] {
  return tables.neighbors
    .filter((n) => inVrf(names, n.rifId, only))
    .map((n) => ({ n, vrfId: names.rifVrf(n.rifId) ?? -1, dev: names.rif(n.rifId) }))
    .sort((a, b) => names.compareVrfs(a.vrfId, b.vrfId) || Names.compare(a.dev, b.dev)
      || a.n.ipKey.length - b.n.ipKey.length || Buffer.compare(a.n.ipKey, b.n.ipKey))
    .map(({ n, dev }) => ({ vrf: names.rifVrfName(n.rifId), address: n.ip, interface: dev, mac: n.mac }));
}

export function neighborText(entries: NeighborEntry[]): string[] {
  return entries.map((e) => `${e.address} dev ${e.interface} lladdr ${e.mac} vrf ${e.vrf}`);
}

/** Sorted by id. */
export function nextHopEntries(names: Names, tables: DriverTables, only: number | null): NextHopEntry[] {
  return [...tables.nexthops.values()]
    .filter((h) => inVrf(names, h.rifId, only))
    .sort((a, b) => a.id - b.id)
    .map((h) => ({ id: h.id, vrf: names.rifVrfName(h.rifId), address: h.ip, interface: names.rif(h.rifId) }));
}

export function nextHopText(entries: NextHopEntry[]): string[] {
  return entries.map((e) => `id ${e.id} via ${e.address} dev ${e.interface} vrf ${e.vrf}`);
}

/** Sorted by id. With `only`, the groups having a member in that VRF, as the contract's Read filters them. */
export function groupEntries(names: Names, tables: DriverTables, only: number | null): GroupEntry[] {
  const hop = (id: number): ShowNextHop | undefined => tables.nexthops.get(id);
  return [...tables.groups.values()]
    .filter((g) => only === null || g.members.some((m) => { const h = hop(m.nextHopId); return h !== undefined && inVrf(names, h.rifId, only); }))
    .sort((a, b) => a.id - b.id)
    .map((g) => ({
      id: g.id,
      members: g.members.map((m) => {
        const h = hop(m.nextHopId);
        return { nexthop: m.nextHopId, address: h?.ip ?? '', interface: h ? names.rif(h.rifId) : `nexthop#${m.nextHopId}`, weight: m.weight };
      }),
    }));
}

export function groupText(entries: GroupEntry[]): string[] {
  return entries.flatMap((g) => [
    `id ${g.id}`,
    ...g.members.map((m) => `\tnexthop id ${m.nexthop} via ${m.address} dev ${m.interface} weight ${m.weight}`),
  ]);
}
