// The device's tables and the rules hardware enforces on them: every reference must point at an
// existing object, nothing referenced may be deleted, and each table has a capacity.
// One method per (entity kind, update type); each either applies completely or throws a
// Failure and changes nothing.
import { Code, Action, Table, type v1 } from '../src/driver/wire.ts';
import type { AsicConfig, Capacity } from './config.ts';
import {
  BadInput, addrFromProto, addrKey, addrToProto, isUnicastMac, prefixFromProto, prefixToProto,
  type Addr, type Prefix,
} from './ip.ts';
import { RouteTable, TargetKind, ipv4Keys, ipv6Keys, pack, unpack } from './route-table.ts';

/** An update that cannot be applied, with the status it gets. */
export class Failure extends Error {
  constructor(readonly code: Code, message: string, readonly usage?: v1.ITableUsage) {
    super(message);
  }
}

export const DEFAULT_VRF_ID = 0;
export const DEFAULT_VRF_NAME = 'default';

export interface VrfState { id: number; name: string; refs: number }
export interface RifState {
  id: number; vrfId: number; portId: number | null; vlanId: number;
  mac: Uint8Array; mtu: number; adminUp: boolean; refs: number;
}
export interface NeighborState { rifId: number; ip: Addr; mac: Uint8Array }
export interface NextHopState { id: number; rifId: number; ip: Addr; refs: number }
export interface GroupState { id: number; members: { nextHopId: number; weight: number }[]; refs: number }

const TABLE_OF_CAPACITY: Record<keyof Capacity, Table> = {
  vrfs: Table.TABLE_VRFS,
  rifs: Table.TABLE_ROUTER_INTERFACES,
  neighbors: Table.TABLE_NEIGHBORS,
  nexthops: Table.TABLE_NEXT_HOPS,
  groups: Table.TABLE_NEXT_HOP_GROUPS,
  groupMembers: Table.TABLE_GROUP_MEMBERS,
  ipv4Routes: Table.TABLE_IPV4_ROUTES,
  ipv6Routes: Table.TABLE_IPV6_ROUTES,
};
export const CAPACITY_KEYS = Object.keys(TABLE_OF_CAPACITY) as (keyof Capacity)[];
export function tableOf(key: keyof Capacity): Table {
  return TABLE_OF_CAPACITY[key];
}

const invalid = (msg: string) => new Failure(Code.INVALID_ARGUMENT, msg);
const precondition = (msg: string) => new Failure(Code.FAILED_PRECONDITION, msg);
const notFound = (msg: string) => new Failure(Code.NOT_FOUND, msg);
const exists = (msg: string) => new Failure(Code.ALREADY_EXISTS, msg);

function u32(v: number | null | undefined, what: string): number {
  const n = v ?? 0;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw invalid(`${what} ${n} is not a uint32`);
  return n;
}

function wrapBad<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BadInput) throw invalid(e.message);
    throw e;
  }
}

export class Tables {
  readonly vrfs = new Map<number, VrfState>();
  readonly vrfByName = new Map<string, number>();
  readonly rifs = new Map<number, RifState>();
  readonly rifByPort = new Map<string, number>();
  readonly neighbors = new Map<string, NeighborState>();
  readonly nexthops = new Map<number, NextHopState>();
  readonly groups = new Map<number, GroupState>();
  readonly routes4 = new RouteTable(ipv4Keys);
  readonly routes6 = new RouteTable(ipv6Keys);
  groupMembers = 0;
  capacity: Capacity;

  constructor(readonly config: AsicConfig) {
    this.capacity = { ...config.capacity };
    this.addDefaultVrf();
  }

  private addDefaultVrf() {
    this.vrfs.set(DEFAULT_VRF_ID, { id: DEFAULT_VRF_ID, name: DEFAULT_VRF_NAME, refs: 0 });
    this.vrfByName.set(DEFAULT_VRF_NAME, DEFAULT_VRF_ID);
  }

  clear(): void {
    this.vrfs.clear();
    this.vrfByName.clear();
    this.rifs.clear();
    this.rifByPort.clear();
    this.neighbors.clear();
    this.nexthops.clear();
    this.groups.clear();
    this.routes4.clear();
    this.routes6.clear();
    this.groupMembers = 0;
    this.capacity = { ...this.config.capacity };
    this.addDefaultVrf();
  }

  used(key: keyof Capacity): number {
    switch (key) {
      case 'vrfs': return this.vrfs.size;
      case 'rifs': return this.rifs.size;
      case 'neighbors': return this.neighbors.size;
      case 'nexthops': return this.nexthops.size;
      case 'groups': return this.groups.size;
      case 'groupMembers': return this.groupMembers;
      case 'ipv4Routes': return this.routes4.size;
      case 'ipv6Routes': return this.routes6.size;
    }
  }

  usage(key: keyof Capacity): v1.ITableUsage {
    return { table: tableOf(key), used: this.used(key), capacity: this.capacity[key] };
  }

  private ensureRoom(key: keyof Capacity, extra = 1): void {
    if (this.used(key) + extra > this.capacity[key]) {
      throw new Failure(Code.RESOURCE_EXHAUSTED, `${Table[tableOf(key)]} is full`, this.usage(key));
    }
  }

  // ---------------------------------------------------------------- keys (duplicate detection)

  /** A string naming the entity's key, or throws INVALID_ARGUMENT when the key is unreadable. */
  keyOf(e: v1.IEntity): string {
    if (e.route) {
      const p = e.route.prefix;
      return `R${e.route.vrfId ?? 0}/${p?.ipv4 ?? (p?.ipv6 ? Buffer.from(p.ipv6).toString('hex') : '')}/${p?.length ?? 0}`;
    }
    if (e.neighbor) {
      const ip = e.neighbor.ip;
      return `N${e.neighbor.rifId ?? 0}/${ip?.ipv4 ?? (ip?.ipv6 ? Buffer.from(ip.ipv6).toString('hex') : '')}`;
    }
    if (e.vrf) return `V${e.vrf.id ?? 0}`;
    if (e.routerInterface) return `I${e.routerInterface.id ?? 0}`;
    if (e.nextHop) return `H${e.nextHop.id ?? 0}`;
    if (e.nextHopGroup) return `G${e.nextHopGroup.id ?? 0}`;
    throw invalid('entity has no member set');
  }

  // ---------------------------------------------------------------- VRF

  insertVrf(v: v1.IVrf): void {
    const id = u32(v.id, 'vrf id');
    if (id === DEFAULT_VRF_ID) throw invalid('the default VRF is built in and cannot be inserted');
    const name = this.vrfName(v);
    if (this.vrfs.has(id)) throw exists(`VRF ${id} exists`);
    if (this.vrfByName.has(name)) throw exists(`VRF name ${JSON.stringify(name)} is taken`);
    this.ensureRoom('vrfs');
    this.vrfs.set(id, { id, name, refs: 0 });
    this.vrfByName.set(name, id);
  }

  modifyVrf(v: v1.IVrf): void {
    const id = u32(v.id, 'vrf id');
    if (id === DEFAULT_VRF_ID) throw invalid('the default VRF is built in and cannot be modified');
    const name = this.vrfName(v);
    const cur = this.vrfs.get(id);
    if (!cur) throw notFound(`VRF ${id} does not exist`);
    const owner = this.vrfByName.get(name);
    if (owner !== undefined && owner !== id) throw exists(`VRF name ${JSON.stringify(name)} is taken`);
    this.vrfByName.delete(cur.name);
    cur.name = name;
    this.vrfByName.set(name, id);
  }

  deleteVrf(v: v1.IVrf): void {
    const id = u32(v.id, 'vrf id');
    if (id === DEFAULT_VRF_ID) throw invalid('the default VRF is built in and cannot be deleted');
    const cur = this.vrfs.get(id);
    if (!cur) throw notFound(`VRF ${id} does not exist`);
    const routes = this.routes4.countIn(id) + this.routes6.countIn(id);
    if (cur.refs > 0 || routes > 0) {
      throw precondition(`VRF ${id} is in use by ${cur.refs} router interfaces and ${routes} routes`);
    }
    this.vrfs.delete(id);
    this.vrfByName.delete(cur.name);
  }

  private vrfName(v: v1.IVrf): string {
    const name = v.name ?? '';
    const bytes = Buffer.byteLength(name);
    if (bytes < 1 || bytes > 64) throw invalid(`VRF name must be 1..64 bytes, got ${bytes}`);
    return name;
  }

  // ---------------------------------------------------------------- router interfaces

  private checkRif(r: v1.IRouterInterface): RifState {
    const id = u32(r.id, 'router interface id');
    const vrfId = u32(r.vrfId, 'vrf id');
    const vlanId = u32(r.vlanId, 'vlan id');
    const mtu = u32(r.mtu, 'mtu');
    let portId: number | null = null;
    if (r.portId != null) {
      portId = u32(r.portId, 'port id');
      if (!this.config.ports[portId - 1]) throw invalid(`router interface ${id}: no port ${portId}`);
      if (vlanId > 4094) throw invalid(`router interface ${id}: vlan ${vlanId} out of range 0..4094`);
    } else if (r.loopback) {
      if (vlanId !== 0) throw invalid(`router interface ${id}: a loopback has no vlan`);
    } else {
      throw invalid(`router interface ${id}: neither port_id nor loopback is set`);
    }
    if (!isUnicastMac(r.mac)) throw invalid(`router interface ${id}: mac must be 6 bytes, unicast`);
    if (mtu < 68 || mtu > 65536) throw invalid(`router interface ${id}: mtu ${mtu} out of range 68..65536`);
    return { id, vrfId, portId, vlanId, mac: Buffer.from(r.mac!), mtu, adminUp: Boolean(r.adminUp), refs: 0 };
  }

  insertRif(r: v1.IRouterInterface): void {
    const next = this.checkRif(r);
    if (this.rifs.has(next.id)) throw exists(`router interface ${next.id} exists`);
    const vrf = this.vrfs.get(next.vrfId);
    if (!vrf) throw precondition(`router interface ${next.id}: VRF ${next.vrfId} does not exist`);
    const portKey = next.portId === null ? null : `${next.portId}/${next.vlanId}`;
    if (portKey !== null && this.rifByPort.has(portKey)) {
      throw exists(`port ${next.portId} vlan ${next.vlanId} already has router interface ${this.rifByPort.get(portKey)}`);
    }
    this.ensureRoom('rifs');
    this.rifs.set(next.id, next);
    if (portKey !== null) this.rifByPort.set(portKey, next.id);
    vrf.refs++;
  }

  modifyRif(r: v1.IRouterInterface): void {
    const next = this.checkRif(r);
    const cur = this.rifs.get(next.id);
    if (!cur) throw notFound(`router interface ${next.id} does not exist`);
    if (cur.vrfId !== next.vrfId || cur.portId !== next.portId || cur.vlanId !== next.vlanId) {
      throw invalid(`router interface ${next.id}: vrf_id and attachment are create-only; delete and insert it instead`);
    }
    cur.mac = next.mac;
    cur.mtu = next.mtu;
    cur.adminUp = next.adminUp;
  }

  deleteRif(r: v1.IRouterInterface): void {
    const id = u32(r.id, 'router interface id');
    const cur = this.rifs.get(id);
    if (!cur) throw notFound(`router interface ${id} does not exist`);
    if (cur.refs > 0) throw precondition(`router interface ${id} is referenced ${cur.refs} times`);
    this.rifs.delete(id);
    if (cur.portId !== null) this.rifByPort.delete(`${cur.portId}/${cur.vlanId}`);
    this.vrfs.get(cur.vrfId)!.refs--;
  }

  private rifFor(rifId: number, who: string): RifState {
    const rif = this.rifs.get(rifId);
    if (!rif) throw precondition(`${who}: router interface ${rifId} does not exist`);
    if (rif.portId === null) throw invalid(`${who}: router interface ${rifId} is a loopback`);
    return rif;
  }

  // ---------------------------------------------------------------- neighbours

  private neighborKey(n: v1.INeighbor): { rifId: number; ip: Addr; key: string } {
    const rifId = u32(n.rifId, 'neighbor rif id');
    const ip = wrapBad(() => addrFromProto(n.ip, 'neighbor ip'));
    return { rifId, ip, key: `${rifId}|${addrKey(ip)}` };
  }

  private neighborMac(n: v1.INeighbor): Uint8Array {
    if (!isUnicastMac(n.mac)) throw invalid('neighbor: mac must be 6 bytes, unicast');
    return Buffer.from(n.mac!);
  }

  insertNeighbor(n: v1.INeighbor): void {
    const { rifId, ip, key } = this.neighborKey(n);
    const mac = this.neighborMac(n);
    if (this.neighbors.has(key)) throw exists(`neighbor ${key} exists`);
    const rif = this.rifFor(rifId, 'neighbor');
    this.ensureRoom('neighbors');
    this.neighbors.set(key, { rifId, ip, mac });
    rif.refs++;
  }

  modifyNeighbor(n: v1.INeighbor): void {
    const { key } = this.neighborKey(n);
    const mac = this.neighborMac(n);
    const cur = this.neighbors.get(key);
    if (!cur) throw notFound(`neighbor ${key} does not exist`);
    cur.mac = mac;
  }

  deleteNeighbor(n: v1.INeighbor): void {
    const { key } = this.neighborKey(n);
    const cur = this.neighbors.get(key);
    if (!cur) throw notFound(`neighbor ${key} does not exist`);
    this.neighbors.delete(key);
    this.rifs.get(cur.rifId)!.refs--;
  }

  neighbor(rifId: number, ip: Addr): NeighborState | undefined {
    return this.neighbors.get(`${rifId}|${addrKey(ip)}`);
  }

  // ---------------------------------------------------------------- next hops

  private checkNextHop(h: v1.INextHop): { id: number; rifId: number; ip: Addr } {
    const id = u32(h.id, 'next hop id');
    const rifId = u32(h.rifId, 'next hop rif id');
    const ip = wrapBad(() => addrFromProto(h.ip, `next hop ${id} ip`));
    return { id, rifId, ip };
  }

  insertNextHop(h: v1.INextHop): void {
    const next = this.checkNextHop(h);
    if (this.nexthops.has(next.id)) throw exists(`next hop ${next.id} exists`);
    const rif = this.rifFor(next.rifId, `next hop ${next.id}`);
    this.ensureRoom('nexthops');
    this.nexthops.set(next.id, { ...next, refs: 0 });
    rif.refs++;
  }

  modifyNextHop(h: v1.INextHop): void {
    const next = this.checkNextHop(h);
    const cur = this.nexthops.get(next.id);
    if (!cur) throw notFound(`next hop ${next.id} does not exist`);
    const rif = this.rifFor(next.rifId, `next hop ${next.id}`);
    this.rifs.get(cur.rifId)!.refs--;
    rif.refs++;
    cur.rifId = next.rifId;
    cur.ip = next.ip;
  }

  deleteNextHop(h: v1.INextHop): void {
    const id = u32(h.id, 'next hop id');
    const cur = this.nexthops.get(id);
    if (!cur) throw notFound(`next hop ${id} does not exist`);
    if (cur.refs > 0) throw precondition(`next hop ${id} is referenced ${cur.refs} times`);
    this.nexthops.delete(id);
    this.rifs.get(cur.rifId)!.refs--;
  }

  // ---------------------------------------------------------------- groups

  private checkGroup(g: v1.INextHopGroup): GroupState {
    const id = u32(g.id, 'group id');
    const raw = g.members ?? [];
    const max = this.config.maxMembersPerGroup;
    if (raw.length > max) throw invalid(`group ${id} has ${raw.length} members; the device allows ${max}`);
    const seen = new Set<number>();
    const members = raw.map((m) => {
      const nh = u32(m.nextHopId, 'member next hop id');
      const weight = u32(m.weight, 'member weight');
      if (weight < 1 || weight > this.config.maxMemberWeight) {
        throw invalid(`group ${id}: weight ${weight} out of range 1..${this.config.maxMemberWeight}`);
      }
      if (seen.has(nh)) throw invalid(`group ${id}: next hop ${nh} is a member twice`);
      seen.add(nh);
      return { nextHopId: nh, weight };
    });
    for (const m of members) {
      if (!this.nexthops.has(m.nextHopId)) throw precondition(`group ${id}: next hop ${m.nextHopId} does not exist`);
    }
    return { id, members, refs: 0 };
  }

  private retainMembers(g: GroupState, delta: 1 | -1) {
    for (const m of g.members) this.nexthops.get(m.nextHopId)!.refs += delta;
    this.groupMembers += delta * g.members.length;
  }

  insertGroup(g: v1.INextHopGroup): void {
    const id = u32(g.id, 'group id');
    if (this.groups.has(id)) throw exists(`group ${id} exists`);
    const next = this.checkGroup(g);
    this.ensureRoom('groups');
    this.ensureRoom('groupMembers', next.members.length);
    this.groups.set(id, next);
    this.retainMembers(next, 1);
  }

  modifyGroup(g: v1.INextHopGroup): void {
    const id = u32(g.id, 'group id');
    const cur = this.groups.get(id);
    if (!cur) throw notFound(`group ${id} does not exist`);
    const next = this.checkGroup(g);
    this.ensureRoom('groupMembers', next.members.length - cur.members.length);
    this.retainMembers(cur, -1);
    next.refs = cur.refs;
    this.groups.set(id, next);
    this.retainMembers(next, 1);
  }

  deleteGroup(g: v1.INextHopGroup): void {
    const id = u32(g.id, 'group id');
    const cur = this.groups.get(id);
    if (!cur) throw notFound(`group ${id} does not exist`);
    if (cur.refs > 0) throw precondition(`group ${id} is referenced by ${cur.refs} routes`);
    this.retainMembers(cur, -1);
    this.groups.delete(id);
  }

  // ---------------------------------------------------------------- routes

  private routeKey(r: v1.IRoute): { vrfId: number; prefix: Prefix } {
    const vrfId = u32(r.vrfId, 'route vrf id');
    const prefix = wrapBad(() => prefixFromProto(r.prefix));
    return { vrfId, prefix };
  }

  private routeValue(r: v1.IRoute): { action: number; kind: TargetKind; target: number } {
    const action = r.action ?? 0;
    const kind = r.nextHopId != null ? TargetKind.NextHop
      : r.groupId != null ? TargetKind.Group
      : r.rifId != null ? TargetKind.Rif : TargetKind.None;
    const target = u32(r.nextHopId ?? r.groupId ?? r.rifId ?? 0, 'route target');
    if (action === Action.ACTION_FORWARD) {
      if (kind === TargetKind.None) throw invalid('route: FORWARD needs a next hop, group or router interface');
    } else if (action === Action.ACTION_DROP || action === Action.ACTION_TRAP) {
      if (kind !== TargetKind.None) throw invalid(`route: ${Action[action]} takes no target`);
    } else {
      throw invalid(`route: action ${action} is not FORWARD, DROP or TRAP`);
    }
    return { action, kind, target };
  }

  private checkTarget(kind: TargetKind, target: number): void {
    if (kind === TargetKind.NextHop && !this.nexthops.has(target)) throw precondition(`route: next hop ${target} does not exist`);
    if (kind === TargetKind.Group && !this.groups.has(target)) throw precondition(`route: group ${target} does not exist`);
    if (kind === TargetKind.Rif) this.rifFor(target, 'route');
  }

  private retainTarget(kind: TargetKind, target: number, delta: 1 | -1): void {
    if (kind === TargetKind.NextHop) this.nexthops.get(target)!.refs += delta;
    else if (kind === TargetKind.Group) this.groups.get(target)!.refs += delta;
    else if (kind === TargetKind.Rif) this.rifs.get(target)!.refs += delta;
  }

  private table(p: Prefix) {
    return (p.family === 4 ? this.routes4 : this.routes6) as RouteTable<number | Uint8Array, number | string>;
  }

  insertRoute(r: v1.IRoute): void {
    const { vrfId, prefix } = this.routeKey(r);
    const val = this.routeValue(r);
    const table = this.table(prefix);
    if (table.get(vrfId, prefix.addr, prefix.len) !== undefined) throw exists('route exists');
    if (!this.vrfs.has(vrfId)) throw precondition(`route: VRF ${vrfId} does not exist`);
    this.checkTarget(val.kind, val.target);
    this.ensureRoom(prefix.family === 4 ? 'ipv4Routes' : 'ipv6Routes');
    table.set(vrfId, prefix.addr, prefix.len, pack(val.action, val.kind, val.target));
    this.retainTarget(val.kind, val.target, 1);
  }

  modifyRoute(r: v1.IRoute): void {
    const { vrfId, prefix } = this.routeKey(r);
    const val = this.routeValue(r);
    const table = this.table(prefix);
    const prev = table.get(vrfId, prefix.addr, prefix.len);
    if (prev === undefined) throw notFound('route does not exist');
    this.checkTarget(val.kind, val.target);
    const old = unpack(prev);
    table.set(vrfId, prefix.addr, prefix.len, pack(val.action, val.kind, val.target));
    this.retainTarget(val.kind, val.target, 1);
    this.retainTarget(old.kind, old.target, -1);
  }

  deleteRoute(r: v1.IRoute): void {
    const { vrfId, prefix } = this.routeKey(r);
    const prev = this.table(prefix).delete(vrfId, prefix.addr, prefix.len);
    if (prev === undefined) throw notFound('route does not exist');
    const old = unpack(prev);
    this.retainTarget(old.kind, old.target, -1);
  }

  // ---------------------------------------------------------------- read back

  routeEntity(vrfId: number, prefix: Prefix, value: number): v1.IEntity {
    const { action, kind, target } = unpack(value);
    const route: v1.IRoute = { vrfId, prefix: prefixToProto(prefix), action };
    if (kind === TargetKind.NextHop) route.nextHopId = target;
    else if (kind === TargetKind.Group) route.groupId = target;
    else if (kind === TargetKind.Rif) route.rifId = target;
    return { route };
  }

  rifEntity(r: RifState): v1.IEntity {
    const routerInterface: v1.IRouterInterface = {
      id: r.id, vrfId: r.vrfId, mac: Buffer.from(r.mac), mtu: r.mtu, adminUp: r.adminUp, vlanId: r.vlanId,
    };
    if (r.portId !== null) routerInterface.portId = r.portId;
    else routerInterface.loopback = {};
    return { routerInterface };
  }

  neighborEntity(n: NeighborState): v1.IEntity {
    return { neighbor: { rifId: n.rifId, ip: addrToProto(n.ip), mac: Buffer.from(n.mac) } };
  }

  nextHopEntity(h: NextHopState): v1.IEntity {
    return { nextHop: { id: h.id, rifId: h.rifId, ip: addrToProto(h.ip) } };
  }

  groupEntity(g: GroupState): v1.IEntity {
    return { nextHopGroup: { id: g.id, members: g.members.map((m) => ({ ...m })) } };
  }
}
