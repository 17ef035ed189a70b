// The small half of translation: kernel VRF devices, ports and neighbours to hardware VRFs,
// router interfaces and neighbours, and the maps route translation reads (which kernel table
// is which hardware VRF, which netdev is which router interface). Pure: the same mirror,
// configuration and driver facts give the same Base.
import type { KernelMirror } from '../kernel/mirror.ts';
import { IFF_UP } from '../netlink/link-codec.ts';
import { NUD_VALID } from '../netlink/neigh-codec.ts';
import { neighborKey, type HwNeighbor, type HwRif, type HwVrf } from './hardware-state.ts';
import type { DriverFacts, TranslateConfig } from './inputs.ts';

/** Kernel tables of the default VRF, in FIB rule order: local, main, default. */
export const DEFAULT_TABLES = [255, 254, 253] as const;

export interface Base {
  /** Offloaded kernel table -> hardware VRF id. Tables not listed are not offloaded. */
  tableVrf: Map<number, number>;
  /** Hardware VRF id -> its kernel tables, in lookup order. */
  vrfTables: Map<number, readonly number[]>;
  /** VRFs to write (the default VRF is built in and not among them). */
  vrfs: Map<number, HwVrf>;
  rifs: Map<number, HwRif>;
  /** Netdev ifindex -> router interface id, for netdevs that have one. */
  rifOf: Map<number, number>;
  /** Resolved neighbours on router interfaces, by neighborKey. */
  neighbors: Map<string, HwNeighbor>;
}

/** A VRF's hardware id is its kernel table's id: stable across restarts, no state kept. */
export function vrfIdOfTable(table: number, facts: DriverFacts): number {
  return table === facts.defaultVrfId ? (table ^ 0x80000000) >>> 0 : table;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const isUnicastMac = (mac: string) => MAC.test(mac) && (parseInt(mac.slice(0, 2), 16) & 1) === 0 && mac !== '00:00:00:00:00:00';

export function computeBase(mirror: KernelMirror, config: TranslateConfig, facts: DriverFacts): Base {
  const tableVrf = new Map<number, number>();
  const vrfTables = new Map<number, readonly number[]>();
  for (const t of DEFAULT_TABLES) tableVrf.set(t, facts.defaultVrfId);
  vrfTables.set(facts.defaultVrfId, DEFAULT_TABLES);

  // Kernel VRF devices by table: two devices may share one (one hardware VRF, named after the
  // first name); a table any excluded VRF uses is not offloaded at all.
  const byTable = new Map<number, string[]>();
  const vrfDevices = new Map<number, number>();
  for (const l of mirror.links.values()) {
    if (l.kind !== 'vrf' || !l.vrfTable) continue;
    vrfDevices.set(l.index, l.vrfTable);
    byTable.set(l.vrfTable, [...(byTable.get(l.vrfTable) ?? []), l.name]);
  }
  const vrfs = new Map<number, HwVrf>();
  for (const [table, names] of byTable) {
    if (tableVrf.has(table) || names.some((n) => config.excludedVrfs.has(n))) continue;
    const id = vrfIdOfTable(table, facts);
    tableVrf.set(table, id);
    vrfTables.set(id, [table]);
    vrfs.set(id, { id, name: names.sort()[0]! });
  }

  const portByName = new Map(facts.ports.map((p) => [p.name, p.id]));
  const hasAddress = new Set<number>();
  for (const a of mirror.addresses.values()) hasAddress.add(a.index);
  const rifs = new Map<number, HwRif>();
  const rifOf = new Map<number, number>();
  for (const l of mirror.links.values()) {
    const portId = portByName.get(config.portMap.get(l.name) ?? l.name);
    if (portId === undefined) continue;
    // A port routes when it is a VRF member or has an address; a bridge or bond member switches.
    let vrfId = facts.defaultVrfId;
    if (l.master) {
      const table = vrfDevices.get(l.master);
      if (table === undefined) continue;
      const id = tableVrf.get(table);
      if (id === undefined) continue; // an excluded VRF's port
      vrfId = id;
    } else if (!hasAddress.has(l.index)) continue;
    const rifId = portId;
    rifs.set(rifId, {
      id: rifId, vrfId, portId, mac: isUnicastMac(l.mac) ? l.mac : '02:00:00:00:00:00',
      mtu: Math.min(65536, Math.max(68, l.mtu || 1500)), adminUp: (l.flags & IFF_UP) !== 0,
    });
    rifOf.set(l.index, rifId);
  }

  const neighbors = new Map<string, HwNeighbor>();
  for (const n of mirror.neighbors.values()) {
    const rifId = rifOf.get(n.ifindex);
    if (rifId === undefined || !(n.state & NUD_VALID) || !isUnicastMac(n.mac)) continue;
    neighbors.set(neighborKey(rifId, n.ip), { rifId, ip: n.ip, mac: n.mac });
  }
  return { tableVrf, vrfTables, vrfs, rifs, rifOf, neighbors };
}
