// What the agent needs of a kernel session: the live one (kernel-session.ts) or a replay of a
// recording (replay-session.ts), which has no kernel behind it.
import type { EventEmitter } from 'node:events';
import type { NetlinkSubscription } from '../netlink/subscription.ts';
import type { SessionStats } from './kernel-session.ts';
import type { KernelMirror } from './mirror.ts';

/**
 * Events: 'events' (MirrorEvent[]), 'resync' (reason, after a re-dump was reconciled),
 * 'warning' (string), 'error' (Error).
 */
export interface KernelSessionLike extends EventEmitter {
  readonly mirror: KernelMirror;
  readonly stats: SessionStats;
  readonly sub: { readonly stats: NetlinkSubscription['stats'] };
  /** Resolves once the mirror holds the kernel's state (a replay: the recorded initial dumps). */
  start(): Promise<void>;
  close(): void;
}
