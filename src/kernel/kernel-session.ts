// Keeps a KernelMirror equal to the kernel: subscribe first, dump everything, replay what arrived
// meanwhile, then follow events; re-dump what the mirror says may have changed silently, and
// everything after an overrun. All state changes happen on this one serial path.
import { EventEmitter } from 'node:events';
import type { KernelChange } from '../netlink/changes.ts';
import { readFileSync } from 'node:fs';
import { ALL_KINDS, NetlinkSubscription, type DumpKind, type SubscriptionOptions } from '../netlink/subscription.ts';
import type { FamilyRoutes } from './family-routes.ts';
import { KernelMirror, append, type MirrorEvent } from './mirror.ts';

const ALL = ALL_KINDS;
const OBJECT_KIND_OF: Partial<Record<DumpKind, KernelChange['kind']>> = {
  links: 'link', addresses: 'address', neighbors: 'neighbor', nexthops: 'nexthop', rules: 'rule',
};
const ROUTE_FAMILY_OF: Partial<Record<DumpKind, 4 | 6>> = { 'ipv4-routes': 4, 'ipv6-routes': 6 };

/** Is `c` superseded by a dump of `kinds` (so replaying it after the dump would be stale)? */
function supersededBy(kinds: readonly DumpKind[], c: KernelChange): boolean {
  return kinds.some((k) => OBJECT_KIND_OF[k] === c.kind || (c.kind === 'route' && ROUTE_FAMILY_OF[k] === c.route.family));
}

function readSysctl(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

export interface SessionStats {
  resyncs: number;
  lastResyncReason: string;
  /** When the last resync finished (Date.now()), 0 before the first. */
  lastResyncAt: number;
  eventsApplied: number;
}

/**
 * Events: 'events' (MirrorEvent[] without resync requests), 'resync' (reason, after a re-dump
 * was reconciled), 'warning' (string), 'error' (Error).
 */
export class KernelSession extends EventEmitter {
  readonly mirror = new KernelMirror();
  readonly sub: NetlinkSubscription;
  readonly stats: SessionStats = { resyncs: 0, lastResyncReason: '', lastResyncAt: 0, eventsApplied: 0 };
  private queue: KernelChange[] = [];
  private pendingResync = new Set<DumpKind>();
  /** Why the pending re-dump is wanted, each reason once (a flood repeats them). */
  private readonly resyncReasons = new Set<string>();
  private running: Promise<void> | null = null;
  private started = false;

  /** How long a resync waits for the burst that caused it to end, in ms. */
  private readonly settleMs: number;

  constructor(options: SubscriptionOptions & { resyncSettleMs?: number } = {}) {
    super();
    this.settleMs = options.resyncSettleMs ?? 20;
    this.sub = new NetlinkSubscription(options);
    this.sub.on('changes', (changes: KernelChange[]) => {
      for (const c of changes) this.queue.push(c);
      this.kick();
    });
    this.sub.on('overrun', () => this.requestResync(ALL, 'netlink overrun'));
    this.sub.on('error', (err) => this.emit('error', err));
    this.sub.on('warning', (msg: string) => this.emit('warning', msg));
  }

  /** Subscribes, dumps everything and resolves once the mirror holds the kernel's state. */
  async start(): Promise<void> {
    this.mirror.ipv6SilentOnDown = readSysctl('/proc/sys/net/ipv6/route/skip_notify_on_dev_down') === '1';
    this.sub.start();
    this.requestResync(ALL, 'startup');
    this.started = true;
    this.kick();
    await this.idle();
  }

  requestResync(kinds: readonly DumpKind[], reason: string): void {
    for (const k of kinds) this.pendingResync.add(k);
    this.resyncReasons.add(reason);
    this.kick();
  }

  /** Resolves when every queued event and requested resync has been applied. */
  async idle(): Promise<void> {
    if (!this.started) return;
    while (this.running || this.queue.length || this.pendingResync.size) {
      this.kick();
      await (this.running ?? Promise.resolve());
    }
  }

  private kick() {
    if (!this.started || this.running) return;
    // `running` is set before drain() begins: its first step runs synchronously up to its first
    // await, and what it publishes may ask for a re-dump (a link event), which kicks again; had
    // drain() already started, that kick would start a second loop, and two loops dump and
    // reconcile concurrently (an older dump undoing newer events).
    this.running = Promise.resolve().then(() => this.drain()).catch((err: unknown) => void this.emit('error', err)).finally(() => {
      this.running = null;
      if (this.queue.length || this.pendingResync.size) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length || this.pendingResync.size) {
      if (this.pendingResync.size) {
        // A burst (a VRF deleted with its ports, a link flapping) asks for many re-dumps: let it
        // settle briefly so one dump answers all of it.
        // (Not the first dump: nothing caused it.)
        if (this.settleMs > 0 && this.stats.resyncs > 0) await new Promise((r) => setTimeout(r, this.settleMs));
        const kinds = ALL.filter((k) => this.pendingResync.has(k));
        const reason = [...this.resyncReasons].join('; ');
        this.pendingResync.clear();
        this.resyncReasons.clear();
        // Events received before the dump starts are superseded by it: replaying a stale add
        // after the dump would resurrect what a lost delete removed. Events of other kinds are
        // applied first, in order; events that arrive during the dump are applied after it
        // (each is then either already reflected, which makes it a no-op, or newer).
        const stale = this.queue;
        this.queue = [];
        this.publish(this.mirror.applyAll(stale.filter((c) => !supersededBy(kinds, c))));
        const dumped: KernelChange[] = [];
        for (const k of kinds) if (!ROUTE_FAMILY_OF[k]) append(dumped, await this.sub.dump(k));
        // Both families at once: the dump thread reads one while this thread decodes the other.
        const fresh = await Promise.all(kinds.filter((k) => ROUTE_FAMILY_OF[k]).map((k) => this.dumpRoutes(ROUTE_FAMILY_OF[k]!)));
        this.stats.resyncs++;
        this.stats.lastResyncReason = reason;
        this.stats.lastResyncAt = Date.now();
        this.emit('resync', reason);
        this.publish(this.mirror.reconcile(kinds, dumped, fresh));
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      this.stats.eventsApplied += batch.length;
      this.publish(this.mirror.applyAll(batch));
    }
  }

  /** One family's routes, dumped straight into a fresh table (no object per route). */
  private async dumpRoutes(family: 4 | 6): Promise<FamilyRoutes> {
    let table = this.mirror.routes.beginResync(family);
    await this.sub.dumpRoutes(family, {
      reset: () => {
        table.releaseAll();
        table = this.mirror.routes.beginResync(family);
      },
      add: (rec) => table.load(rec),
    });
    return table;
  }

  private publish(events: MirrorEvent[]) {
    const visible: MirrorEvent[] = [];
    for (const e of events) {
      if (e.kind === 'resync') this.requestResync(e.what, e.reason);
      else visible.push(e);
    }
    if (visible.length) this.emit('events', visible);
  }

  close(): void {
    this.sub.close();
  }
}
