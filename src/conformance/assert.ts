// Assertions for conformance cases. Every failure message names what the contract expects and
// what the driver did, so a vendor can act on the report without reading the kit's source.
import * as grpc from '@grpc/grpc-js';
import { Code, codeName, type v1 } from '../driver/wire.ts';
import { canon, describe } from './entities.ts';

/** A contract violation found by a case. */
export class CaseFailure extends Error {}

export function fail(message: string): never {
  throw new CaseFailure(message);
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) fail(message);
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

function statusText(s: v1.IUpdateStatus | undefined): string {
  if (!s) return 'no status';
  const code = codeName(s.code ?? Code.OK);
  return s.message ? `${code} (${s.message})` : code;
}

/** Per-update statuses must be exactly `codes` (one per update, in order). */
export function expectStatuses(statuses: v1.IUpdateStatus[], codes: Code[], what = 'write'): void {
  if (statuses.length !== codes.length) {
    fail(`${what}: expected ${codes.length} statuses (one per update), got ${statuses.length}`);
  }
  codes.forEach((code, i) => {
    const got = statuses[i]!.code ?? Code.OK;
    if (got !== code) fail(`${what}: update ${i}: expected ${codeName(code)}, got ${statusText(statuses[i])}`);
  });
}

/** One status of `codes` (any of them) at index 0; used where the contract leaves a choice. */
export function expectOneOf(status: v1.IUpdateStatus | undefined, codes: Code[], what: string): Code {
  const got = status?.code ?? Code.OK;
  if (!status || !codes.includes(got)) {
    fail(`${what}: expected ${codes.map(codeName).join(' or ')}, got ${statusText(status)}`);
  }
  return got;
}

/** Runs a call that must fail as a whole with gRPC status `code` (or one of `code`). */
export async function expectRpcError(call: Promise<unknown>, code: grpc.status | grpc.status[], what: string): Promise<grpc.ServiceError> {
  const codes = Array.isArray(code) ? code : [code];
  const names = codes.map((c) => grpc.status[c]).join(' or ');
  let result: unknown;
  try {
    result = await call;
  } catch (err) {
    const e = err as grpc.ServiceError;
    if (typeof e.code !== 'number') fail(`${what}: expected RPC error ${names}, got ${String(err)}`);
    if (!codes.includes(e.code)) fail(`${what}: expected RPC error ${names}, got ${grpc.status[e.code] ?? e.code}: ${e.details}`);
    return e;
  }
  const statuses = (result as { statuses?: v1.IUpdateStatus[] } | undefined)?.statuses;
  const extra = statuses ? ` (statuses: ${statuses.map((s) => codeName(s.code ?? 0)).join(', ') || 'none'})` : '';
  return fail(`${what}: expected RPC error ${names}, but the call succeeded${extra}`);
}

/** Two entity lists hold the same entities; with `ordered`, in the same order too. */
export function expectSameEntities(actual: v1.IEntity[], expected: v1.IEntity[], what: string, ordered = false): void {
  const a = actual.map((e) => ({ key: canon(e), e }));
  const x = expected.map((e) => ({ key: canon(e), e }));
  if (ordered) {
    const i = a.findIndex((y, k) => y.key !== x[k]?.key);
    if (i < 0 && a.length === x.length) return;
    if (i >= 0 && i < x.length) fail(`${what}: entity ${i}: expected ${describe(x[i]!.e)}, got ${describe(a[i]!.e)}`);
  }
  const missing = multisetMinus(x, a);
  const unexpected = multisetMinus(a, x);
  if (!missing.length && !unexpected.length) return;
  const show = (ys: Keyed[]) =>
    ys.slice(0, 3).map((y) => describe(y.e)).join('; ') + (ys.length > 3 ? `; and ${ys.length - 3} more` : '');
  const parts = [`${what}: expected ${x.length} entities, got ${a.length}`];
  if (missing.length) parts.push(`missing or different: ${show(missing)}`);
  if (unexpected.length) parts.push(`unexpected: ${show(unexpected)}`);
  fail(parts.join('; '));
}

interface Keyed { key: string; e: v1.IEntity }

function multisetMinus(xs: Keyed[], ys: Keyed[]): Keyed[] {
  const counts = new Map<string, number>();
  for (const y of ys) counts.set(y.key, (counts.get(y.key) ?? 0) + 1);
  const out: Keyed[] = [];
  for (const x of xs) {
    const n = counts.get(x.key) ?? 0;
    if (n > 0) counts.set(x.key, n - 1);
    else out.push(x);
  }
  return out;
}
