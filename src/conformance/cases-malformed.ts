// Hostile input: messages over the size limit, bytes that are not protobuf, truncated messages,
// deep nesting, huge repeated fields. The driver must answer each with an error (never hang,
// never crash), keep serving, and leave its tables alone.
import * as grpc from '@grpc/grpc-js';
import { Code, codeName, pb, type v1 } from '../driver/wire.ts';
import { check, expectOneOf, expectRpcError, fail } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { W, insert } from './fixtures.ts';
import { CALL_MS } from './session.ts';

const WRITE = '/vrfsync.driver.v1.Driver/Write';
const READ = '/vrfsync.driver.v1.Driver/Read';

/** Statuses that mean the server died or hung rather than refused the request. */
const BROKEN = [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED];

type Outcome = { ok: true; value: Buffer } | { ok: false; err: grpc.ServiceError };

/** Sends `body` as-is as the request of a unary method; the response is left undecoded. */
function rawUnary(ctx: CaseContext, path: string, body: Buffer, deadlineMs = CALL_MS): Promise<Outcome> {
  return new Promise((resolve) => {
    ctx.s.client.grpc.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), { deadline: Date.now() + deadlineMs },
      (err, value) => resolve(err ? { ok: false, err } : { ok: true, value: value! }));
  });
}

/** Same for the server-streaming Read: resolves when the stream ends or fails. */
function rawRead(ctx: CaseContext, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = ctx.s.client.grpc.makeServerStreamRequest(READ, (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), { deadline: Date.now() + CALL_MS });
    call.on('data', () => {});
    call.on('error', (err: grpc.ServiceError) => resolve({ ok: false, err }));
    call.on('end', () => resolve({ ok: true, value: Buffer.alloc(0) }));
  });
}

/** The call must fail with an error status, not one that means a dead or hung server. */
function expectRefused(ctx: CaseContext, o: Outcome, what: string): void {
  if (o.ok) fail(`${what}: expected an RPC error, but the call succeeded`);
  if (BROKEN.includes(o.err.code)) fail(`${what}: expected a clean RPC error, got ${grpc.status[o.err.code]}: ${o.err.details}`);
  ctx.note(`${what}: ${grpc.status[o.err.code]}`);
}

/** Notes how the driver answered a call it may accept or refuse. */
function noteOutcome(ctx: CaseContext, o: Outcome, what: string): void {
  ctx.note(`${what}: ${o.ok ? 'accepted' : grpc.status[o.err.code]}`);
}

/** The driver still answers, and its tables are as they were. */
async function expectStillServing(ctx: CaseContext, before: v1.IEntity[], what: string): Promise<void> {
  try {
    await ctx.s.capabilities();
  } catch (err) {
    fail(`after ${what}: the driver no longer answers Capabilities: ${(err as Error).message}`);
  }
  await ctx.expectUnchanged(before, what);
  const v = ctx.fx.vrf(ctx.fx.id(0x60));
  const [s] = await ctx.s.write([insert(v)]);
  check((s?.code ?? 0) === Code.OK, `after ${what}: a valid INSERT failed with ${codeName(s?.code ?? 0)}`);
}

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
function noise(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 255;
  }
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function encodeWrite(req: v1.IWriteRequest): Buffer {
  return Buffer.from(pb.WriteRequest.encode(req).finish());
}

/** `req` encoded and padded to exactly `size` bytes with unknown field 1000 (bytes). */
function padded(req: v1.IWriteRequest, size: number): Buffer {
  const base = encodeWrite(req);
  const tag = varint((1000 << 3) | 2);
  for (let k = 1; k <= 5; k++) {
    const len = size - base.length - tag.length - k;
    if (len >= 0 && varint(len).length === k) return Buffer.concat([base, Buffer.from(tag), Buffer.from(varint(len)), Buffer.alloc(len, 0x61)]);
  }
  throw new Error(`cannot pad a Write to ${size} bytes`);
}

async function setup(ctx: CaseContext): Promise<v1.IEntity[]> {
  await ctx.install(ctx.fx.world());
  return ctx.snapshot();
}

export const malformedCases: Case[] = [
  {
    // The limit is max_message_bytes exactly: a Write of that size is served, one byte more is
    // refused by the transport (RESOURCE_EXHAUSTED) without touching the tables. The size is
    // made up with an unknown field, which protobuf parsers skip.
    name: 'malformed/write-size-limit',
    async run(ctx) {
      const max = ctx.caps.maxMessageBytes;
      if (max > 64 * 1024 * 1024) {
        ctx.note(`skipped: max_message_bytes ${max} is over 64 MiB`);
        return;
      }
      const before = await setup(ctx);
      const v = ctx.fx.vrf(ctx.fx.id(1), 'cf-big');
      const over = await rawUnary(ctx, WRITE, padded({ electionId: ctx.s.electionId, updates: [insert(v)] }, max + 1), CALL_MS * 3);
      if (over.ok) fail(`Write of ${max + 1} bytes (max_message_bytes ${max}): expected RPC error RESOURCE_EXHAUSTED, but it was served`);
      if (over.err.code !== grpc.status.RESOURCE_EXHAUSTED) {
        fail(`Write of ${max + 1} bytes (max_message_bytes ${max}): expected RPC error RESOURCE_EXHAUSTED, got ${grpc.status[over.err.code]}: ${over.err.details}`);
      }
      await expectStillServing(ctx, before, 'an oversized Write');
      const at = await rawUnary(ctx, WRITE, padded({ electionId: ctx.s.electionId, updates: [insert(v)] }, max), CALL_MS * 3);
      if (!at.ok) fail(`Write of exactly max_message_bytes (${max}) bytes: expected it served, got ${grpc.status[at.err.code]}: ${at.err.details}`);
      expectOneOf(pb.WriteResponse.decode(at.value).statuses[0], [Code.OK], `the update of a Write of ${max} bytes`);
    },
  },
  {
    name: 'malformed/garbage-write',
    async run(ctx) {
      const before = await setup(ctx);
      // 0x07 opens with field 0, wire type 7: invalid in any protobuf message.
      for (const [what, body] of [['invalid tag then noise', Buffer.concat([Buffer.of(0x07), noise(512)])], ['noise', noise(4096, 7)]] as const) {
        const o = await rawUnary(ctx, WRITE, body);
        // Noise might decode by chance; then it must still not change anything (no election id).
        if (what === 'invalid tag then noise') expectRefused(ctx, o, `Write with ${what} as its body`);
        else if (!o.ok && BROKEN.includes(o.err.code)) fail(`Write with ${what}: ${grpc.status[o.err.code]}: ${o.err.details}`);
        else noteOutcome(ctx, o, `Write with ${what}`);
      }
      await expectStillServing(ctx, before, 'garbage Writes');
    },
  },
  {
    name: 'malformed/truncated-write',
    async run(ctx) {
      const before = await setup(ctx);
      const valid = encodeWrite({ electionId: ctx.s.electionId, updates: [insert(ctx.fx.vrf(ctx.fx.id(1), 'cf-truncated')), insert(ctx.fx.vrf(ctx.fx.id(2), 'cf-truncated-2'))] });
      // Cut inside the second update: the first is complete, but the message as a whole is not.
      for (const cut of [valid.length - 3, Math.floor(valid.length / 2)]) {
        expectRefused(ctx, await rawUnary(ctx, WRITE, valid.subarray(0, cut)), `Write truncated to ${cut} of ${valid.length} bytes`);
      }
      await expectStillServing(ctx, before, 'truncated Writes');
    },
  },
  {
    name: 'malformed/garbage-read',
    async run(ctx) {
      const before = await setup(ctx);
      expectRefused(ctx, await rawRead(ctx, Buffer.concat([Buffer.of(0x07), noise(256)])), 'Read with an invalid tag as its body');
      const valid = Buffer.from(pb.ReadRequest.encode({ types: [1, 2, 3], vrfId: W.vrfA }).finish());
      expectRefused(ctx, await rawRead(ctx, valid.subarray(0, valid.length - 1)), 'Read with a truncated body');
      await expectStillServing(ctx, before, 'garbage Reads');
    },
  },
  {
    // A field the driver does not know (a newer client's) is skipped, as protobuf requires.
    name: 'malformed/unknown-field-ignored',
    async run(ctx) {
      await setup(ctx);
      const v = ctx.fx.vrf(ctx.fx.id(1), 'cf-unknown-field');
      const body = Buffer.concat([encodeWrite({ electionId: ctx.s.electionId, updates: [insert(v)] }), Buffer.from([...varint((1000 << 3) | 0), 1])]);
      const o = await rawUnary(ctx, WRITE, body);
      if (!o.ok) fail(`Write with an unknown field 1000: expected success, got ${grpc.status[o.err.code]}: ${o.err.details}`);
      const res = pb.WriteResponse.decode(o.value);
      expectOneOf(res.statuses[0], [Code.OK], 'the update of a Write with an unknown field');
      check((await ctx.s.read({ types: [1] })).some((e) => e.vrf?.id === v.vrf!.id), 'the VRF written with an unknown field is not installed');
    },
  },
  {
    // 100k nested unknown groups: a recursive parser without a depth limit overflows its stack.
    name: 'malformed/deep-nesting',
    async run(ctx) {
      const before = await setup(ctx);
      const depth = 100_000;
      const start = varint((999 << 3) | 3);
      const end = varint((999 << 3) | 4);
      const nest = Buffer.concat([Buffer.from(Array(depth).fill(start).flat()), Buffer.from(Array(depth).fill(end).flat())]);
      const body = Buffer.concat([encodeWrite({ electionId: ctx.s.electionId, updates: [] }), nest]);
      const o = await rawUnary(ctx, WRITE, body);
      // Either refused, or accepted as an empty batch: both fine, as long as it answers.
      if (!o.ok && BROKEN.includes(o.err.code)) fail(`Write with ${depth} nested groups: ${grpc.status[o.err.code]}: ${o.err.details}`);
      noteOutcome(ctx, o, `${depth} nested groups`);
      if (o.ok && pb.WriteResponse.decode(o.value).statuses.length !== 0) fail(`Write with no updates (and ${depth} nested unknown groups) returned statuses`);
      await expectStillServing(ctx, before, 'a deeply nested Write');
    },
  },
  {
    name: 'malformed/group-with-100k-members',
    async run(ctx) {
      const before = await setup(ctx);
      const members = Array.from({ length: 100_000 }, () => ({ nextHopId: W.nh4, weight: 1 }));
      const req = { electionId: ctx.s.electionId, updates: [insert({ nextHopGroup: { id: ctx.fx.id(4), members } })] };
      const what = 'INSERT of a group with 100000 members';
      try {
        const res = await ctx.s.client.write(req, CALL_MS * 2);
        expectOneOf(res.statuses[0], [Code.INVALID_ARGUMENT, Code.RESOURCE_EXHAUSTED], what);
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (e.code !== grpc.status.INVALID_ARGUMENT && e.code !== grpc.status.RESOURCE_EXHAUSTED) {
          fail(`${what}: expected INVALID_ARGUMENT or RESOURCE_EXHAUSTED, got RPC error ${grpc.status[e.code] ?? e.code}: ${e.details ?? e.message}`);
        }
      }
      await expectStillServing(ctx, before, 'a huge group');
    },
  },
  {
    name: 'malformed/read-with-100k-filters',
    async run(ctx) {
      const before = await setup(ctx);
      const types = Array.from({ length: 100_000 }, (_, i) => 1 + (i % 6));
      try {
        const got = await ctx.s.read({ types });
        check(got.length === before.length, `Read with 100000 type filters returned ${got.length} entities, expected all ${before.length}`);
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (typeof e.code !== 'number' || BROKEN.includes(e.code)) fail(`Read with 100000 type filters: ${e.message}`);
      }
      await expectStillServing(ctx, before, 'a Read with a huge filter');
    },
  },
];
