// The device's tables and the rules hardware enforces on them: every reference must point at an
// existing object, nothing referenced may be deleted, and each table has a capacity.
// One method per (entity kind, update type); each either applies completely or throws a
// Failure and changes nothing.
import { Code, Action, Table, UpdateType, type v1 } from '../src/driver/wire.ts';
import type { AsicConfig, Capacity } from './config.ts';
import {
  BadInput, addrFromProto, addrKey, addrToProto, isUnicastMac, prefixFromProto, prefixFromWords, prefixToProto,
  prefixWordsError, word6, type Addr,
} from './ip.ts';
import { NO_ROUTE, RouteTable, TargetKind } from './route-table.ts';
import { WriteBatch } from './write-batch.ts';

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

/** What is wrong with a route's action and target, or null (the target id is a uint32). */
function routeValueError(action: number, kind: TargetKind): string | null {
  if (action === Action.ACTION_FORWARD) {
    return kind === TargetKind.None ? 'route: FORWARD needs a next hop, group or router interface' : null;
  }
  if (action === Action.ACTION_DROP || action === Action.ACTION_TRAP) {
    return kind !== TargetKind.None ? `route: ${Action[action]} takes no target` : null;
  }
  return `route: action ${action} is not FORWARD, DROP or TRAP`;
}

export class Tables {
  readonly vrfs = new Map<number, VrfState>();
  readonly vrfByName = new Map<string, number>();
  readonly rifs = new Map<number, RifState>();
  readonly rifByPort = new Map<string, number>();
  readonly neighbors = new Map<string, NeighborState>();
  readonly nexthops = new Map<number, NextHopState>();
  readonly groups = new Map<number, GroupState>();
  readonly routes4 = new RouteTable(4);
  readonly routes6 = new RouteTable(6);
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
  //
  // Both paths meet in the row methods below: a route message (insertRoute and friends, through
  // Asic.applyOne) is validated into a one-row scratch batch; a compact row of a decoded Write
  // (applyRoute) is validated in place. The rules and messages are the same either way.

  /** Scratch row for route messages. */
  private readonly one = new WriteBatch(1);

  /** Validates a route message's key, and its value unless `keyOnly`, into the scratch row. */
  private loadRoute(r: v1.IRoute, keyOnly: boolean): void {
    const vrfId = u32(r.vrfId, 'route vrf id');
    const p = wrapBad(() => prefixFromProto(r.prefix));
    const a = p.family === 4 ? [p.addr, 0, 0, 0] : [word6(p.addr, 0), word6(p.addr, 1), word6(p.addr, 2), word6(p.addr, 3)];
    let action = 0;
    let kind = TargetKind.None;
    let target = 0;
    if (!keyOnly) {
      action = r.action ?? 0;
      kind = r.nextHopId != null ? TargetKind.NextHop
        : r.groupId != null ? TargetKind.Group
        : r.rifId != null ? TargetKind.Rif : TargetKind.None;
      target = u32(r.nextHopId ?? r.groupId ?? r.rifId ?? 0, 'route target');
      const err = routeValueError(action, kind);
      if (err) throw invalid(err);
    }
    this.one.setRoute(0, 0, vrfId, p.family, p.len, a[0]!, a[1]!, a[2]!, a[3]!, action, kind, target);
  }

  insertRoute(r: v1.IRoute): void {
    this.loadRoute(r, false);
    this.insertRouteRow(this.one, 0);
  }

  modifyRoute(r: v1.IRoute): void {
    this.loadRoute(r, false);
    this.modifyRouteRow(this.one, 0);
  }

  deleteRoute(r: v1.IRoute): void {
    this.loadRoute(r, true);
    this.deleteRouteRow(this.one, 0);
  }

  /** Applies compact route update `i` of a batch (its Update.Type is b.op[i]); throws a Failure. */
  applyRoute(b: WriteBatch, i: number): void {
    const o = i * 4;
    const keyErr = prefixWordsError(b.family[i] as 4 | 6, b.len[i]!, b.addr[o]!, b.addr[o + 1]!, b.addr[o + 2]!, b.addr[o + 3]!);
    if (keyErr) throw invalid(keyErr);
    const op = b.op[i]!;
    if (op === UpdateType.DELETE) return this.deleteRouteRow(b, i);
    const valueErr = routeValueError(b.action[i]!, b.kind[i] as TargetKind);
    if (valueErr) throw invalid(valueErr);
    if (op === UpdateType.INSERT) this.insertRouteRow(b, i);
    else this.modifyRouteRow(b, i);
  }

  /** Looks the row's key up in its table, leaving the table ready to insert or remove it. */
  private findRow(b: WriteBatch, i: number): { table: RouteTable; slot: number } {
    const table = b.family[i] === 4 ? this.routes4 : this.routes6;
    const o = i * 4;
    const slot = table.find(b.vrf[i]!, b.len[i]!, b.addr[o]!, b.addr[o + 1]!, b.addr[o + 2]!, b.addr[o + 3]!);
    return { table, slot };
  }

  private insertRouteRow(b: WriteBatch, i: number): void {
    const table = b.family[i] === 4 ? this.routes4 : this.routes6;
    const o = i * 4;
    const vrfId = b.vrf[i]!;
    if (table.find(vrfId, b.len[i]!, b.addr[o]!, b.addr[o + 1]!, b.addr[o + 2]!, b.addr[o + 3]!) !== NO_ROUTE) throw exists('route exists');
    if (!this.vrfs.has(vrfId)) throw precondition(`route: VRF ${vrfId} does not exist`);
    const kind = b.kind[i] as TargetKind;
    const target = b.target[i]!;
    const referenced = this.targetOf(kind, target);
    this.ensureRoom(b.family[i] === 4 ? 'ipv4Routes' : 'ipv6Routes');
    table.insert(b.action[i]!, kind, target);
    if (referenced) referenced.refs++;
  }

  private modifyRouteRow(b: WriteBatch, i: number): void {
    const { table, slot } = this.findRow(b, i);
    if (slot === NO_ROUTE) throw notFound('route does not exist');
    const kind = b.kind[i] as TargetKind;
    const target = b.target[i]!;
    const referenced = this.targetOf(kind, target);
    this.release(table.kindOf(slot), table.targetOf(slot));
    table.setValue(slot, b.action[i]!, kind, target);
    if (referenced) referenced.refs++;
  }

  private deleteRouteRow(b: WriteBatch, i: number): void {
    const { table, slot } = this.findRow(b, i);
    if (slot === NO_ROUTE) throw notFound('route does not exist');
    this.release(table.kindOf(slot), table.targetOf(slot));
    table.remove(slot);
  }

  /** What a route's target refers to (its reference count goes up when the route is applied). */
  private targetOf(kind: TargetKind, target: number): { refs: number } | null {
    if (kind === TargetKind.NextHop) {
      const nh = this.nexthops.get(target);
      if (!nh) throw precondition(`route: next hop ${target} does not exist`);
      return nh;
    }
    if (kind === TargetKind.Group) {
      const g = this.groups.get(target);
      if (!g) throw precondition(`route: group ${target} does not exist`);
      return g;
    }
    if (kind === TargetKind.Rif) return this.rifFor(target, 'route');
    return null;
  }

  private release(kind: TargetKind, target: number): void {
    if (kind === TargetKind.NextHop) this.nexthops.get(target)!.refs--;
    else if (kind === TargetKind.Group) this.groups.get(target)!.refs--;
    else if (kind === TargetKind.Rif) this.rifs.get(target)!.refs--;
  }

  // ---------------------------------------------------------------- read back

  /** Row `s` of a route table as an entity. */
  routeEntity(table: RouteTable, s: number): v1.IEntity {
    const prefix = prefixFromWords(table.family, table.lenOf(s), table.word(s, 0), table.word(s, 1), table.word(s, 2), table.word(s, 3));
    const route: v1.IRoute = { vrfId: table.vrfOf(s), prefix: prefixToProto(prefix), action: table.actionOf(s) };
    const kind = table.kindOf(s);
    const target = table.targetOf(s);
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
