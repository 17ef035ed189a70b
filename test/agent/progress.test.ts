import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/agent/progress.ts';

/** A stream that records what was written, and a clock the test moves. */
function fixture(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  let t = 1_000;
  const out = { isTTY, columns, write: (s: string) => (writes.push(s), true) };
  return { writes, out, now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('progress on a terminal', () => {
  it('redraws one line in place, at most every 100 ms', () => {
    const f = fixture(true, 100);
    const p = progressReporter(f.out, { now: f.now });
    p.update(0, 1_200_000, 'routes');
    expect(f.writes).toEqual([`\r\x1b[Ksync: routes [${'-'.repeat(40)}]   0% 0/1200000`]);

    f.advance(50);
    p.update(10_000, 1_200_000, 'routes');
    expect(f.writes).toHaveLength(1);

    f.advance(950);
    p.update(240_000, 1_200_000, 'routes');
    expect(f.writes).toHaveLength(2);
    expect(f.writes[1]).toBe(`\r\x1b[Ksync: routes [${'#'.repeat(8)}${'-'.repeat(32)}]  20% 240000/1200000 240000/s`);

    f.advance(99);
    p.update(250_000, 1_200_000, 'routes');
    expect(f.writes).toHaveLength(2);
    f.advance(1);
    p.update(260_000, 1_200_000, 'routes');
    expect(f.writes).toHaveLength(3);
    expect(f.writes.every((w) => w.startsWith('\r\x1b[K') && !w.includes('\n'))).toBe(true);
  });

  it('draws at once on a new phase and at 100 %', () => {
    const f = fixture(true, 100);
    const p = progressReporter(f.out, { now: f.now });
    p.update(0, 10, 'neighbors');
    f.advance(10);
    p.update(10, 10, 'neighbors');
    f.advance(10);
    p.update(0, 500, 'routes');
    expect(f.writes).toHaveLength(3);
    expect(f.writes[1]).toContain('100% 10/10');
    expect(f.writes[2]).toContain('sync: routes [');
  });

  it('fits the line to the terminal, dropping the bar when it is narrow', () => {
    const wide = fixture(true, 60);
    progressReporter(wide.out, { now: wide.now }).update(5, 10, 'routes');
    const line = wide.writes[0]!.slice('\r\x1b[K'.length);
    expect(line.length).toBeLessThan(60);
    expect(line).toMatch(/^sync: routes \[#+-+\]  50% 5\/10$/);

    const narrow = fixture(true, 30);
    progressReporter(narrow.out, { now: narrow.now }).update(5, 10, 'routes');
    expect(narrow.writes[0]).toBe('\r\x1b[Ksync: routes  50% 5/10');

    const tiny = fixture(true, 12);
    progressReporter(tiny.out, { now: tiny.now }).update(5, 10, 'routes');
    expect(tiny.writes[0]).toBe('\r\x1b[Ksync: route');
  });

  it('finish draws what the throttle held back, ends the line and prints the summary', () => {
    const f = fixture(true, 100);
    const p = progressReporter(f.out, { now: f.now });
    p.update(0, 100, 'routes');
    f.advance(500);
    p.update(99, 100, 'routes');
    f.advance(10);
    p.update(99, 100, 'routes'); // throttled
    p.finish('synced 100 routes in 0.5 s');
    expect(f.writes.slice(2)).toEqual([expect.stringMatching(/^\r\x1b\[Ksync: routes \[#+-?\]  99% 99\/100 194\/s$/), '\nsynced 100 routes in 0.5 s\n']);
  });

  it('finish without progress prints only the summary, and the reporter starts afresh after it', () => {
    const f = fixture(true, 100);
    const p = progressReporter(f.out, { now: f.now });
    p.finish('nothing to sync');
    expect(f.writes).toEqual(['nothing to sync\n']);
    p.update(1, 2, 'routes');
    expect(f.writes).toHaveLength(2);
  });
});

describe('progress in a log', () => {
  it('prints a plain line at most every 2 s, and at 100 %', () => {
    const f = fixture(false);
    const p = progressReporter(f.out, { now: f.now });
    p.update(0, 1_200_000, 'routes');
    f.advance(1_000);
    p.update(180_000, 1_200_000, 'routes');
    f.advance(999);
    p.update(300_000, 1_200_000, 'routes');
    f.advance(1);
    p.update(360_000, 1_200_000, 'routes');
    f.advance(10);
    p.update(1_200_000, 1_200_000, 'routes');
    f.advance(10);
    p.update(1_200_000, 1_200_000, 'routes'); // 100 % again: already said
    expect(f.writes).toEqual([
      'sync: routes 0/1200000 (0%)\n',
      'sync: routes 360000/1200000 (30%) 180000/s\n',
      'sync: routes 1200000/1200000 (100%) 597015/s\n',
    ]);
    p.finish('synced 1200000 routes in 2.0 s');
    expect(f.writes.at(-1)).toBe('synced 1200000 routes in 2.0 s\n');
    expect(f.writes.join('')).not.toContain('\r');
  });

  it('measures the rate per phase and takes another interval when asked', () => {
    const f = fixture(false);
    const p = progressReporter(f.out, { now: f.now, minIntervalMs: 500 });
    p.update(0, 100, 'neighbors');
    f.advance(500);
    p.update(50, 100, 'neighbors');
    p.update(0, 4000, 'routes');
    f.advance(500);
    p.update(1000, 4000, 'routes');
    expect(f.writes).toEqual([
      'sync: neighbors 0/100 (0%)\n',
      'sync: neighbors 50/100 (50%) 100/s\n',
      'sync: routes 0/4000 (0%)\n',
      'sync: routes 1000/4000 (25%) 2000/s\n',
    ]);
  });
});
