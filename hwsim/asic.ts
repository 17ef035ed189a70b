// hwsim's device: the tables of a switch ASIC (hwsim/tables.ts), its forwarding lookup
// (hwsim/lookup.ts), a boot epoch, ports, usage events and fault injection. Pure and
// synchronous: the gRPC server in drivers/hwsim is the only thing that talks to the outside.
import { EventEmitter } from 'node:events';
import { Code, EntityType, UpdateType, Table, OperStatus, codeName, type v1, type simv1 } from '../src/driver/wire.ts';
import type { AsicConfig, Capacity } from './config.ts';
import { BadInput, addrFromProto } from './ip.ts';
import { TYPE_OF_KIND, kindOf } from '../src/driver/entity-kinds.ts';
import { decide, decisionToProto } from './lookup.ts';
import { RowKeys } from './row-keys.ts';
import { CAPACITY_KEYS, DEFAULT_VRF_ID, Failure, Tables, tableOf } from './tables.ts';
import { WriteBatch } from './write-batch.ts';

/** An error with a contract status code, thrown by calls that fail as a whole. */
export class AsicError extends Error {
  constructor(readonly code: Code, message: string) {
    super(message);
  }
}

export interface LookupQuery {
  vrfId?: number | null;
  vrfName?: string | null;
  destination: v1.IIpAddress | null | undefined;
  source?: v1.IIpAddress | null;
}

export const API_VERSION = '1.0';

export interface ReadFilter { types?: EntityType[] | null; vrfId?: number | null }

/** [insert, modify, delete] for each entity kind, as methods of Tables. */
type Handler = (this: Tables, e: never) => void;
const t = Tables.prototype;
const HANDLERS: Record<string, readonly [Handler, Handler, Handler]> = {
  vrf: [t.insertVrf, t.modifyVrf, t.deleteVrf],
  routerInterface: [t.insertRif, t.modifyRif, t.deleteRif],
  neighbor: [t.insertNeighbor, t.modifyNeighbor, t.deleteNeighbor],
  nextHop: [t.insertNextHop, t.modifyNextHop, t.deleteNextHop],
  nextHopGroup: [t.insertGroup, t.modifyGroup, t.deleteGroup],
  route: [t.insertRoute, t.modifyRoute, t.deleteRoute],
};
interface FailFault { remaining: number; code: Code; entityType: EntityType }

/** The status of an update that threw. */
function statusOf(err: unknown): v1.IUpdateStatus {
  if (err instanceof Failure) {
    const s: v1.IUpdateStatus = { code: err.code, message: err.message };
    if (err.usage) s.usage = err.usage;
    return s;
  }
  if (err instanceof BadInput) return { code: Code.INVALID_ARGUMENT, message: err.message };
  return { code: Code.INTERNAL, message: `internal error: ${(err as Error).message}` };
}

/** The status of every successful update: drivers/hwsim encodes it as an empty message. */
export const OK_STATUS: v1.IUpdateStatus = Object.freeze({ code: Code.OK }) as v1.IUpdateStatus;
const OK = OK_STATUS;
const NOT_ATTEMPTED: v1.IUpdateStatus = Object.freeze({ code: Code.ABORTED, message: 'not attempted: an earlier update failed' }) as v1.IUpdateStatus;
const DUPLICATE: v1.IUpdateStatus = Object.freeze({ code: Code.INVALID_ARGUMENT, message: 'duplicate key: an earlier update in this batch has the same entity key' }) as v1.IUpdateStatus;

/**
 * Events: 'port' (v1.IPortEvent), 'tableUsage' (v1.ITableUsageEvent), 'reset' (v1.IDeviceReset).
 */
export class Asic extends EventEmitter {
  readonly tables: Tables;
  bootEpoch = 0;
  /** Delay the server applies before serving each Write and Read (fault injection). */
  latencyMs = 0;
  private failFault: FailFault | null = null;
  private readonly rowKeys = new RowKeys();
  private counters = this.freshCounters();
  /** Last reported tenth of capacity per table, for usage events. */
  private usageBucket = new Map<keyof Capacity, number>();

  constructor(readonly config: AsicConfig) {
    super();
    this.tables = new Tables(config);
    this.newEpoch();
    this.snapshotBuckets();
  }

  private freshCounters() {
    return { writes: 0, updates: 0, byCode: new Map<string, number>(), reads: 0, lookups: 0, faults: 0 };
  }

  private newEpoch() {
    // Microseconds since 1970 plus noise: unique across restarts, exact in a double.
    const next = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    this.bootEpoch = next > this.bootEpoch ? next : this.bootEpoch + 1;
  }

  capabilities(): v1.ICapabilitiesResponse {
    const c = this.config;
    return {
      apiVersion: API_VERSION,
      device: { ...c.device },
      bootEpoch: this.bootEpoch,
      ports: c.ports.map((p, i) => ({
        id: i + 1,
        name: p.name,
        speedMbps: p.speedMbps,
        mac: Buffer.from(p.mac),
        operStatus: p.operUp ? OperStatus.OPER_STATUS_UP : OperStatus.OPER_STATUS_DOWN,
      })),
      tables: this.usage(),
      ecmp: { maxMembersPerGroup: c.maxMembersPerGroup, maxMemberWeight: c.maxMemberWeight },
      maxUpdatesPerWrite: c.maxUpdatesPerWrite,
      maxMessageBytes: c.maxMessageBytes,
      defaultVrfId: DEFAULT_VRF_ID,
    };
  }

  usage(): v1.ITableUsage[] {
    return CAPACITY_KEYS.map((k) => this.tables.usage(k));
  }

  // ---------------------------------------------------------------- Write

  /** Applies a batch in order; one status per update (the caller checked arbitration). */
  write(updates: v1.IUpdate[], continueOnError: boolean): v1.IUpdateStatus[] {
    return this.writeBatch(WriteBatch.ofUpdates(updates), continueOnError);
  }

  /**
   * The same for a batch whose route updates may be compact rows (decoded by drivers/hwsim);
   * successful updates get the shared OK_STATUS object.
   */
  writeBatch(batch: WriteBatch, continueOnError: boolean): v1.IUpdateStatus[] {
    this.counters.writes++;
    const n = batch.size;
    const statuses: v1.IUpdateStatus[] = new Array(n);
    const duplicates = this.findDuplicates(batch);
    let stopped = false;
    // OKs are counted in a lump, before any other code, so the counters see codes in order.
    let oks = 0;
    for (let i = 0; i < n; i++) {
      let status: v1.IUpdateStatus;
      if (stopped) status = NOT_ATTEMPTED;
      else if (duplicates?.[i]) status = DUPLICATE;
      else status = batch.op[i] ? this.applyRoute(batch, i) : this.applyOne(batch.generic![i]!);
      statuses[i] = status;
      if (status === OK) {
        oks++;
        continue;
      }
      if (oks) this.count(Code.OK, oks);
      oks = 0;
      this.count(status.code ?? Code.OK);
      if (!continueOnError) stopped = true;
    }
    if (oks) this.count(Code.OK, oks);
    this.counters.updates += n;
    this.emitUsage();
    return statuses;
  }

  /** Flags the updates whose entity key an earlier update of the batch has, or null. */
  private findDuplicates(b: WriteBatch): Uint8Array | null {
    let dups: Uint8Array | null = null;
    const flag = (i: number) => ((dups ??= new Uint8Array(b.size))[i] = 1);
    // Rows are keyed by their fields; message updates by Tables.keyOf. The two key spaces meet
    // only when messages carry routes too (rare): then rows are spelled as keyOf spells them.
    const rowsAsText = b.genericRoutes > 0;
    if (!rowsAsText && b.op.length) this.rowKeys.findDuplicates(b, flag);
    if (!b.generic) return dups;
    const seen = new Set<string>();
    for (let i = 0; i < b.size; i++) {
      let key: string;
      if (b.op[i]) {
        if (!rowsAsText) continue;
        key = b.keyText(i);
      } else {
        const e = b.generic[i]!.entity;
        if (!e) continue;
        try {
          key = this.tables.keyOf(e);
        } catch {
          continue; // an unreadable key fails on its own in applyOne
        }
      }
      if (seen.has(key)) flag(i);
      else seen.add(key);
    }
    return dups;
  }

  /** A fault due now for an update of this entity type, as the status it gets, or null. */
  private takeFault(entityType: EntityType): v1.IUpdateStatus | null {
    const fault = this.failFault;
    if (!fault || (fault.entityType !== EntityType.ENTITY_TYPE_UNSPECIFIED && fault.entityType !== entityType)) return null;
    if (--fault.remaining <= 0) this.failFault = null;
    this.counters.faults++;
    return { code: fault.code, message: `injected fault: ${codeName(fault.code)}` };
  }

  /** Applies a message update to `tables`; `faults`: whether an armed FailUpdates may take it. */
  private applyOne(u: v1.IUpdate, tables = this.tables, faults = true): v1.IUpdateStatus {
    const type = u.type ?? 0;
    const e = u.entity;
    const kind = e ? kindOf(e) : null;
    if (type < UpdateType.INSERT || type > UpdateType.DELETE) {
      return { code: Code.INVALID_ARGUMENT, message: `update type ${type} is not INSERT, MODIFY or DELETE` };
    }
    if (!e || !kind) return { code: Code.INVALID_ARGUMENT, message: 'update has no entity' };
    const fault = faults ? this.takeFault(TYPE_OF_KIND[kind]) : null;
    if (fault) return fault;
    try {
      HANDLERS[kind]![type - 1]!.call(tables, (e as Record<string, unknown>)[kind] as never);
      return OK;
    } catch (err) {
      return statusOf(err);
    }
  }

  /** A compact route row: its type is valid and its entity a route, as the decoder ensured. */
  private applyRoute(b: WriteBatch, i: number): v1.IUpdateStatus {
    if (this.failFault) {
      const fault = this.takeFault(EntityType.ENTITY_TYPE_ROUTE);
      if (fault) return fault;
    }
    try {
      this.tables.applyRoute(b, i);
      return OK;
    } catch (err) {
      return statusOf(err);
    }
  }

  private count(code: Code, n = 1) {
    const name = codeName(code);
    this.counters.byCode.set(name, (this.counters.byCode.get(name) ?? 0) + n);
  }

  private bucketOf(k: keyof Capacity): number {
    const cap = this.tables.capacity[k];
    return cap === 0 ? 10 : Math.floor((this.tables.used(k) * 10) / cap);
  }

  private snapshotBuckets() {
    for (const k of CAPACITY_KEYS) this.usageBucket.set(k, this.bucketOf(k));
  }

  /** Announces tables whose usage crossed a tenth of capacity since the last announcement. */
  private emitUsage(force?: keyof Capacity) {
    for (const k of CAPACITY_KEYS) {
      const b = this.bucketOf(k);
      if (b !== this.usageBucket.get(k) || k === force) {
        this.usageBucket.set(k, b);
        this.emit('tableUsage', { usage: this.tables.usage(k) } satisfies v1.ITableUsageEvent);
      }
    }
  }

  // ---------------------------------------------------------------- Read

  /** Installed entities in dependency order; the built-in default VRF is not included. */
  *read(filter: ReadFilter = {}): Generator<v1.IEntity> {
    this.counters.reads++;
    yield* this.entities(filter);
  }

  private *entities(filter: ReadFilter): Generator<v1.IEntity> {
    const t = this.tables;
    const want = new Set(filter.types?.length ? filter.types : Object.values(TYPE_OF_KIND));
    const vrf = filter.vrfId ?? null;
    const inVrf = (id: number) => vrf === null || id === vrf;
    const rifInVrf = (rifId: number) => vrf === null || t.rifs.get(rifId)?.vrfId === vrf;
    if (want.has(EntityType.ENTITY_TYPE_VRF)) {
      for (const v of t.vrfs.values()) {
        if (v.id !== DEFAULT_VRF_ID && inVrf(v.id)) yield { vrf: { id: v.id, name: v.name } };
      }
    }
    if (want.has(EntityType.ENTITY_TYPE_ROUTER_INTERFACE)) {
      for (const r of t.rifs.values()) if (inVrf(r.vrfId)) yield t.rifEntity(r);
    }
    if (want.has(EntityType.ENTITY_TYPE_NEIGHBOR)) {
      for (const n of t.neighbors.values()) if (rifInVrf(n.rifId)) yield t.neighborEntity(n);
    }
    if (want.has(EntityType.ENTITY_TYPE_NEXT_HOP)) {
      for (const h of t.nexthops.values()) if (rifInVrf(h.rifId)) yield t.nextHopEntity(h);
    }
    if (want.has(EntityType.ENTITY_TYPE_NEXT_HOP_GROUP)) {
      for (const g of t.groups.values()) {
        if (vrf === null || g.members.some((m) => rifInVrf(t.nexthops.get(m.nextHopId)!.rifId))) yield t.groupEntity(g);
      }
    }
    if (want.has(EntityType.ENTITY_TYPE_ROUTE)) {
      for (const table of [t.routes4, t.routes6]) {
        for (const s of table.rows(vrf)) yield t.routeEntity(table, s);
      }
    }
  }

  // ---------------------------------------------------------------- Simulator

  vrfIdOf(q: { vrfId?: number | null; vrfName?: string | null }): number {
    if (q.vrfId != null) {
      if (!this.tables.vrfs.has(q.vrfId)) throw new AsicError(Code.NOT_FOUND, `no VRF with id ${q.vrfId}`);
      return q.vrfId;
    }
    const name = q.vrfName || 'default';
    const id = this.tables.vrfByName.get(name);
    if (id === undefined) throw new AsicError(Code.NOT_FOUND, `no VRF named ${JSON.stringify(name)}`);
    return id;
  }

  lookup(q: LookupQuery): simv1.ILookupResponse {
    this.counters.lookups++;
    const vrfId = this.vrfIdOf(q);
    try {
      const dst = addrFromProto(q.destination, 'destination');
      const src = q.source && (q.source.ipv4 != null || q.source.ipv6 != null) ? addrFromProto(q.source, 'source') : null;
      return decisionToProto(decide(this.tables, this.config, vrfId, dst, src), vrfId, this.config);
    } catch (err) {
      if (err instanceof BadInput) throw new AsicError(Code.INVALID_ARGUMENT, err.message);
      throw err;
    }
  }

  injectFault(f: simv1.IFaultRequest): void {
    if (f.failUpdates) {
      const count = f.failUpdates.count ?? 0;
      const code = f.failUpdates.code ?? Code.OK;
      if (code === Code.OK) throw new AsicError(Code.INVALID_ARGUMENT, 'fail_updates needs a non-OK code');
      this.failFault = count > 0
        ? { remaining: count, code, entityType: f.failUpdates.entityType ?? EntityType.ENTITY_TYPE_UNSPECIFIED }
        : null;
    } else if (f.latency) {
      this.latencyMs = f.latency.milliseconds ?? 0;
    } else if (f.shrinkTable) {
      const key = CAPACITY_KEYS.find((k) => tableOf(k) === f.shrinkTable!.table);
      if (!key) throw new AsicError(Code.INVALID_ARGUMENT, `no table ${f.shrinkTable.table}`);
      this.tables.capacity[key] = f.shrinkTable.capacity ?? 0;
      this.emitUsage(key);
    } else if (f.silentUpdates) {
      this.applySilently(f.silentUpdates.updates ?? []);
    } else if (f.clear) {
      this.failFault = null;
      this.latencyMs = 0;
      this.tables.capacity = { ...this.config.capacity };
      this.emitUsage();
    } else {
      throw new AsicError(Code.INVALID_ARGUMENT, 'fault request names no fault');
    }
  }

  /**
   * The SilentUpdates fault: the tables change with the rules of a Write that stops at the first
   * failure, but all or nothing, and unannounced. Several updates are tried on a copy of the
   * tables first: an update's outcome depends only on the tables it meets, so once the copy took
   * them all the real tables take them too. One update needs no copy: it applies completely or
   * not at all (hwsim/tables.ts). The copy costs a pass over the tables, which a fault for tests
   * can afford.
   */
  private applySilently(updates: v1.IUpdate[]): void {
    const duplicates = this.findDuplicates(WriteBatch.ofUpdates(updates));
    const trial = updates.length > 1 ? this.copyOfTables() : this.tables;
    for (let i = 0; i < updates.length; i++) {
      const s = duplicates?.[i] ? DUPLICATE : this.applyOne(updates[i]!, trial, false);
      if (s !== OK) throw new AsicError(s.code ?? Code.UNKNOWN, `silent update ${i + 1} of ${updates.length}: ${s.message}`);
    }
    if (trial !== this.tables) {
      for (const u of updates) {
        const s = this.applyOne(u, this.tables, false);
        if (s !== OK) throw new AsicError(Code.INTERNAL, `silent update applied to a copy but not to the tables: ${s.message}`);
      }
    }
    this.counters.faults += updates.length;
    // No TableUsage event, now or at the next Write, for what changed here.
    this.snapshotBuckets();
  }

  /** Fresh tables with the same entries and capacities, filled through the insert rules. */
  private copyOfTables(): Tables {
    const copy = new Tables(this.config);
    // Unlimited while filling: a table shrunk below its usage holds more than its capacity.
    for (const k of CAPACITY_KEYS) copy.capacity[k] = Infinity;
    for (const e of this.entities({})) {
      const kind = kindOf(e)!;
      HANDLERS[kind]![0]!.call(copy, (e as Record<string, unknown>)[kind] as never);
    }
    copy.capacity = { ...this.tables.capacity };
    return copy;
  }

  /** Wipes every table (the device rebooted) and returns the new boot epoch. */
  reset(reason: string): number {
    this.tables.clear();
    this.failFault = null;
    this.latencyMs = 0;
    this.counters = this.freshCounters();
    this.newEpoch();
    this.snapshotBuckets();
    this.emit('reset', { bootEpoch: this.bootEpoch, reason } satisfies v1.IDeviceReset);
    return this.bootEpoch;
  }

  stats(): simv1.IStatsResponse {
    const c = this.counters;
    return {
      bootEpoch: this.bootEpoch,
      writes: c.writes,
      updates: c.updates,
      updatesByCode: Object.fromEntries(c.byCode),
      reads: c.reads,
      lookups: c.lookups,
      tables: this.usage(),
      faultsInjected: c.faults,
    };
  }

  setPortState(portId: number, status: OperStatus): v1.IPortEvent {
    const port = this.config.ports[portId - 1];
    if (!port) throw new AsicError(Code.NOT_FOUND, `no port ${portId}`);
    if (status !== OperStatus.OPER_STATUS_UP && status !== OperStatus.OPER_STATUS_DOWN) {
      throw new AsicError(Code.INVALID_ARGUMENT, 'oper_status must be UP or DOWN');
    }
    port.operUp = status === OperStatus.OPER_STATUS_UP;
    const event: v1.IPortEvent = { portId, name: port.name, operStatus: status };
    this.emit('port', event);
    return event;
  }
}

/** The device API drivers/hwsim serves. */
export type AsicApi = Asic;
export { Code, Table };
