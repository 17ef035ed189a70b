import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/driver/backoff.ts';

describe('reconnect backoff', () => {
  it('doubles from initialMs up to maxMs and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.5);
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('jitters by at most 20 % and never waits longer than maxMs', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    const high = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999999);
    expect([1, 2, 3, 4, 5].map(() => low.next())).toEqual([80, 160, 320, 640, 800]);
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([120, 240, 480, 960, 1000]);
  });

  it('defaults to 100 ms doubling up to 5 s', () => {
    const b = new Backoff({}, () => 0.5);
    const delays = Array.from({ length: 8 }, () => b.next());
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});
