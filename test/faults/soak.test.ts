// The soak's CI variant: 30 s of churn (SOAK_MINUTES=N for a long one; `npm run soak -- --minutes
// N` runs it outside the test runner). The agent must stay consistent with the kernel, its memory
// must not grow after warm-up beyond what its tables explain, and the lag figures are printed.
import { describe, expect, it } from 'vitest';
import { formatSoak, runSoak } from './soak.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? 0);
const seconds = minutes > 0 ? Math.round(minutes * 60) : 30;

describe('soak', () => {
  it(`churns for ${seconds} s: consistent, no memory growth beyond the tables, lag reported`, async () => {
    const f = await runSoak({ seconds, log: (l) => console.log(l) });
    console.log(formatSoak(f));
    expect(f.consistent).toBe(true);
    expect(f.churnCommands).toBeGreaterThan(seconds * 100);
    expect(f.lag.updates).toBeGreaterThan(0);
    expect(f.rss.growthMiB).toBeLessThanOrEqual(f.rss.allowedMiB);
  }, (seconds + 120) * 1000);
});
