// The hardware's L3 tables as the agent sees them, in the contract's object model: what it wants
// installed (desired) and what the driver acknowledged (installed) are both HardwareStates.
// Small tables are maps of plain entities; routes, which can number a million, are compact
// RouteTables of packed values (route-value.ts).
import { RouteTable } from './route-table.ts';

export interface HwVrf {
  id: number;
  name: string;
}

export interface HwRif {
  id: number;
  vrfId: number;
  portId: number;
  /** aa:bb:cc:dd:ee:ff */
  mac: string;
  mtu: number;
  adminUp: boolean;
}

export interface HwNeighbor {
  rifId: number;
  ip: string;
  mac: string;
}

export interface HwNextHop {
  id: number;
  rifId: number;
  ip: string;
}

export interface HwGroupMember {
  nextHopId: number;
  weight: number;
}

export interface HwGroup {
  id: number;
  members: HwGroupMember[];
}

export const neighborKey = (rifId: number, ip: string): string => `${rifId}|${ip}`;

export class HardwareState {
  readonly vrfs = new Map<number, HwVrf>();
  readonly rifs = new Map<number, HwRif>();
  /** By neighborKey(rifId, ip). */
  readonly neighbors = new Map<string, HwNeighbor>();
  readonly nexthops = new Map<number, HwNextHop>();
  readonly groups = new Map<number, HwGroup>();
  routes4 = new RouteTable(4);
  routes6 = new RouteTable(6);

  routes(family: 4 | 6): RouteTable {
    return family === 4 ? this.routes4 : this.routes6;
  }

  replaceRoutes(family: 4 | 6, table: RouteTable): void {
    if (family === 4) this.routes4 = table;
    else this.routes6 = table;
  }

  get routeCount(): number {
    return this.routes4.size + this.routes6.size;
  }
}

export function sameVrf(a: HwVrf, b: HwVrf): boolean {
  return a.name === b.name;
}

export function sameRif(a: HwRif, b: HwRif): boolean {
  return a.vrfId === b.vrfId && a.portId === b.portId && a.mac === b.mac && a.mtu === b.mtu && a.adminUp === b.adminUp;
}

/** A router interface's VRF and port are create-only: a change means delete and insert. */
export function rifMustBeRecreated(installed: HwRif, desired: HwRif): boolean {
  return installed.vrfId !== desired.vrfId || installed.portId !== desired.portId;
}

export function sameNeighbor(a: HwNeighbor, b: HwNeighbor): boolean {
  return a.mac === b.mac;
}

export function sameNextHop(a: HwNextHop, b: HwNextHop): boolean {
  return a.rifId === b.rifId && a.ip === b.ip;
}

export function sameGroup(a: HwGroup, b: HwGroup): boolean {
  return a.members.length === b.members.length
    && a.members.every((m, i) => m.nextHopId === b.members[i]!.nextHopId && m.weight === b.members[i]!.weight);
}
