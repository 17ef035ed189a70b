// The driver's small tables (VRFs, router interfaces, neighbours, next hops, groups) as
// `vrfsync show` needs them: read through the contract's Read, streamed, and kept as plain
// records with addresses already in text. Routes, which can number a million, are not read
// here (route-rows.ts).
import type { DriverClient } from '../driver/client.ts';
import { formatIp, formatMac } from '../driver/text.ts';
import { EntityType, type v1 } from '../driver/wire.ts';

export interface ShowRif {
  id: number;
  vrfId: number;
  /** null for a loopback interface. */
  portId: number | null;
  vlanId: number;
  mac: string;
  mtu: number;
  up: boolean;
}

export interface ShowNeighbor {
  rifId: number;
  ip: string;
  /** Address bytes, for sorting. */
  ipKey: Buffer;
  mac: string;
}

export interface ShowNextHop {
  id: number;
  rifId: number;
  ip: string;
  family: 4 | 6;
}

export interface ShowGroup {
  id: number;
  members: { nextHopId: number; weight: number }[];
}

export interface DriverTables {
  vrfs: Map<number, string>;
  rifs: Map<number, ShowRif>;
  neighbors: ShowNeighbor[];
  nexthops: Map<number, ShowNextHop>;
  groups: Map<number, ShowGroup>;
}

function ipKey(a: v1.IIpAddress | null | undefined): Buffer {
  if (a?.ipv4 != null) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(a.ipv4 >>> 0);
    return b;
  }
  return Buffer.from(a?.ipv6 ?? []);
}

function add(t: DriverTables, e: v1.IEntity): void {
  if (e.vrf) t.vrfs.set(e.vrf.id ?? 0, e.vrf.name ?? '');
  else if (e.routerInterface) {
    const r = e.routerInterface;
    t.rifs.set(r.id ?? 0, {
      id: r.id ?? 0,
      vrfId: r.vrfId ?? 0,
      portId: r.loopback ? null : (r.portId ?? 0),
      vlanId: r.vlanId ?? 0,
      mac: formatMac(r.mac),
      mtu: r.mtu ?? 0,
      up: Boolean(r.adminUp),
    });
  } else if (e.neighbor) {
    const n = e.neighbor;
    t.neighbors.push({ rifId: n.rifId ?? 0, ip: formatIp(n.ip), ipKey: ipKey(n.ip), mac: formatMac(n.mac) });
  } else if (e.nextHop) {
    const n = e.nextHop;
    t.nexthops.set(n.id ?? 0, { id: n.id ?? 0, rifId: n.rifId ?? 0, ip: formatIp(n.ip), family: n.ip?.ipv4 != null ? 4 : 6 });
  } else if (e.nextHopGroup) {
    const g = e.nextHopGroup;
    t.groups.set(g.id ?? 0, { id: g.id ?? 0, members: (g.members ?? []).map((m) => ({ nextHopId: m.nextHopId ?? 0, weight: m.weight ?? 0 })) });
  }
}

/** Reads the given kinds (all VRFs, unfiltered: a route may leak into another VRF's next hop). */
export async function readTables(client: DriverClient, types: EntityType[]): Promise<DriverTables> {
  const t: DriverTables = { vrfs: new Map(), rifs: new Map(), neighbors: [], nexthops: new Map(), groups: new Map() };
  if (types.length === 0) return t;
  for await (const e of client.read({ types })) add(t, e);
  return t;
}
