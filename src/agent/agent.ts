// The agent: kernel mirror -> translation -> driver, on one serial path.
//
// One owner of state. The kernel session keeps the mirror; its events queue here. A sync cycle
// takes what queued, updates the desired state, and writes the difference with what the driver
// acknowledged (the installed state), in the planner's stages; nothing else mutates either state
// meanwhile, so a cycle's plan stays true while it runs. Events that arrive during a cycle wait
// for the next one, coalesced: a prefix that flaps ten times costs one comparison.
//
// The driver's word is the truth about hardware: the installed state changes only on an OK, and
// is read back from the driver whenever it may have diverged (connect, reset, a write whose
// outcome is unknown, an ALREADY_EXISTS or NOT_FOUND that says our view was wrong).
import { EventEmitter } from 'node:events';
import { collectGarbage } from '../common/collect-garbage.ts';
import type { Logger } from 'pino';
import { DriverSession, type ConnectedEvent } from '../driver/session.ts';
import { WriteCallError } from '../driver/session-errors.ts';
import type { TlsOptions } from '../driver/address.ts';
import { Code, Table, UpdateType, codeName, type v1 } from '../driver/wire.ts';
import { ABSENT } from '../translate/route-table.ts';
import { KernelSession } from '../kernel/kernel-session.ts';
import type { KernelSessionLike } from '../kernel/session-like.ts';
import type { MirrorEvent } from '../kernel/mirror.ts';
import type { RouteKeyList } from '../kernel/route-keys.ts';
import type { SubscriptionOptions } from '../netlink/subscription.ts';
import { HardwareState } from '../translate/hardware-state.ts';
import { describeEvents } from '../kernel/describe-events.ts';
import { driverFacts, type TranslateConfig } from '../translate/inputs.ts';
import { planSmall, routeOp, type Stage } from '../translate/plan.ts';
import { addEntity } from '../translate/read-back.ts';
import { Translator, type RouteEmitter } from '../translate/translator.ts';
import { UpdateEncoder } from '../driver/update-encoder.ts';
import { applyUpdate, encodeUpdates, type HwRoute, type HwUpdate } from '../translate/updates.ts';
import { OffloadFailures } from './offload-failures.ts';
import { LagHistogram } from './lag.ts';
import { RouteBatch } from './route-batch.ts';
import { RouteWork } from './route-work.ts';

const MAX_RETRY_MS = 30_000;

export interface AgentOptions {
  /** unix:/path or HOST:PORT. */
  driverAddress: string;
  tls: TlsOptions;
  electionId: number;
  clientName: string;
  translate: TranslateConfig;
  tableFull: 'safe' | 'retry';
  batch: { maxUpdates: number; windowMs: number; inflight: number };
  logger: Logger;
  kernel?: SubscriptionOptions;
  /** The kernel session to use instead of a live one on this kernel (vrfsync replay). */
  session?: KernelSessionLike;
  /** Log the kernel-to-hardware lag this often (ms); 0: never. */
  lagReportMs?: number;
}

export type SyncState = 'starting' | 'backup' | 'syncing' | 'in-sync' | 'disconnected' | 'stopped';

/** What the metrics watch: each Write's duration and size, each route's kernel-to-hardware lag. */
export interface AgentObserver {
  write(seconds: number, updates: number): void;
  lag(ms: number): void;
}

/** An offload event for the status API's Watch (see proto/vrfsync/agent/v1/agent.proto). */
export interface OffloadEventData {
  kind: 'state' | 'kernel-resync' | 'driver-read' | 'refused' | 'table-usage';
  state?: SyncState;
  vrf?: string;
  key?: string;
  code?: string;
  message?: string;
  count?: number;
}

export interface AgentStats {
  /** Updates sent to the driver. */
  updates: number;
  writes: number;
  cycles: number;
  /** Times the installed state was read back from the driver. */
  reads: number;
  lastReadReason: string;
  /** When the driver was last read back (Date.now()), 0 before. */
  lastReadAt: number;
  startedAt: number;
  /** When the first full sync converged (ms since start), or null. */
  firstSyncMs: number | null;
}

/**
 * Events: 'state' (SyncState), 'progress' ({ done, total, phase }), 'converged' (),
 * 'offload' (OffloadEventData).
 */
export class Agent extends EventEmitter {
  readonly kernel: KernelSessionLike;
  readonly driver: DriverSession;
  readonly installed: HardwareState = new HardwareState();
  translator: Translator | null = null;
  readonly failures: OffloadFailures;
  state: SyncState = 'starting';
  readonly stats: AgentStats = { updates: 0, writes: 0, cycles: 0, reads: 0, lastReadReason: '', lastReadAt: 0, startedAt: Date.now(), firstSyncMs: null };
  /** The driver's tables as it last reported them (Capabilities, usage events). */
  readonly tableUsage = new Map<Table, { used: number; capacity: number }>();
  /** Optional observers of writes and lag (metrics). */
  observer: AgentObserver | null = null;

  private readonly log: Logger;
  private pending: MirrorEvent[] = [];
  /** The driver holds nothing: the next cycle translates and writes at once (coldSync). */
  private cold = false;
  /** A read of the driver started early (at the first connect), or null. */
  private prefetch: Promise<HardwareState> | null = null;
  /** When the oldest pending event arrived (performance.now()), 0 when none is pending. */
  private pendingSince = 0;
  /** Kernel change received -> driver acknowledged, per route update. */
  readonly lag = new LagHistogram();
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly work = new RouteWork();
  private readonly encoder = new UpdateEncoder();
  /** Refusals not logged yet, by code, kind and message, with the first instance. */
  private readonly refusals = new Map<string, { count: number; first: Record<string, unknown> }>();
  /** The installed state must be read back from the driver before the next cycle. */
  private readReason: string | null = 'startup';
  private cycle: Promise<void> | null = null;
  /** The next cycle's start, when one is scheduled: cancels it. */
  private wake: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 100;
  private stopped = false;
  /**
   * The driver announced a reset since this cycle started: what the cycle goes on writing would
   * land in emptied tables (and mostly be refused, its next hops gone). The cycle stops starting
   * writes and the next one reads the driver back.
   */
  private resetSeen = false;
  private kernelReady = false;
  /** The small tables failed to converge: plan them again even without kernel news. */
  private smallRetry = false;
  /** Progress of the cycle in flight: updates answered, of how many. */
  private progress = { done: 0, total: 0 };

  readonly driverAddress: string;

  constructor(private options: AgentOptions) {
    super();
    this.driverAddress = options.driverAddress;
    this.log = options.logger;
    this.failures = new OffloadFailures(options.tableFull);
    this.kernel = options.session ?? new KernelSession(options.kernel ?? {});
    this.driver = new DriverSession(options.driverAddress, {
      tls: options.tls, electionId: options.electionId, clientName: options.clientName,
      maxInflight: options.batch.inflight, logger: this.log.child({ component: 'driver' }),
    });
    this.kernel.on('events', (events: MirrorEvent[]) => {
      if (this.log.isLevelEnabled('debug')) this.log.debug({ events: describeEvents(events) }, 'kernel events');
      if (this.pending.length === 0) this.pendingSince = performance.now();
      for (const e of events) this.pending.push(e);
      // No window configured (a replay at full speed): the next turn of the event loop, not a
      // timer's 1 ms at least for every batch handed over.
      this.schedule(this.options.batch.windowMs, this.options.batch.windowMs === 0);
    });
    this.kernel.on('warning', (msg: string) => this.log.warn(msg));
    this.kernel.on('resync', (reason: string) => {
      if (reason !== 'startup') this.log.info({ reason }, 'kernel re-dumped');
      this.emit('offload', { kind: 'kernel-resync', message: reason });
    });
    this.kernel.on('error', (err: Error) => this.log.error({ err }, 'kernel session error'));
    this.driver.on('connected', (e: ConnectedEvent) => this.onConnected(e));
    this.driver.on('role', (role) => {
      this.log.info({ role }, 'driver role');
      if (role === 'primary') this.needRead('became primary');
      else this.setState('backup');
    });
    this.driver.on('reset', (epoch: number) => {
      this.resetSeen = true;
      this.needRead(`driver reset (boot epoch ${epoch})`);
    });
    this.driver.on('disconnected', (reason: string) => {
      this.log.warn({ reason }, 'driver disconnected');
      this.needRead('driver reconnected');
      this.setState('disconnected');
    });
    this.driver.on('tableUsage', (e: v1.ITableUsageEvent) => {
      const u = e.usage;
      if (u?.table) {
        this.tableUsage.set(u.table, { used: Number(u.used ?? 0), capacity: Number(u.capacity ?? 0) });
        this.emit('offload', { kind: 'table-usage', key: Table[u.table], message: `${u.used}/${u.capacity}` });
      }
      // Room in a table: what failed for lack of it may fit now.
      if (u?.table && u.used != null && u.capacity != null && u.used < u.capacity) {
        this.failures.roomFreed(u.table);
        if (this.failures.roomWaiting) this.retryNow();
        if ((u.table === Table.TABLE_NEXT_HOP_GROUPS || u.table === Table.TABLE_GROUP_MEMBERS) && this.translator?.probeGroups()) {
          this.smallRetry = true;
          this.schedule(0);
        }
      }
    });
  }

  async start(): Promise<void> {
    // Nothing is written before the mirror holds the whole kernel: an empty mirror would ask
    // for an empty switch.
    const t0 = performance.now();
    await Promise.all([this.kernel.start().then(() => {
      // What the dump's growing tables left behind goes now, not on top of the cold sync.
      collectGarbage();
      this.kernelReady = true;
      this.log.info({ routes: this.kernel.mirror.routes.size, ms: Math.round(performance.now() - t0) }, 'kernel mirrored');
    }), this.driver.start()]);
    this.schedule(0);
    const every = this.options.lagReportMs ?? 0;
    if (every > 0) {
      this.lagTimer = setInterval(() => this.log.info(this.lag.summary(), 'lag'), every);
      this.lagTimer.unref();
    }
  }

  /**
   * Graceful stop: no new Write starts, the ones in flight finish (their results are applied),
   * then the kernel and driver connections close.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.wake?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.cycle?.catch(() => undefined);
    this.kernel.close();
    await this.driver.close();
    this.setState('stopped');
  }

  /**
   * Applies a reloaded configuration (SIGHUP) without a resync: batch limits and the table-full
   * policy at once; a new port map or VRF exclusion list translates the mirror again and writes
   * the difference. The driver connection's settings need a restart.
   */
  reconfigure(o: Pick<AgentOptions, 'translate' | 'tableFull' | 'batch'>): void {
    const translateChanged = JSON.stringify(describeTranslate(o.translate)) !== JSON.stringify(describeTranslate(this.options.translate));
    this.options = { ...this.options, ...o };
    this.failures.policy = o.tableFull;
    if (translateChanged && this.translator) {
      this.work.addList(this.translator.reconfigure(o.translate));
      this.schedule(0);
    }
  }

  /** Resolves once desired and installed agree with nothing queued (failed entries aside). */
  converged(): Promise<void> {
    if (this.state === 'in-sync') return Promise.resolve();
    return new Promise((resolve) => this.once('converged', resolve));
  }

  private setState(s: SyncState) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
    this.emit('offload', { kind: 'state', state: s });
  }

  private onConnected(e: ConnectedEvent) {
    for (const t of e.capabilities.tables ?? []) {
      if (t.table) this.tableUsage.set(t.table, { used: Number(t.used ?? 0), capacity: Number(t.capacity ?? 0) });
    }
    const bootEpoch = e.capabilities.bootEpoch;
    this.log.info({ bootEpoch, role: e.role, ports: e.capabilities.ports?.length }, 'driver connected');
    // Before anything was ever written, the driver can be read while the kernel is dumped.
    if (e.role === 'primary' && this.stats.cycles === 0 && !this.prefetch) {
      this.prefetch = this.readDriver();
      this.prefetch.catch(() => undefined); // a failed prefetch is read again by the cycle
    }
    this.needRead('driver connected');
    if (e.role !== 'primary') this.setState('backup');
  }

  private needRead(reason: string) {
    this.readReason ??= reason;
    this.schedule(0);
  }

  /**
   * Starts a cycle after `delayMs`, or on the next turn of the event loop with `immediate`. A
   * cycle that ends with work left goes on through a timer: under a flood, the millisecond it
   * waits gathers the next batch (back-to-back immediate cycles of a few changes each fell
   * behind a kernel churning 130k routes a second: lag 160 ms instead of 5).
   */
  private schedule(delayMs: number, immediate = false) {
    if (this.stopped || this.cycle) return;
    if (this.wake) {
      if (delayMs > 0) return;
      this.wake();
    }
    const start = () => {
      this.wake = null;
      this.runCycle();
    };
    if (immediate) {
      const i = setImmediate(start);
      this.wake = () => clearImmediate(i);
    } else {
      const t = setTimeout(start, delayMs);
      this.wake = () => clearTimeout(t);
    }
  }

  private runCycle() {
    if (this.cycle || this.stopped) return;
    this.cycle = this.syncOnce()
      .catch((err: unknown) => {
        if (err instanceof StopRequested) return;
        if (err instanceof ResetDuringCycle) {
          this.log.info('cycle cut short: the driver reset');
          return;
        }
        if (err instanceof WriteCallError) {
          // The connection went (or we are not primary): outcome of what was in flight unknown.
          this.log.warn({ err: err.message }, 'write failed as a whole');
          this.readReason ??= 'a write failed as a whole';
        } else this.log.error({ err }, 'sync cycle failed');
        this.retryLater();
      })
      .finally(() => {
        this.cycle = null;
        if (this.hasWork()) this.schedule(0);
        else if (this.readyToWrite()) this.settle();
      });
  }

  private readyToWrite(): boolean {
    return this.kernelReady && this.driver.connected && this.driver.role === 'primary';
  }

  private hasWork(): boolean {
    if (!this.readyToWrite()) return false;
    return this.readReason !== null || this.pending.length > 0 || !this.work.empty || this.smallRetry;
  }

  private settle() {
    if (this.hasWork()) return;
    if (this.state !== 'in-sync') {
      if (this.stats.firstSyncMs === null) this.stats.firstSyncMs = Date.now() - this.stats.startedAt;
      this.setState('in-sync');
      this.emit('converged');
    }
    this.emit('idle');
  }

  /**
   * Resolves once no cycle runs or is due and nothing waits to be written. A replay delivers its
   * next batch of kernel events only then, so that batching does not depend on timing.
   */
  idle(): Promise<void> {
    if (!this.cycle && !this.wake && !this.hasWork()) return Promise.resolve();
    return new Promise((resolve) => this.once('idle', resolve));
  }

  /**
   * Something failed: try again after a backoff (doubling to 30 s). Routes that failed for lack
   * of room wait for room, but not forever: every retry at the longest backoff includes them.
   */
  private retryLater() {
    if (this.retryTimer || this.stopped) return;
    const all = this.retryDelayMs >= MAX_RETRY_MS;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.failures.retryDue(this.work, all);
      this.translator?.probeGroups();
      this.smallRetry = true;
      this.schedule(0);
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_MS);
  }

  private workFrom(keys: RouteKeyList | null | undefined) {
    if (keys) this.work.addList(keys);
  }

  private retryNow() {
    this.failures.retryDue(this.work);
    this.schedule(0);
  }

  // ---- one sync cycle -----------------------------------------------------------------------

  private async syncOnce(): Promise<void> {
    if (!this.readyToWrite()) return;
    this.stats.cycles++;
    this.resetSeen = false;
    const readBack = this.readReason !== null;
    if (readBack) await this.readBack();
    this.checkReset();
    const t = this.translator!;
    let clean = true;
    if (this.cold) {
      this.cold = false;
      this.setState('syncing');
      clean = await this.coldSync(t);
    }
    const events = this.pending;
    const since = this.pendingSince;
    this.pending = [];
    this.pendingSince = 0;
    if (events.length) this.work.addList(t.update(events), since);
    this.smallRetry = false;
    const small = planSmall(this.installed, t.desired);
    for (let i = 0; i < small.parked.length; i++) {
      this.work.add(small.parked.family(i), small.parked.table(i), small.parked.dstLen(i), small.parked.word(i, 0), small.parked.word(i, 1), small.parked.word(i, 2), small.parked.word(i, 3));
    }
    const total = this.work.size(t.desired, this.installed) + small.before.flat().length + small.after.flat().length;
    if (total > 0) this.setState('syncing');
    this.progress = { done: 0, total };
    for (const stage of small.before) clean = (await this.writeStage(stage, 'interfaces and next hops')) && clean;
    this.checkReset();
    clean = (await this.writeRoutes()) && clean;
    this.checkReset();
    for (const stage of small.after) clean = (await this.writeStage(stage, 'removals')) && clean;
    this.emit('progress', { ...this.progress, phase: 'done' });
    this.logRefusals();
    // Refused entities that landed since, or that the kernel no longer wants, are failures no more.
    this.failures.settleEntities(this.installed, t.desired);
    if (readBack) this.failures.settleRoutes(this.installed, t.desired);
    // Under the safe policy, routes that could not be installed are covered by trapping the
    // nearest installed route above them: what moved changes which.
    const covers = this.failures.updateCovers(this.installed);
    if (covers) this.work.addList(covers);
    if (clean) this.retryDelayMs = 100;
    else this.retryLater();
    if (this.failures.roomWaiting) this.retryNow();
  }

  /** Ends the cycle (ResetDuringCycle) when the driver reset since it started. */
  private checkReset() {
    if (this.resetSeen) throw new ResetDuringCycle();
  }

  /**
   * The first sync into empty hardware: translation runs in steps and each step's routes are
   * written while the next step is translated, so the driver works on the first batches while
   * the last ones are still being computed. Before each batch goes, what its routes point at
   * (router interfaces, next hops, groups created by the translation so far) is written. The
   * installed route tables are taken from the desired ones at the end, less what failed,
   * instead of one insert per acknowledged route.
   */
  private async coldSync(t: Translator): Promise<boolean> {
    const t0 = performance.now();
    const max = this.batchLimit();
    const pipe = new Pipeline(this.options.batch.inflight * 2);
    const ready: RouteBatch[] = [];
    let batch = new RouteBatch(max);
    const emit: RouteEmitter = (family, vrf, len, d0, d1, d2, d3, value) => {
      batch.push('insert', family, vrf, len, d0, d1, d2, d3, value, 0);
      if (batch.full) {
        ready.push(batch);
        batch = new RouteBatch(max);
      }
    };
    let ok = true;
    const flush = async () => {
      if (ready.length === 0) return;
      for (const stage of planSmall(this.installed, t.desired).before) ok = (await this.writeStage(stage, 'interfaces and next hops')) && ok;
      for (const b of ready.splice(0)) await pipe.add(this.sendRoutes(b, true));
    };
    this.progress = { done: 0, total: this.kernel.mirror.routes.size };
    for (const _ of t.rebuildSteps(max, emit)) {
      await flush();
      if (this.stopped || this.resetSeen) break;
    }
    if (this.stopped || this.resetSeen) {
      // Stopping, or the driver reset: what is in flight finishes, nothing more starts; the next
      // start or cycle reads back.
      await pipe.finish().catch(() => undefined);
      throw this.stopped ? new StopRequested() : new ResetDuringCycle();
    }
    if (batch.length) ready.push(batch);
    if (ready.length === 0) ready.push(new RouteBatch(1)); // nothing routed: the small stages still go
    await flush().catch(async (err: unknown) => {
      await pipe.finish().catch(() => undefined);
      throw err;
    });
    ok = (await pipe.finish()) && ok;
    this.adoptDesiredRoutes(t);
    this.log.info({ routes: this.installed.routeCount, failed: this.failures.size, ms: Math.round(performance.now() - t0) }, 'cold sync written');
    return ok;
  }

  /**
   * After a cold sync: installed = desired, less what was refused or never attempted. The two
   * share their keys (RouteTable.twin), as they will hold the same routes but a few.
   */
  private adoptDesiredRoutes(t: Translator) {
    for (const f of [4, 6] as const) this.installed.replaceRoutes(f, t.desired.routes(f).twin());
    const drop = (family: 4 | 6, vrf: number, len: number, d0: number, d1: number, d2: number, d3: number) => {
      this.installed.routes(family).set(vrf, len, d0, d1, d2, d3, ABSENT);
    };
    this.failures.forEach(drop);
    this.work.forEachKey(drop);
  }

  /** What the driver holds, streamed: a million routes never exist as message objects at once. */
  private async readDriver(): Promise<HardwareState> {
    const state = new HardwareState();
    for await (const e of this.driver.read()) addEntity(state, e);
    return state;
  }

  /** Replaces the installed state with what the driver holds, and starts translation over it. */
  private async readBack(): Promise<void> {
    const reason = this.readReason!;
    this.log.info({ reason }, 'reading the driver');
    const caps = this.driver.capabilities!;
    const prefetched = this.prefetch;
    this.prefetch = null;
    const t0 = performance.now();
    const read = (await prefetched?.catch(() => null)) ?? (await this.readDriver());
    const readMs = performance.now() - t0;
    this.readReason = null;
    this.stats.reads++;
    this.stats.lastReadReason = reason;
    this.stats.lastReadAt = Date.now();
    this.emit('offload', { kind: 'driver-read', message: reason });
    const installed = this.installed;
    installed.vrfs.clear();
    installed.rifs.clear();
    installed.neighbors.clear();
    installed.nexthops.clear();
    installed.groups.clear();
    installed.replaceRoutes(4, read.routes4);
    installed.replaceRoutes(6, read.routes6);
    for (const [k, v] of read.vrfs) installed.vrfs.set(k, v);
    for (const [k, v] of read.rifs) installed.rifs.set(k, v);
    for (const [k, v] of read.neighbors) installed.neighbors.set(k, v);
    for (const [k, v] of read.nexthops) installed.nexthops.set(k, v);
    for (const [k, v] of read.groups) installed.groups.set(k, v);
    // Translation starts over on what is installed: ids are adopted, so what is right stays.
    const t = new Translator(this.options.translate, driverFacts(caps), this.kernel.mirror);
    t.adopt(installed);
    this.pending = [];
    this.translator = t;
    // Empty hardware (a first start, a reset): translate and write at once (coldSync).
    this.cold = installed.routeCount === 0 && installed.nexthops.size === 0 && installed.groups.size === 0;
    // A cold sync writes every desired route: routes queued again by a Write that failed with
    // the connection (a driver restarted mid-sync) would be inserted a second time after it.
    if (this.cold) this.work.clear();
    else {
      t.rebuild();
      this.work.markWhole();
      // A full sync fills the installed tables up to the desired ones: sized once, not doubled.
      for (const f of [4, 6] as const) installed.routes(f).reserve(t.desired.routes(f).size);
    }
    this.log.info({
      routes: installed.routeCount, cold: this.cold, readMs: Math.round(readMs),
      translateMs: Math.round(performance.now() - t0 - readMs), memory: memory(),
    }, 'driver read');
  }

  /**
   * Updates per Write: the configured batch size within what the driver accepts (its
   * max_updates_per_write, and its message limit at a generous 200 bytes per update).
   */
  private batchLimit(): number {
    const caps = this.driver.capabilities;
    const byCount = caps?.maxUpdatesPerWrite || Infinity;
    const byBytes = caps?.maxMessageBytes ? Math.max(1, Math.floor(caps.maxMessageBytes / 200)) : Infinity;
    return Math.max(1, Math.min(this.options.batch.maxUpdates, byCount, byBytes));
  }

  /** Writes one stage (independent updates) in pipelined batches; false when any failed. */
  private async writeStage(stage: Stage, phase: string): Promise<boolean> {
    const max = this.batchLimit();
    const pipe = new Pipeline(this.options.batch.inflight * 2);
    for (let i = 0; i < stage.length; i += max) await pipe.add(this.send(stage.slice(i, i + max), phase));
    return pipe.finish();
  }

  /** Stage R: every route whose desired value differs from the installed one, streamed. */
  private async writeRoutes(): Promise<boolean> {
    const t = this.translator!;
    const cursor = this.work.take(t.desired, this.installed);
    const max = this.batchLimit();
    const pipe = new Pipeline(this.options.batch.inflight * 2);
    let more = true;
    while (more && !this.stopped && !this.resetSeen) {
      const batch = new RouteBatch(max);
      more = cursor.next(max, (family, vrfId, dstLen, d0, d1, d2, d3, since, known) => {
        const desired = Number.isNaN(known) ? t.desired.routes(family).get(vrfId, dstLen, d0, d1, d2, d3) : known;
        const want = this.failures.effective(family, vrfId, dstLen, d0, d1, d2, d3, desired);
        if (desired === ABSENT) this.failures.forget(family, vrfId, dstLen, d0, d1, d2, d3);
        const installed = this.installed.routes(family);
        const have = installed.size ? installed.get(vrfId, dstLen, d0, d1, d2, d3) : ABSENT;
        const op = routeOp(have, want);
        if (op) batch.push(op, family, vrfId, dstLen, d0, d1, d2, d3, op === 'delete' ? have : want, since);
        else {
          this.failures.alreadyRight(family, vrfId, dstLen, d0, d1, d2, d3);
          this.progress.done++;
        }
      });
      if (batch.length) await pipe.add(this.sendRoutes(batch));
    }
    if (!pipe.failed && !this.resetSeen) return pipe.finish();
    // The cycle ends early: what the cursor had not reached yet stays to do.
    cursor.rest((family, vrf, len, d0, d1, d2, d3, since) => this.work.add(family, vrf, len, d0, d1, d2, d3, since));
    return pipe.finish();
  }

  /** One Write of route updates; absorbs each status. Throws WriteCallError when the call fails as a whole. */
  private async sendRoutes(batch: RouteBatch, adoptLater = false): Promise<boolean> {
    const n = batch.length;
    const t0 = performance.now();
    const statuses = await this.driver.write(batch.encode(this.encoder), { continueOnError: true }).catch((err: unknown) => {
      // Unsent or unanswered: queue them again; the installed state is re-read.
      for (let i = 0; i < n; i++) this.work.addRoute(batch.route(i), batch.since[i]!);
      throw err;
    });
    const now = performance.now();
    this.observer?.write((now - t0) / 1000, n);
    this.stats.writes++;
    this.stats.updates += n;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const st = statuses[i]!;
      const code = st.code ?? Code.OK;
      const family = batch.family[i] as 4 | 6;
      const o = i * 4;
      const d = batch.dst;
      if (code === Code.OK) {
        const del = batch.type[i] === UpdateType.DELETE;
        if (!adoptLater) this.installed.routes(family).set(batch.vrf[i]!, batch.dstLen[i]!, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!, del ? ABSENT : batch.value[i]!);
        if (batch.since[i]) {
          this.lag.record(now - batch.since[i]!);
          this.observer?.lag(now - batch.since[i]!);
        }
        this.failures.succeeded(family, batch.vrf[i]!, batch.dstLen[i]!, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!);
        if (del) this.failures.roomFreed(family === 4 ? Table.TABLE_IPV4_ROUTES : Table.TABLE_IPV6_ROUTES);
        continue;
      }
      ok = false;
      this.onFailed({ op: batch.op(i), entity: { kind: 'route', route: batch.route(i) } }, code, st, batch.since[i]!);
    }
    this.progress.done += n;
    this.emit('progress', { ...this.progress, phase: 'routes' });
    return ok;
  }

  /** One Write; absorbs each status. Throws WriteCallError when the call fails as a whole. */
  private async send(batch: HwUpdate[], phase: string): Promise<boolean> {
    const t0 = performance.now();
    const statuses = await this.driver.write(encodeUpdates(batch, this.encoder), { continueOnError: true }).catch((err: unknown) => {
      // Unsent or unanswered: routes (parked ones) are queued again; the installed state is re-read.
      for (const u of batch) if (u.entity.kind === 'route') this.work.addRoute(u.entity.route);
      throw err;
    });
    this.observer?.write((performance.now() - t0) / 1000, batch.length);
    this.stats.writes++;
    this.stats.updates += batch.length;
    let ok = true;
    for (let i = 0; i < batch.length; i++) {
      const u = batch[i]!;
      const st = statuses[i]!;
      const code = st.code ?? Code.OK;
      if (code === Code.OK) {
        applyUpdate(this.installed, u);
        if (u.entity.kind === 'group' && u.op === 'insert') this.workFrom(this.translator?.groupInstalled(u.entity.group.id));
        continue;
      }
      ok = false;
      if (u.entity.kind === 'group' && code === Code.RESOURCE_EXHAUSTED) this.workFrom(this.translator?.groupRefused(u.entity.group.id));
      this.onFailed(u, code, st, 0);
    }
    this.progress.done += batch.length;
    this.emit('progress', { ...this.progress, phase });
    return ok;
  }

  private onFailed(u: HwUpdate, code: Code, st: v1.IUpdateStatus, since: number) {
    if (code === Code.ALREADY_EXISTS || code === Code.NOT_FOUND) {
      // Our view of the driver was wrong: read it again rather than guess.
      this.readReason ??= `${codeName(code)} on ${u.op} of a ${u.entity.kind}`;
    }
    if (u.entity.kind === 'route') {
      // Not attempted (another failed first): again at once. Refused: kept with the failures,
      // tried again after a backoff or, when the table was full, once it has room.
      if (code === Code.ABORTED) this.work.addRoute(u.entity.route, since);
      else this.failures.failed(u.entity.route, code, st.message ?? '', code === Code.RESOURCE_EXHAUSTED ? this.fullTable(u.entity.route, st) : null);
    } else {
      // Kept for the status API only: the next retry of the small tables plans it again.
      this.failures.entityFailed(u, code, st.message ?? '');
    }
    if (code === Code.ABORTED) return;
    // One line per kind of refusal and batch: a full table refuses by the hundred thousand.
    const key = `${codeName(code)} ${u.entity.kind} ${st.message ?? ''}`;
    const seen = this.refusals.get(key);
    if (seen) seen.count++;
    else this.refusals.set(key, { count: 1, first: { op: u.op, kind: u.entity.kind, entity: describe(u), code: codeName(code), message: st.message } });
  }

  /**
   * The full table a route's RESOURCE_EXHAUSTED waits for room in: the one its usage names, else
   * its family's route table. Null when that table is not full by the driver's own count (the
   * usage sent with the refusal, else the last one it reported): refused with room left (a hash
   * collision, an injected fault), the route is tried again after a backoff like any refusal,
   * instead of waiting for room that will never be announced.
   */
  private fullTable(r: HwRoute, st: v1.IUpdateStatus): Table | null {
    const table = st.usage?.table || (r.family === 4 ? Table.TABLE_IPV4_ROUTES : Table.TABLE_IPV6_ROUTES);
    const u = st.usage?.table && st.usage.capacity != null
      ? { used: Number(st.usage.used ?? 0), capacity: Number(st.usage.capacity) }
      : this.tableUsage.get(table);
    return u && u.used < u.capacity ? null : table;
  }

  /** Logs the refusals gathered since the last call, one line per kind. */
  private logRefusals() {
    for (const { count, first } of this.refusals.values()) {
      this.log.warn({ ...first, count }, 'updates refused');
      this.emit('offload', { kind: 'refused', key: String(first.entity), code: String(first.code), message: String(first.message ?? ''), count });
    }
    this.refusals.clear();
  }

  /** How the kernel is translated now (configuration reloads included). */
  get translateConfig(): TranslateConfig {
    return this.options.translate;
  }

  /** Counts for `vrfsync run --once` and the status API. */
  summary() {
    const d = this.translator?.desired;
    return {
      vrfs: this.installed.vrfs.size,
      rifs: this.installed.rifs.size,
      neighbors: this.installed.neighbors.size,
      nexthops: this.installed.nexthops.size,
      groups: this.installed.groups.size,
      routes: this.installed.routeCount,
      failed: this.failures.size,
      desiredRoutes: d?.routeCount ?? 0,
    };
  }
}

/** A cycle ended early because the agent is stopping. */
class StopRequested extends Error {
  readonly code = 'VRFSYNC_STOPPING';
}

/** A cycle ended early because the driver reset: the next one reads it back. */
class ResetDuringCycle extends Error {
  readonly code = 'VRFSYNC_DRIVER_RESET';
}

/**
 * Writes in flight, at most `depth` at once. A whole-call failure (the connection went) ends
 * the stage: add() and finish() throw it, but only after every write in flight has settled, so
 * none is left without an owner.
 */
class Pipeline {
  private readonly inflight: Promise<boolean>[] = [];
  private ok = true;
  private error: unknown = null;

  constructor(private readonly depth: number) {}

  get failed(): boolean {
    return this.error !== null;
  }

  async add(p: Promise<boolean>): Promise<void> {
    this.inflight.push(p);
    if (this.inflight.length >= this.depth) await this.settle(this.inflight.shift()!);
    if (this.error) await this.finish();
  }

  /** Awaits every write in flight; throws the first whole-call failure, else says if all were OK. */
  async finish(): Promise<boolean> {
    while (this.inflight.length) await this.settle(this.inflight.shift()!);
    if (this.error) throw this.error;
    return this.ok;
  }

  private async settle(p: Promise<boolean>) {
    try {
      this.ok = (await p) && this.ok;
    } catch (err) {
      this.error ??= err;
    }
  }
}

/** Memory use in MiB, for logs. */
export function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mib = (b: number) => Math.round(b / 2 ** 20);
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) };
}

function describeTranslate(c: TranslateConfig) {
  return { ports: [...c.portMap].sort(), excluded: [...c.excludedVrfs].sort() };
}

function describe(u: HwUpdate): string {
  const e = u.entity;
  if (e.kind !== 'route') return JSON.stringify(e);
  const r = e.route;
  return `${r.vrfId}/${r.family === 4 ? `${r.d0 >>> 24}.${(r.d0 >>> 16) & 255}.${(r.d0 >>> 8) & 255}.${r.d0 & 255}` : [r.d0, r.d1, r.d2, r.d3].map((w) => w.toString(16)).join(':')}/${r.dstLen}`;
}
