// Lag from a kernel change reaching the agent to the driver acknowledging its update, in a
// fixed log-scale histogram (no sample kept): p50, p99 and max at any time, for logs, the
// status API and benchmarks.

/**
 * Bucket upper bounds in ms: 0.1 ms to 100 s, 40 per decade, so a quantile is reported at most
 * 6% above the true one (at 10 per decade, a p99 of 40.5 ms read as 50.1).
 */
const PER_DECADE = 40;
const BOUNDS = Array.from({ length: 6 * PER_DECADE + 1 }, (_, i) => 0.1 * 10 ** (i / PER_DECADE));

export class LagHistogram {
  private counts = new Float64Array(BOUNDS.length + 1);
  count = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    let lo = 0;
    let hi = BOUNDS.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (BOUNDS[mid]! < ms) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The upper bound of the bucket holding quantile q (0..1), in ms. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(BOUNDS[i] ?? this.max, this.max);
    }
    return this.max;
  }

  summary(): { updates: number; p50: number; p99: number; max: number } {
    const r = (x: number) => Math.round(x * 100) / 100;
    return { updates: this.count, p50: r(this.quantile(0.5)), p99: r(this.quantile(0.99)), max: r(this.max) };
  }
}
