// The kernel as a recording tells it: a session with the live session's interface (a mirror,
// 'events', start(), close()) and no kernel behind it. Recorded datagrams go through the live
// path's decoders (src/netlink/datagrams.ts) into a KernelMirror, so what the agent is handed is
// what it was handed live.
//
// Dumps are replayed as the live session ran them. A resync is the run of dumps the session
// issued back to back: each request follows the previous dump's NLMSG_DONE before any event is
// read (the live session sends it in the same turn), in dump order (links, addresses,
// neighbours, nexthops, rules, then both route families at once); a dump interrupted by a
// change (NLM_F_DUMP_INTR) is followed by its retry. An event after the last reply, or a
// request that does not continue the order, ends it. Then the resync's complete dumps are
// reconciled into the mirror (mark and sweep, as live) and the events that arrived during it
// are applied after. A resync the live session abandoned (a dump failed, retries ran out) is
// not applied. The re-dumps the mirror asks for are not run: the recording holds the ones the
// live session ran, where it ran them.
//
// Events are delivered in batches by recorded time: the datagrams of one millisecond form one
// batch. With speed 'max', a batch (or a resync) is delivered only once the previous one has
// been dealt with (`settled`, the agent idle): the same recording gives the same updates every
// time. With a numeric speed, batches go at their recorded times divided by the speed, as live.
import { EventEmitter } from 'node:events';
import type { KernelChange } from '../netlink/changes.ts';
import {
  ALL_KINDS, RecordedDump, countMessages, decodeEventDatagram, firstSeq, objectDumpVisitor, parseDumpRequest, routeDumpVisitor,
  type DumpKind, type DumpRequest,
} from '../netlink/datagrams.ts';
import { newDecodeStats } from '../netlink/decode.ts';
import { RouteRecord } from '../netlink/route-record.ts';
import type { NetlinkSubscription } from '../netlink/subscription.ts';
import type { DatagramSource, RecordedDatagram } from '../record/capture.ts';
import type { FamilyRoutes } from './family-routes.ts';
import type { SessionStats } from './kernel-session.ts';
import { KernelMirror, append, type MirrorEvent } from './mirror.ts';
import type { KernelSessionLike } from './session-like.ts';

const ROUTE_FAMILY: Partial<Record<DumpKind, 4 | 6>> = { 'ipv4-routes': 4, 'ipv6-routes': 6 };
/** The order in which the live session dumps a resync's kinds (both route families at once). */
const RANK: Record<DumpKind, number> = { links: 0, addresses: 1, neighbors: 2, nexthops: 3, rules: 4, 'ipv4-routes': 5, 'ipv6-routes': 5 };

export interface PlayOptions {
  /** 'max': each batch once the previous one is dealt with; N: at recorded times divided by N. */
  speed: number | 'max';
  /** Resolves once what was delivered has been dealt with (the agent is idle). */
  settled: () => Promise<void>;
}

/** One attempt at dumping a kind (the live session repeats an interrupted one from its first family). */
class Attempt {
  state: 'running' | 'complete' | 'interrupted' = 'running';
  nextFamily = 0;
  readonly changes: KernelChange[] = [];
  constructor(readonly kind: DumpKind, readonly table: FamilyRoutes | null) {}
}

/** A resync in progress. */
class Resync {
  readonly attempts = new Map<DumpKind, Attempt>();
  last: Attempt | null = null;
  /** Dumps whose replies are still coming, by sequence number. */
  readonly open = new Map<number, { dump: RecordedDump; attempt: Attempt; last: boolean }>();
  /** Events that arrived during the resync: applied after it. */
  readonly deferred: KernelChange[] = [];
  failed: Error | null = null;
}

export interface ReplayStats {
  /** Netlink messages received (dump replies and events). */
  messages: number;
  datagrams: { request: number; reply: number; event: number };
  /** Event batches delivered. */
  batches: number;
  /** Re-dumps the mirror asked for (the recording answers them with the ones the live session ran). */
  resyncsAsked: number;
  /** Requests not of a dump the session sends, replies to no followed dump. */
  ignored: number;
}

export class ReplaySession extends EventEmitter implements KernelSessionLike {
  readonly mirror = new KernelMirror();
  readonly stats: SessionStats = { resyncs: 0, lastResyncReason: '', lastResyncAt: 0, eventsApplied: 0 };
  readonly sub: { readonly stats: NetlinkSubscription['stats'] } = {
    stats: { ...newDecodeStats(), overruns: 0, dumps: 0, dumpRetries: 0, recvBufferSize: 0 },
  };
  readonly replay: ReplayStats = { messages: 0, datagrams: { request: 0, reply: 0, event: 0 }, batches: 0, resyncsAsked: 0, ignored: 0 };
  private resync: Resync | null = null;
  private batch: { ms: number; changes: KernelChange[] } | null = null;
  private pacing: PlayOptions | null = null;
  private readonly rec = new RouteRecord();

  constructor(private readonly source: DatagramSource) {
    super();
  }

  /** Replays up to the end of the recorded initial dumps: then the mirror holds what the kernel held. */
  async start(): Promise<void> {
    while (this.stats.resyncs === 0) {
      const d = this.source.next();
      if (!d) {
        await this.finish();
        break;
      }
      await this.step(d);
    }
    if (this.stats.resyncs === 0) throw new Error('the recording holds no complete initial dump: there is no kernel state to start from');
  }

  /** Replays the rest of the recording; resolves once the last batch has been delivered. */
  async play(options: PlayOptions): Promise<void> {
    this.pacing = options;
    const t0 = performance.now();
    let first = -1;
    for (let d = this.source.next(); d; d = this.source.next()) {
      if (options.speed !== 'max') {
        if (this.batch && this.batch.ms !== msOf(d)) await this.flushBatch();
        if (first < 0) first = d.at;
        const wait = t0 + (d.at - first) / 1000 / options.speed - performance.now();
        if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      }
      await this.step(d);
    }
    await this.finish();
  }

  close(): void {
    this.source.close();
  }

  /** One datagram. It stays valid while this runs: the source reads on only after. */
  private async step(d: RecordedDatagram): Promise<void> {
    this.replay.datagrams[d.kind]++;
    if (d.kind !== 'request') this.replay.messages += countMessages(d.datagram);
    if (this.batch && (d.kind === 'request' || this.batch.ms !== msOf(d))) await this.flushBatch();
    if (d.kind === 'request') return this.onRequest(parseDumpRequest(d.datagram));
    if (d.kind === 'event') return this.onEvent(d, decodeEventDatagram(d.datagram, this.sub.stats));
    return this.onReply(d);
  }

  private async onRequest(req: DumpRequest | null): Promise<void> {
    if (!req) {
      this.replay.ignored++;
      return;
    }
    if (this.resync && !continues(this.resync, req)) await this.finishResync();
    const r = (this.resync ??= new Resync());
    let a = r.attempts.get(req.kind);
    if (req.familyIndex === 0) {
      if (a?.state === 'interrupted') this.sub.stats.dumpRetries++;
      a?.table?.releaseAll();
      const family = ROUTE_FAMILY[req.kind];
      a = new Attempt(req.kind, family ? this.mirror.routes.beginResync(family) : null);
      r.attempts.set(req.kind, a);
    } else if (!a || a.state !== 'running' || a.nextFamily !== req.familyIndex) {
      // A later family without the first (the recording began mid-kind): nothing to add it to.
      this.replay.ignored++;
      return;
    }
    r.last = a;
    a.nextFamily = req.familyIndex + 1;
    const attempt = a;
    const visit = attempt.table
      ? routeDumpVisitor(req.family, this.rec, { reset: () => undefined, add: (rec) => attempt.table!.load(rec) }, this.sub.stats)
      : objectDumpVisitor(attempt.changes, this.sub.stats);
    r.open.set(req.seq, { dump: new RecordedDump(req, visit), attempt, last: req.last });
    this.sub.stats.dumps++;
  }

  private async onReply(d: RecordedDatagram): Promise<void> {
    const r = this.resync;
    const seq = firstSeq(d.datagram);
    const entry = r?.open.get(seq);
    if (!r || !entry) {
      this.replay.ignored++;
      return;
    }
    entry.dump.take(d.datagram);
    if (!entry.dump.done) return;
    r.open.delete(seq);
    const failure = entry.dump.failure;
    if (failure === 'interrupted') entry.attempt.state = 'interrupted';
    else if (failure) r.failed ??= failure;
    else if (entry.last) entry.attempt.state = 'complete';
    if (complete(r)) await this.finishResync();
  }

  private async onEvent(d: RecordedDatagram, changes: KernelChange[]): Promise<void> {
    if (this.resync) {
      if (this.resync.open.size > 0) {
        append(this.resync.deferred, changes);
        return;
      }
      // Read after the last reply: the live session had finished the resync.
      await this.finishResync();
    }
    this.batch ??= { ms: msOf(d), changes: [] };
    append(this.batch.changes, changes);
  }

  private async flushBatch(): Promise<void> {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    this.replay.batches++;
    this.stats.eventsApplied += b.changes.length;
    if (this.publish(this.mirror.applyAll(b.changes))) await this.settle();
  }

  private async finishResync(): Promise<void> {
    const r = this.resync!;
    this.resync = null;
    const attempts = ALL_KINDS.filter((k) => r.attempts.has(k)).map((k) => r.attempts.get(k)!);
    let delivered = false;
    if (!r.failed && attempts.every((a) => a.state === 'complete')) {
      const kinds = attempts.map((a) => a.kind);
      const dumped: KernelChange[] = [];
      const fresh: FamilyRoutes[] = [];
      for (const a of attempts) {
        if (a.table) fresh.push(a.table);
        else append(dumped, a.changes);
      }
      const reason = this.stats.resyncs === 0 ? 'startup' : `recorded re-dump of ${kinds.join(', ')}`;
      this.stats.resyncs++;
      this.stats.lastResyncReason = reason;
      this.stats.lastResyncAt = Date.now();
      this.emit('resync', reason);
      delivered = this.publish(this.mirror.reconcile(kinds, dumped, fresh));
    } else {
      for (const a of attempts) a.table?.releaseAll();
      const why = r.failed ? `a dump failed (${r.failed.message})` : 'a dump was cut short or interrupted without a retry';
      this.emit('warning', `recorded re-dump not applied, as the live session did not apply it: ${why}`);
    }
    if (r.deferred.length) {
      this.stats.eventsApplied += r.deferred.length;
      delivered = this.publish(this.mirror.applyAll(r.deferred)) || delivered;
    }
    if (delivered) await this.settle();
  }

  private async finish(): Promise<void> {
    await this.flushBatch();
    if (this.resync) await this.finishResync();
  }

  /** Hands mirror events on; says whether there were any. */
  private publish(events: MirrorEvent[]): boolean {
    const visible: MirrorEvent[] = [];
    for (const e of events) {
      if (e.kind === 'resync') this.replay.resyncsAsked++;
      else visible.push(e);
    }
    if (visible.length) this.emit('events', visible);
    return visible.length > 0;
  }

  private async settle(): Promise<void> {
    if (this.pacing?.speed === 'max') await this.pacing.settled();
  }
}

function msOf(d: RecordedDatagram): number {
  return Math.floor(d.at / 1000);
}

/** Does request `req` continue resync `r` (rather than start the next one)? */
function continues(r: Resync, req: DumpRequest): boolean {
  if (r.failed) return false;
  // Dumps overlap only within a resync: the two route families are dumped at once.
  if (r.open.size > 0) return true;
  const a = r.attempts.get(req.kind);
  if (a) {
    if (req.familyIndex === 0) return a.state === 'interrupted';
    return a === r.last && a.state === 'running' && a.nextFamily === req.familyIndex;
  }
  return req.familyIndex === 0 && RANK[req.kind] > RANK[r.last!.kind];
}

/** Nothing can follow: the route families (dumped last) are in and every dump succeeded, or one failed. */
function complete(r: Resync): boolean {
  if (r.failed) return true;
  if (r.open.size > 0) return false;
  return ROUTE_FAMILY[r.last!.kind] !== undefined && [...r.attempts.values()].every((a) => a.state === 'complete');
}
