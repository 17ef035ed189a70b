// Exponential backoff with jitter for reconnecting to a driver. The jitter (±20 %, as gRPC's
// connection-backoff spec has it) keeps agents that lost the same driver at the same moment from
// coming back in lockstep.

export interface BackoffOptions {
  /** First delay, ms (default 100). */
  initialMs?: number;
  /** Largest delay, ms (default 5000). */
  maxMs?: number;
}

const JITTER = 0.2;

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private base: number;

  /** `random` returns a number in [0, 1); tests pass a fixed one. */
  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = Math.max(1, options.initialMs ?? 100);
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? 5000);
    this.base = this.initialMs;
  }

  /** The delay before the next attempt: the base doubles after each call, up to maxMs. */
  next(): number {
    const jittered = this.base * (1 - JITTER + 2 * JITTER * this.random());
    this.base = Math.min(this.maxMs, this.base * 2);
    return Math.round(Math.min(this.maxMs, jittered));
  }

  /** After a success: the next failure waits initialMs again. */
  reset(): void {
    this.base = this.initialMs;
  }
}
