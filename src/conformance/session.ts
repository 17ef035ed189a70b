// The kit's connection to the driver under test: a primary StreamChannel, deadline-bound calls
// (a hung driver fails a case instead of hanging the suite) and the wipe that runs before the
// suite and after every case. It uses only Driver RPCs, so it works against any vendor driver.
import * as grpc from '@grpc/grpc-js';
import { DriverClient, type ClientOptions, type DriverStream } from '../driver/client.ts';
import { Code, codeName, pb, type v1 } from '../driver/wire.ts';
import { KINDS, kindOf, describe } from './entities.ts';
import { remove } from './fixtures.ts';

/** Deadline of an ordinary call, ms. Generous: hwsim answers in well under 100 ms. */
export const CALL_MS = 5000;

export interface SessionOptions {
  address: string;
  client: ClientOptions;
  electionId: number;
  clientName?: string;
}

/** Could not start: unreachable driver, not primary, first wipe failed. Exit status 2. */
export class SetupError extends Error {}

type ReadCall = (req: v1.IReadRequest, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<v1.ReadResponse>;

export class Session {
  readonly client: DriverClient;
  private stream: DriverStream | null = null;

  constructor(readonly options: SessionOptions) {
    this.client = new DriverClient(options.address, options.client);
  }

  get electionId(): number {
    return this.options.electionId;
  }

  /**
   * A separate client on its own channel and connection (grpc-js shares one connection between
   * channels to the same address otherwise): another "controller" for arbitration cases.
   */
  newClient(): DriverClient {
    const o = this.options.client ?? {};
    return new DriverClient(this.options.address, { ...o, channelOptions: { ...o.channelOptions, 'grpc.use_local_subchannel_pool': 1 } });
  }

  async connect(timeoutMs = 5000): Promise<v1.CapabilitiesResponse> {
    try {
      await this.client.waitForReady(timeoutMs);
      return await this.client.capabilities(CALL_MS);
    } catch (err) {
      throw new SetupError(`cannot reach the driver at ${this.options.address}: ${(err as Error).message}`);
    }
  }

  /**
   * Makes sure this session is the primary: re-arbitrates on its stream (or a new one when the
   * stream ended). Retries briefly, since a server may notice a closed competitor late.
   */
  async ensurePrimary(timeoutMs = 3000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      if (this.stream?.lastArbitration?.code === Code.OK && this.streamAlive()) return;
      if (!this.streamAlive()) {
        this.stream?.close();
        this.stream = this.client.openStream();
        this.stream.on('error', () => {}); // ends the stream; noticed on the next check
      }
      try {
        const r = await this.stream!.arbitrate(this.electionId, this.options.clientName ?? 'vrfsync-conformance', CALL_MS);
        if ((r.code ?? Code.OK) === Code.OK) return;
        last = `arbitration with election id ${this.electionId} answered ${codeName(r.code)} (primary is ${r.primaryElectionId}): ${r.message}`;
      } catch (err) {
        last = `arbitration failed: ${(err as Error).message}`;
        this.stream?.close();
        this.stream = null;
      }
      if (Date.now() > until) throw new SetupError(`cannot become primary: ${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private streamAlive(): boolean {
    const call = this.stream?.call;
    return Boolean(call && !call.destroyed && call.readable && call.writable);
  }

  /** Gives up the primary role (closes the stream); ensurePrimary takes it back. */
  releasePrimary(): void {
    this.stream?.close();
    this.stream = null;
  }

  capabilities(): Promise<v1.CapabilitiesResponse> {
    return this.client.capabilities(CALL_MS);
  }

  /** A Write as the primary; rejects on a whole-call error. */
  async write(updates: v1.IUpdate[], continueOnError = false, deadlineMs = CALL_MS): Promise<v1.IUpdateStatus[]> {
    const res = await this.client.write({ electionId: this.electionId, updates, continueOnError }, deadlineMs);
    return res.statuses ?? [];
  }

  /** Writes updates that must all succeed (setup inside a case), in batches the driver accepts. */
  async apply(updates: v1.IUpdate[], what = 'setup'): Promise<void> {
    const max = Math.max(1, this.maxUpdates);
    for (let i = 0; i < updates.length; i += max) {
      const batch = updates.slice(i, i + max);
      const statuses = await this.write(batch, false, CALL_MS * 2);
      const bad = statuses.findIndex((s) => (s.code ?? Code.OK) !== Code.OK);
      if (bad >= 0 || statuses.length !== batch.length) {
        const s = statuses[bad];
        const e = batch[bad]?.entity;
        throw new Error(`${what}: ${bad >= 0 ? `${codeName(s!.code ?? 0)} for ${e ? describe(e) : 'update'}: ${s!.message}` : `${statuses.length} statuses for ${batch.length} updates`}`);
      }
    }
  }

  maxUpdates = 1000;

  /** Read with a deadline; `onChunk` sees each ReadResponse (for the message size check). */
  async read(req: v1.IReadRequest = {}, onChunk?: (c: v1.ReadResponse) => void, deadlineMs = CALL_MS * 2): Promise<v1.Entity[]> {
    const call = (this.client.grpc as unknown as { read: ReadCall }).read.call(this.client.grpc, req, new grpc.Metadata(), {
      deadline: Date.now() + deadlineMs,
    });
    const out: v1.Entity[] = [];
    for await (const chunk of call as AsyncIterable<v1.ReadResponse>) {
      onChunk?.(chunk);
      out.push(...(chunk.entities as v1.Entity[]));
    }
    return out;
  }

  /**
   * Deletes every installed entity, routes first and VRFs last (kinds sorted here rather than
   * trusting the driver's Read order, so a wrong order cannot block the cleanup).
   */
  async wipe(): Promise<void> {
    const all = await this.read();
    const byKind = new Map(KINDS.map((k) => [k, [] as v1.IEntity[]]));
    for (const e of all) {
      const k = kindOf(e);
      if (!k) throw new Error(`Read returned an entity with no kind set: ${JSON.stringify(pb.Entity.toObject(e as v1.Entity))}`);
      byKind.get(k)!.push(e);
    }
    const deletes = [...KINDS].reverse().flatMap((k) => byKind.get(k)!.map(remove));
    await this.apply(deletes, 'wipe');
    const left = await this.read();
    if (left.length) throw new Error(`wipe: ${left.length} entities still installed after deleting them all, e.g. ${describe(left[0]!)}`);
  }

  close(): void {
    this.stream?.close();
    this.stream = null;
    this.client.close();
  }
}
