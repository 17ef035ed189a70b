// The lag histogram's quantiles: never below the true quantile, at most one bucket (6%) above.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LagHistogram } from '../../src/agent/lag.ts';

describe('LagHistogram', () => {
  it('reports p50, p99 and max within a bucket above the exact values', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.1, max: 90_000, noNaN: true }), { minLength: 1, maxLength: 500 }), (samples) => {
      const h = new LagHistogram();
      for (const ms of samples) h.record(ms);
      const sorted = [...samples].sort((a, b) => a - b);
      for (const q of [0.5, 0.99]) {
        const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
        const reported = h.quantile(q);
        expect(reported).toBeGreaterThanOrEqual(exact);
        expect(reported).toBeLessThanOrEqual(exact * 10 ** (1 / 40) * 1.000001);
      }
      expect(h.summary().max).toBeCloseTo(sorted.at(-1)!, 2);
      expect(h.count).toBe(samples.length);
    }));
  });
});
