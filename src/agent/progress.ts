// Progress of the initial sync, for the operator watching a million routes go in.
// On a terminal: one line redrawn in place (at most every 100 ms, since redrawing costs more than
// the work it reports). Otherwise (a log file, journald): a plain line at most every 2 s, and
// when a phase reaches 100 %, so a log shows progress without drowning in it.

export interface ProgressReporter {
  update(done: number, total: number, phase: string): void;
  /** Ends the progress output and prints `summary` on its own line. The reporter may be used again. */
  finish(summary: string): void;
}

export interface ProgressOutput {
  isTTY?: boolean;
  write(s: string): boolean;
  /** Terminal width; the redrawn line must not wrap, or \r no longer returns to its start. */
  columns?: number;
}

export interface ProgressOptions {
  /** Least time between two lines (default 100 ms on a terminal, 2000 ms otherwise). */
  minIntervalMs?: number;
  /** Milliseconds from any origin; injectable for tests. */
  now?: () => number;
}

/** A rate measured over less time than this says more about timer jitter than throughput. */
const RATE_MIN_MS = 250;
const CLEAR_LINE = '\r\x1b[K';

export function progressReporter(out: ProgressOutput, opts: ProgressOptions = {}): ProgressReporter {
  const tty = Boolean(out.isTTY);
  const interval = opts.minIntervalMs ?? (tty ? 100 : 2000);
  const now = opts.now ?? (() => performance.now());

  let phase: string | null = null;
  let phaseStart = 0;
  let phaseStartDone = 0;
  let lastDraw = -Infinity;
  let completeShown = false;
  /** The latest update, when the throttle kept it from being drawn. */
  let undrawn: { done: number; total: number } | null = null;
  /** A TTY line is on screen and not yet ended. */
  let open = false;

  const figures = (done: number, total: number, t: number) => {
    const percent = total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 100;
    const elapsed = t - phaseStart;
    const rate = elapsed >= RATE_MIN_MS ? ` ${Math.round(((done - phaseStartDone) * 1000) / elapsed)}/s` : '';
    return { percent, counts: `${done}/${total}`, rate };
  };

  const ttyLine = (done: number, total: number, t: number) => {
    const { percent, counts, rate } = figures(done, total, t);
    const head = `sync: ${phase}`;
    // Padded so that what follows the bar does not shift as the percentage grows.
    const tail = `${String(percent).padStart(3)}% ${counts}${rate}`;
    const columns = out.columns && out.columns > 0 ? out.columns : 80;
    const width = Math.min(40, columns - 1 - head.length - tail.length - 4);
    const bar = width >= 10 ? ` [${'#'.repeat(Math.round((percent / 100) * width)).padEnd(width, '-')}]` : '';
    return `${head}${bar} ${tail}`.slice(0, columns - 1);
  };

  const draw = (done: number, total: number, t: number) => {
    lastDraw = t;
    undrawn = null;
    if (tty) {
      out.write(`${CLEAR_LINE}${ttyLine(done, total, t)}`);
      open = true;
    } else {
      const { percent, counts, rate } = figures(done, total, t);
      out.write(`sync: ${phase} ${counts} (${percent}%)${rate}\n`);
    }
  };

  return {
    update(done, total, newPhase) {
      const t = now();
      const changed = newPhase !== phase;
      if (changed) {
        phase = newPhase;
        phaseStart = t;
        phaseStartDone = done;
        completeShown = false;
      }
      const complete = done >= total && !completeShown;
      if (complete) completeShown = true;
      if (changed || complete || t - lastDraw >= interval) draw(done, total, t);
      else undrawn = { done, total };
    },

    finish(summary) {
      // A terminal keeps the last state on screen: draw it if the throttle skipped it.
      if (tty && undrawn) draw(undrawn.done, undrawn.total, now());
      out.write(`${open ? '\n' : ''}${summary}\n`);
      phase = null;
      undrawn = null;
      open = false;
      lastDraw = -Infinity;
    },
  };
}
