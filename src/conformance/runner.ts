// Runs the cases one after another against a driver: become primary, wipe, then for each case
// run it under a time limit, close whatever it opened, take the primary role back and wipe
// again, so every case starts from empty tables whatever the previous one did.
import type { v1 } from '../driver/wire.ts';
import { CaseFailure } from './assert.ts';
import { CaseContext, type Case } from './context.ts';
import { Session, SetupError, type SessionOptions } from './session.ts';

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error: string | null;
  /** Remarks on a passing case, e.g. what was skipped and why. */
  note?: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  cases: CaseResult[];
}

export interface RunOptions extends SessionOptions {
  /** Only cases whose name matches (see matcher()). */
  only?: string;
  /** Per-case time limit, ms. */
  caseTimeoutMs?: number;
  onResult?: (r: CaseResult) => void;
}

/**
 * PATTERN: comma-separated alternatives; each is a glob (`*` any text) when it has a `*`,
 * otherwise a substring of the case name.
 */
export function matcher(pattern: string | undefined): (name: string) => boolean {
  if (!pattern) return () => true;
  const tests = pattern.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    if (!p.includes('*')) return (n: string) => n.includes(p);
    const re = new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return (n: string) => re.test(n);
  });
  return (name) => tests.some((t) => t(name));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseFailure(`${what} did not finish within ${ms} ms (a call hung?)`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  if (err instanceof CaseFailure) return err.message;
  const e = err as { code?: number; details?: string; message?: string };
  return e?.message ?? String(err);
}

/** Throws SetupError when the suite cannot run at all. */
export async function runSuite(cases: Case[], opts: RunOptions): Promise<SuiteResult> {
  const selected = cases.filter((c) => matcher(opts.only)(c.name));
  if (!selected.length) throw new SetupError(`no case matches ${JSON.stringify(opts.only)}`);
  const session = new Session(opts);
  try {
    const caps = await session.connect();
    session.maxUpdates = caps.maxUpdatesPerWrite || 1;
    await session.ensurePrimary();
    try {
      await session.wipe();
    } catch (err) {
      throw new SetupError(`cannot wipe the driver's tables before the suite: ${reason(err)}`);
    }
    // Capabilities again: usage after the wipe is what cases start from.
    const clean = await session.capabilities();
    const results: CaseResult[] = [];
    for (const c of selected) {
      const r = await runCase(c, session, clean, opts.caseTimeoutMs ?? 15_000);
      results.push(r);
      opts.onResult?.(r);
    }
    const passed = results.filter((r) => r.ok).length;
    return { passed, failed: results.length - passed, cases: results };
  } finally {
    session.close();
  }
}

async function runCase(c: Case, session: Session, caps: v1.CapabilitiesResponse, timeoutMs: number): Promise<CaseResult> {
  const t0 = performance.now();
  const { error, notes } = await runOne(c, session, caps, timeoutMs);
  const ms = Math.round(performance.now() - t0);
  const r: CaseResult = { name: c.name, ok: error === null, ms, error };
  if (notes.length) r.note = notes.join('; ');
  return r;
}

async function runOne(c: Case, session: Session, caps: v1.CapabilitiesResponse, timeoutMs: number) {
  const ctx = new CaseContext(session, caps);
  let error: string | null = null;
  try {
    await withTimeout(c.run(ctx), timeoutMs, 'the case');
  } catch (err) {
    error = reason(err);
  }
  ctx.closeTracked();
  // Cleanup failures fail the case that left the mess: the next case must start clean.
  try {
    await withTimeout(
      (async () => {
        await session.ensurePrimary();
        await session.wipe();
      })(),
      timeoutMs,
      'cleanup',
    );
  } catch (err) {
    const msg = `cleanup after the case failed: ${reason(err)}`;
    error = error ? `${error}; ${msg}` : msg;
  }
  return { error, notes: ctx.notes };
}
