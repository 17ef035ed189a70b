// The agent's one connection to its driver, kept up for the life of the agent.
//
// What belongs here: the channel and its StreamChannel, arbitration as the contract has it
// (re-arbitrate when told there is no primary), reconnecting with backoff, and pacing Writes
// (started in call order, at most maxInflight at once). What does not: deciding what to write.
// A new boot epoch, a lost primary role or a failed Write is reported to the caller, which owns
// the state and decides what to write again.
import { EventEmitter, setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import PQueue from 'p-queue';
import { DriverClient, type DriverStream } from './client.ts';
import { parseAddress, type DriverAddress, type TlsOptions } from './address.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { NotConnectedError, SessionClosedError, WriteCallError } from './session-errors.ts';
import { Code, codeName, type v1 } from './wire.ts';
import { encodeWriteRequest, type EncodedUpdates } from './update-encoder.ts';
import { OK_STATUS } from './write-response.ts';

export type Role = 'primary' | 'backup';

/** The part of a pino logger the session uses. */
export interface SessionLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DriverSessionOptions {
  tls?: TlsOptions;
  /** Sent on the StreamChannel and with every Write. Non-zero to ever be primary. */
  electionId: number;
  clientName?: string;
  /** Writes in flight at once (default 4). */
  maxInflight?: number;
  /** Deadline of one Write, ms (default 30 s). */
  writeDeadlineMs?: number;
  /** Delays between connection attempts. */
  backoff?: BackoffOptions;
  logger?: SessionLogger;
}

export interface SessionStats {
  /** Write calls sent to the driver. */
  writes: number;
  /** Updates in those calls. */
  updatesSent: number;
  /** Successful connects after the first one. */
  reconnects: number;
  /** Write calls sent that produced no per-update statuses (refusals before sending excluded). */
  wholeCallFailures: number;
}

export interface ConnectedEvent {
  capabilities: v1.CapabilitiesResponse;
  role: Role;
}

export type DriverSessionEvents = {
  connected: [ConnectedEvent];
  role: [Role];
  /** The new boot epoch: the device's tables were wiped. */
  reset: [number];
  disconnected: [string];
  port: [v1.IPortEvent];
  tableUsage: [v1.ITableUsageEvent];
};

/** Deadline of each step of a connect (channel ready, arbitration answer, Capabilities), ms. */
const STEP_MS = 5000;

const silent: SessionLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** One channel and its StreamChannel, from the first connect step until it breaks. */
interface Link {
  client: DriverClient;
  stream: DriverStream | null;
  /** Became the session's connection; before that, events are held. */
  adopted: boolean;
  dropped: boolean;
  /** Events that came before the link was adopted, replayed after 'connected'. */
  held: Array<() => void>;
  /** An arbitration was sent and its answer has not come: a NOT_FOUND then is no news. */
  awaitingAnswer: boolean;
  role: Role;
  /** Re-arbitration after our id was refused as in use (maybe by our own stream, not yet gone). */
  retry: NodeJS.Timeout | null;
  retryBackoff: Backoff;
}

/**
 * Events: 'connected' after every (re)connect, then the held 'port', 'tableUsage' and 'reset'
 * events of the connect, then 'role' if the role differs from the last one announced.
 * 'role' fires whenever `role` changes, whatever the cause: an arbitration notice, a
 * disconnect (backup) or a reconnect. 'disconnected' fires when an established connection
 * breaks; the session then reconnects on its own. Nothing is emitted after close().
 */
export class DriverSession extends EventEmitter<DriverSessionEvents> {
  readonly address: DriverAddress;
  readonly electionId: number;
  readonly clientName: string;
  readonly writeDeadlineMs: number;
  /** Latest boot epoch known, from Capabilities or a DeviceReset; null before connecting. */
  bootEpoch: number | null = null;

  private readonly tls: TlsOptions | undefined;
  private readonly log: SessionLogger;
  private readonly backoffOptions: BackoffOptions;
  private readonly backoff: Backoff;
  private readonly queue: PQueue;
  private readonly closing = new AbortController();
  private readonly counters: SessionStats = { writes: 0, updatesSent: 0, reconnects: 0, wholeCallFailures: 0 };
  private link: Link | null = null;
  private announced: Role = 'backup';
  private lastCapabilities: v1.CapabilitiesResponse | null = null;
  private everConnected = false;
  private started: Promise<void> | null = null;
  private settleStart: { resolve(): void; reject(err: Error): void } | null = null;

  constructor(address: string | DriverAddress, options: DriverSessionOptions) {
    super();
    this.address = typeof address === 'string' ? parseAddress(address) : address;
    this.electionId = options.electionId;
    this.clientName = options.clientName ?? 'vrfsync';
    this.writeDeadlineMs = options.writeDeadlineMs ?? 30_000;
    this.tls = options.tls;
    this.log = options.logger ?? silent;
    // Cleartext TCP is allowed only when said explicitly, and never silently.
    if (this.address.kind === 'tcp' && this.tls?.insecure) this.log.warn({ address: this.address.target }, 'talking to the driver without TLS (--insecure)');
    this.backoffOptions = options.backoff ?? {};
    this.backoff = new Backoff(this.backoffOptions);
    this.queue = new PQueue({ concurrency: options.maxInflight ?? 4 });
    // Every write, read and connect step in flight listens for close; that is bounded, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  get connected(): boolean {
    return this.link !== null;
  }

  get role(): Role {
    return this.link?.role ?? 'backup';
  }

  /** The last Capabilities answer, or null before the first connect. */
  get capabilities(): v1.CapabilitiesResponse | null {
    return this.lastCapabilities;
  }

  get stats(): SessionStats {
    return { ...this.counters };
  }

  /** Writes started and not finished. */
  get inflight(): number {
    return this.queue.pending;
  }

  /** Writes waiting for a slot. */
  get queued(): number {
    return this.queue.size;
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Connects, and keeps connected until close(). Resolves after the first successful connect;
   * rejects (SessionClosedError) only when closed before that.
   */
  start(): Promise<void> {
    if (!this.started) {
      this.started = new Promise((resolve, reject) => (this.settleStart = { resolve, reject }));
      if (this.closed) this.settleStart!.reject(new SessionClosedError('the session was closed before it connected'));
      else void this.connectLoop(false);
    }
    return this.started;
  }

  /**
   * One Write with this session's election id. Resolves with one status per update (code always
   * set); rejects with WriteCallError when the whole call fails, or at once when this session is
   * not connected or not primary.
   */
  write(updates: v1.IUpdate[] | EncodedUpdates, opts: { continueOnError?: boolean } = {}): Promise<v1.IUpdateStatus[]> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    return this.queue.add(() => this.send(updates, opts.continueOnError ?? false));
  }

  /** Resolves when no write is in flight or queued: the barrier between dependent batches. */
  drain(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Reads through the current connection; NotConnectedError without one. */
  async *read(req: v1.IReadRequest = {}): AsyncGenerator<v1.IEntity> {
    yield* this.currentClient().read(req, this.closing.signal);
  }

  readAll(req: v1.IReadRequest = {}): Promise<v1.IEntity[]> {
    try {
      return this.currentClient().readAll(req, this.closing.signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Stops reconnecting, ends the stream and closes the channel. Queued writes reject, writes in
   * flight are cancelled (and reject); resolves once all of them have settled.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closing.abort(new SessionClosedError('the session is closed'));
      this.settleStart?.reject(new SessionClosedError('the session was closed before it connected'));
      const link = this.link;
      this.link = null;
      if (link) this.drop(link);
    }
    await this.queue.onIdle();
  }

  // --- connecting -----------------------------------------------------------------------------

  private async connectLoop(waitFirst: boolean): Promise<void> {
    let failures = 0;
    let wait = waitFirst;
    while (!this.closed) {
      if (wait) await delay(this.backoff.next(), undefined, { signal: this.closing.signal }).catch(() => {});
      wait = true;
      if (this.closed) return;
      let connected: { link: Link; capabilities: v1.CapabilitiesResponse };
      try {
        connected = await this.connectOnce();
      } catch (err) {
        if (this.closed) return;
        failures++;
        // The first failure in a row is news; the next ones would flood the log while the driver is down.
        const fields = { err, address: this.address.target, failures };
        if (failures === 1) this.log.warn(fields, 'cannot connect to the driver; retrying with backoff');
        else this.log.debug(fields, 'cannot connect to the driver; retrying with backoff');
        continue;
      }
      // close() may have run between the last step's answer and here.
      if (this.closed) this.drop(connected.link);
      else this.adopt(connected.link, connected.capabilities, failures);
      return;
    }
  }

  /**
   * Channel ready, StreamChannel open, arbitration answered, then Capabilities. Capabilities
   * comes after the arbitration answer on purpose: the answer proves the driver has registered
   * the stream, so a reset after the Capabilities answer reaches us as an event, and one before
   * it shows in its boot epoch. Asked before the stream, a reset in between would be lost.
   */
  private async connectOnce(): Promise<{ link: Link; capabilities: v1.CapabilitiesResponse }> {
    // A fresh channel with its own subchannel, so that our backoff is the only one: a shared
    // subchannel would still be waiting out grpc-js's reconnect backoff (up to 2 minutes).
    const client = new DriverClient(this.address, { tls: this.tls, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
    const link: Link = {
      client, stream: null, adopted: false, dropped: false, held: [], awaitingAnswer: false,
      role: 'backup', retry: null, retryBackoff: new Backoff(this.backoffOptions),
    };
    try {
      await this.untilClosed(client.connect(STEP_MS));
      const stream = client.openStream();
      link.stream = stream;
      const ended = new Promise<never>((_, reject) => {
        stream.once('error', reject);
        stream.once('end', () => reject(new Error('the driver ended the stream channel')));
      });
      ended.catch(() => {});
      this.listen(link, stream);
      link.awaitingAnswer = true;
      await this.untilClosed(Promise.race([stream.arbitrate(this.electionId, this.clientName, STEP_MS), ended]));
      const capabilities = await this.untilClosed(Promise.race([client.capabilities(STEP_MS), ended]));
      return { link, capabilities };
    } catch (err) {
      this.drop(link);
      throw err;
    }
  }

  private adopt(link: Link, capabilities: v1.CapabilitiesResponse, failures: number): void {
    link.adopted = true;
    this.link = link;
    this.lastCapabilities = capabilities;
    this.bootEpoch = Number(capabilities.bootEpoch);
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.backoff.reset();
    this.log.info({ address: this.address.target, role: link.role, bootEpoch: this.bootEpoch, failures }, 'connected to the driver');
    this.settleStart?.resolve();
    this.emit('connected', { capabilities, role: link.role });
    const held = link.held;
    link.held = [];
    for (const replay of held) if (this.link === link) replay();
    if (this.link === link) this.announceRole();
  }

  /** Wires a stream's events; each handler first checks that its link is still the one that counts. */
  private listen(link: Link, stream: DriverStream): void {
    stream.on('arbitration', (r: v1.IArbitrationResult) => this.onArbitration(link, r));
    stream.on('port', (e: v1.IPortEvent) => this.relay(link, () => this.emit('port', e)));
    stream.on('tableUsage', (e: v1.ITableUsageEvent) => this.relay(link, () => this.emit('tableUsage', e)));
    stream.on('reset', (e: v1.IDeviceReset) => this.relay(link, () => this.onReset(Number(e.bootEpoch ?? 0))));
    stream.on('error', (err: Error) => this.onBroken(link, `stream channel failed: ${err.message}`));
    stream.on('end', () => this.onBroken(link, 'the driver ended the stream channel'));
  }

  private relay(link: Link, event: () => void): void {
    if (link.dropped) return;
    if (link.adopted) event();
    else link.held.push(event);
  }

  /** A reset whose epoch Capabilities already reported (it came during the connect) is no news. */
  private onReset(epoch: number): void {
    if (epoch === this.bootEpoch) return;
    this.bootEpoch = epoch;
    this.log.warn({ bootEpoch: epoch }, 'the device reset: its tables are empty');
    this.emit('reset', epoch);
  }

  private onBroken(link: Link, reason: string): void {
    if (link.dropped) return;
    this.drop(link);
    // A link still connecting fails its connect step instead (its `ended` promise).
    if (this.link !== link) return;
    this.link = null;
    this.log.warn({ address: this.address.target, reason }, 'lost the driver connection; reconnecting');
    this.emit('disconnected', reason);
    this.announceRole();
    void this.connectLoop(true);
  }

  private drop(link: Link): void {
    if (link.dropped) return;
    link.dropped = true;
    if (link.retry) clearTimeout(link.retry);
    link.stream?.close();
    link.client.close();
  }

  // --- arbitration ----------------------------------------------------------------------------

  private onArbitration(link: Link, result: v1.IArbitrationResult): void {
    if (link.dropped) return;
    const code = result.code ?? Code.OK;
    const answer = link.awaitingAnswer;
    link.awaitingAnswer = false;
    link.role = code === Code.OK ? 'primary' : 'backup';
    if (code === Code.INVALID_ARGUMENT) {
      // Our id is in use: by another agent (a misconfiguration) or by our own previous stream
      // that the driver has not seen close yet. Ask again later; the second case heals.
      const wait = link.retryBackoff.next();
      this.log.warn({ electionId: this.electionId, retryMs: wait, message: result.message }, 'election id refused as in use; arbitrating again later');
      if (link.retry) clearTimeout(link.retry);
      link.retry = setTimeout(() => {
        link.retry = null;
        this.arbitrate(link);
      }, wait);
    } else {
      link.retryBackoff.reset();
      // The primary left. Nobody is promoted: whoever wants it asks again, and the highest id
      // wins. Only a notice is news; a NOT_FOUND answering our own request means a higher id
      // is connected, and asking again would loop.
      if (code === Code.NOT_FOUND && !answer && this.electionId !== 0) {
        this.log.info({ electionId: this.electionId }, 'the driver has no primary; arbitrating again');
        this.arbitrate(link);
      }
    }
    this.log.debug({ code: codeName(code), primaryElectionId: Number(result.primaryElectionId ?? 0), answer }, 'arbitration result');
    if (link.adopted && this.link === link) this.announceRole();
  }

  private arbitrate(link: Link): void {
    if (link.dropped || !link.stream) return;
    link.awaitingAnswer = true;
    // The answer arrives through onArbitration like every notice; only a failure to get one matters here.
    link.stream.arbitrate(this.electionId, this.clientName, STEP_MS).catch((err: Error) => {
      if (!link.dropped) this.log.warn({ err }, 'no answer to an arbitration');
    });
  }

  private announceRole(): void {
    const role = this.role;
    if (role === this.announced) return;
    this.announced = role;
    this.log.info({ role, electionId: this.electionId }, `now ${role}`);
    this.emit('role', role);
  }

  // --- writes ---------------------------------------------------------------------------------

  /** Why a write cannot be sent now, as the driver would say it; null when it can. */
  private refusal(): WriteCallError | null {
    if (this.closed) return new WriteCallError('write refused: the session is closed', grpc.status.CANCELLED, false);
    if (!this.link) return new WriteCallError('write refused: not connected to the driver', grpc.status.UNAVAILABLE, true);
    if (this.link.role !== 'primary') {
      return new WriteCallError(`write refused: election id ${this.electionId} is not the primary`, grpc.status.PERMISSION_DENIED, true);
    }
    return null;
  }

  private async send(updates: v1.IUpdate[] | EncodedUpdates, continueOnError: boolean): Promise<v1.IUpdateStatus[]> {
    // Checked again: the connection or the role may have gone while this write waited its turn.
    const refusal = this.refusal();
    if (refusal) throw refusal;
    const { client } = this.link!;
    this.counters.writes++;
    const count = Array.isArray(updates) ? updates.length : updates.count;
    this.counters.updatesSent += count;
    let res: v1.WriteResponse;
    try {
      const req = Array.isArray(updates)
        ? { electionId: this.electionId, updates, continueOnError }
        : encodeWriteRequest(this.electionId, updates, continueOnError);
      res = await client.write(req, this.writeDeadlineMs, this.closing.signal);
    } catch (err) {
      this.counters.wholeCallFailures++;
      throw WriteCallError.fromCall(err, this.closed);
    }
    const statuses = res.statuses ?? [];
    if (statuses.length !== count) {
      this.counters.wholeCallFailures++;
      throw new WriteCallError(`write failed: the driver answered ${statuses.length} statuses for ${count} updates`, null, false);
    }
    // decodeWriteResponse gives OK statuses as one shared object; others are normalized too.
    return statuses.map((s) => (s === OK_STATUS ? s : { code: s.code ?? Code.OK, message: s.message ?? '', usage: s.usage ?? null }));
  }

  // --- helpers --------------------------------------------------------------------------------

  private currentClient(): DriverClient {
    if (this.closed) throw new NotConnectedError('the session is closed');
    if (!this.link) throw new NotConnectedError(`not connected to the driver at ${this.address.target}`);
    return this.link.client;
  }

  /** `p`, or a rejection as soon as the session closes: no connect step outlives close(). */
  private untilClosed<T>(p: Promise<T>): Promise<T> {
    const signal = this.closing.signal;
    return new Promise<T>((resolve, reject) => {
      const onClose = () => reject(signal.reason as Error);
      if (signal.aborted) onClose();
      else signal.addEventListener('abort', onClose, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onClose);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onClose);
          reject(err);
        },
      );
    });
  }
}
