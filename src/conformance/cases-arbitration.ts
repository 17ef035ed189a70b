// Arbitration (P4Runtime-style primary election) on StreamChannel. Each case gives up the kit's
// own primary role first and uses election ids above the kit's, so the outcome does not depend
// on when the server notices the kit's stream closing; the runner takes the role back after.
import * as grpc from '@grpc/grpc-js';
import type { DriverClient, DriverStream } from '../driver/client.ts';
import { Code, codeName, type v1 } from '../driver/wire.ts';
import { expectRpcError, expectSameEntities, fail } from './assert.ts';
import type { Case, CaseContext } from './context.ts';
import { insert, remove } from './fixtures.ts';
import { CALL_MS } from './session.ts';

const NOTICE_MS = 3000;

const show = (r: v1.IArbitrationResult) => `${codeName(r.code ?? 0)} (primary ${Number(r.primaryElectionId ?? 0)})`;

/** Another client: its own channel and StreamChannel, every arbitration message kept in order. */
class Peer {
  readonly client: DriverClient;
  readonly stream: DriverStream;
  readonly got: v1.IArbitrationResult[] = [];
  private waiters: (() => void)[] = [];

  constructor(ctx: CaseContext, readonly name: string) {
    this.client = ctx.track(ctx.s.newClient());
    this.stream = ctx.track(this.client.openStream());
    this.stream.on('error', () => {});
    this.stream.on('arbitration', (r: v1.IArbitrationResult) => {
      this.got.push(r);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first message received at index >= from that satisfies `ok`, or a failure. */
  private async waitFor(from: number, ok: (r: v1.IArbitrationResult) => boolean, what: string): Promise<v1.IArbitrationResult> {
    const until = Date.now() + NOTICE_MS;
    for (;;) {
      const hit = this.got.slice(from).find(ok);
      if (hit) return hit;
      const left = until - Date.now();
      if (left <= 0) {
        const seen = this.got.slice(from).map(show).join(', ') || 'nothing';
        return fail(`${this.name}: ${what}: no such message within ${NOTICE_MS} ms (received: ${seen})`);
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => (clearTimeout(t), res()));
      });
    }
  }

  /** Sends an arbitration; its answer is the next message. */
  async arbitrate(id: number): Promise<v1.IArbitrationResult> {
    const from = this.got.length;
    this.stream.call.write({ arbitration: { electionId: id, clientName: this.name } });
    return this.waitFor(from, () => true, `answer to arbitration with election id ${id}`);
  }

  async expectArbitrate(id: number, code: Code, primary: number | null, what: string): Promise<void> {
    const r = await this.arbitrate(id);
    if ((r.code ?? 0) !== code || (primary !== null && Number(r.primaryElectionId ?? 0) !== primary)) {
      fail(`${this.name}: ${what}: expected ${codeName(code)}${primary !== null ? ` (primary ${primary})` : ''}, got ${show(r)}`);
    }
  }

  /** Waits for a notice (code, primary) received since message index `from`. */
  expectNotice(from: number, code: Code, primary: number, what: string): Promise<v1.IArbitrationResult> {
    return this.waitFor(from, (r) => (r.code ?? 0) === code && Number(r.primaryElectionId ?? 0) === primary,
      `${what}: expected a notice ${codeName(code)} (primary ${primary})`);
  }

  /** A write that must be refused as a whole with PERMISSION_DENIED. */
  async expectDenied(ctx: CaseContext, electionId: number, what: string): Promise<void> {
    const v = ctx.fx.vrf(ctx.fx.id(0x50));
    await expectRpcError(this.client.write({ electionId, updates: [insert(v)] }, CALL_MS), grpc.status.PERMISSION_DENIED, `${this.name}: ${what}`);
  }

  /** Writes that must succeed: inserts a VRF, then deletes it (two Writes: one key per batch). */
  async expectWrites(ctx: CaseContext, electionId: number, what: string): Promise<void> {
    const v = ctx.fx.vrf(ctx.fx.id(0x51));
    for (const u of [insert(v), remove(v)]) {
      let res: v1.WriteResponse;
      try {
        res = await this.client.write({ electionId, updates: [u] }, CALL_MS);
      } catch (err) {
        return fail(`${this.name}: ${what}: Write failed: ${(err as Error).message}`);
      }
      const codes = res.statuses.map((s) => codeName(s.code ?? 0));
      if (codes.join() !== 'OK') fail(`${this.name}: ${what}: expected status OK, got ${codes.join(', ') || 'none'}`);
    }
  }

  close(): void {
    this.stream.close();
    this.client.close();
  }
}

/**
 * Installs a little state, gives up the kit's primary role and waits until the server says
 * there is no primary (a client with id 0 is told NOT_FOUND). Returns that probe client and the
 * tables as they were, to compare at the end.
 */
async function withoutPrimary(ctx: CaseContext): Promise<{ probe: Peer; before: v1.IEntity[] }> {
  await ctx.install(ctx.fx.base());
  const before = await ctx.snapshot();
  ctx.s.releasePrimary();
  const probe = ctx.track(new Peer(ctx, 'client-0'));
  const until = Date.now() + NOTICE_MS;
  for (;;) {
    const r = await probe.arbitrate(0);
    if ((r.code ?? 0) === Code.NOT_FOUND && Number(r.primaryElectionId ?? 0) === 0) break;
    if ((r.code ?? 0) !== Code.ALREADY_EXISTS || Date.now() > until) {
      fail(`client-0: arbitration with election id 0 after the primary left: expected NOT_FOUND (primary 0), got ${show(r)}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return { probe, before };
}

async function expectTablesUnchanged(ctx: CaseContext, before: v1.IEntity[]): Promise<void> {
  expectSameEntities(await ctx.s.read(), before, 'tables after the arbitration exchanges');
}

export const arbitrationCases: Case[] = [
  {
    name: 'arbitration/primary-and-backups',
    async run(ctx) {
      const { probe, before } = await withoutPrimary(ctx);
      const E = ctx.s.electionId;
      const [hi, lo] = [E + 2, E + 1];
      const a = ctx.track(new Peer(ctx, 'client-a'));
      const mark = probe.got.length;
      await a.expectArbitrate(hi, Code.OK, hi, 'first client with an election id');
      await probe.expectNotice(mark, Code.ALREADY_EXISTS, hi, 'client with id 0 when a primary arrives');
      const b = ctx.track(new Peer(ctx, 'client-b'));
      await b.expectArbitrate(lo, Code.ALREADY_EXISTS, hi, 'second client with a lower election id');
      await probe.expectArbitrate(0, Code.ALREADY_EXISTS, hi, 'client with id 0 while a primary exists');
      await b.expectDenied(ctx, lo, 'Write from the backup');
      await probe.expectDenied(ctx, 0, 'Write from the id-0 backup');
      await b.expectDenied(ctx, E, 'Write with the election id of a client that left');
      await a.expectWrites(ctx, hi, 'Write from the primary');
      await expectTablesUnchanged(ctx, before);
    },
  },
  {
    name: 'arbitration/duplicate-election-id',
    async run(ctx) {
      const { before } = await withoutPrimary(ctx);
      const E = ctx.s.electionId;
      const a = ctx.track(new Peer(ctx, 'client-a'));
      await a.expectArbitrate(E + 2, Code.OK, E + 2, 'first client');
      const b = ctx.track(new Peer(ctx, 'client-b'));
      await b.expectArbitrate(E + 1, Code.ALREADY_EXISTS, E + 2, 'backup');
      const d = ctx.track(new Peer(ctx, 'client-d'));
      await d.expectArbitrate(E + 2, Code.INVALID_ARGUMENT, null, "arbitration with the primary's election id");
      await d.expectArbitrate(E + 1, Code.INVALID_ARGUMENT, null, "arbitration with a backup's election id");
      // The refused client changed nothing: the primary still writes.
      await a.expectWrites(ctx, E + 2, 'Write from the primary after the refused arbitrations');
      await expectTablesUnchanged(ctx, before);
    },
  },
  {
    name: 'arbitration/primary-leaves-no-promotion',
    async run(ctx) {
      const { probe, before } = await withoutPrimary(ctx);
      const E = ctx.s.electionId;
      const a = ctx.track(new Peer(ctx, 'client-a'));
      await a.expectArbitrate(E + 2, Code.OK, E + 2, 'first client');
      const b = ctx.track(new Peer(ctx, 'client-b'));
      await b.expectArbitrate(E + 1, Code.ALREADY_EXISTS, E + 2, 'backup');
      const [markB, markProbe] = [b.got.length, probe.got.length];
      a.close();
      await b.expectNotice(markB, Code.NOT_FOUND, 0, 'backup after the primary closed its stream');
      await probe.expectNotice(markProbe, Code.NOT_FOUND, 0, 'id-0 client after the primary closed its stream');
      await b.expectDenied(ctx, E + 1, 'Write from the backup after the primary left (backups are not promoted)');
      await b.expectDenied(ctx, E + 2, 'Write with the departed primary\'s election id');
      const mark = probe.got.length;
      await b.expectArbitrate(E + 3, Code.OK, E + 3, 'backup re-arbitrating with an id higher than every other');
      await probe.expectNotice(mark, Code.ALREADY_EXISTS, E + 3, 'id-0 client when the new primary is elected');
      await b.expectWrites(ctx, E + 3, 'Write from the new primary');
      await expectTablesUnchanged(ctx, before);
    },
  },
];
