// A typed client of the driver contract (vrfsync.driver.v1.Driver) and of hwsim's Simulator.
// Every vrfsync command that talks to hardware goes through here: the same API a third party
// would use.
import { EventEmitter, once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { DriverService, SimulatorService, pb, simpb, type v1, type simv1 } from './wire.ts';
import { decodeWriteResponse } from './write-response.ts';
import { parseAddress, channelCredentials, channelOptions, type DriverAddress, type TlsOptions } from './address.ts';

export interface ClientOptions {
  tls?: TlsOptions;
  /** Largest message accepted from the driver (bytes). */
  maxReceiveBytes?: number;
  /** Largest message sent (bytes); grpc-js refuses bigger ones locally. */
  maxSendBytes?: number;
  /** Further grpc-js channel options. They cannot override the size limits or the keepalive. */
  channelOptions?: grpc.ChannelOptions;
}

// Write also takes a request already encoded (update-encoder.ts), and its answer's OK statuses
// are one shared object (write-response.ts): the full-sync path.
const writeSerialize = DriverService.write.requestSerialize;
const DriverStub = grpc.makeGenericClientConstructor({
  ...DriverService,
  write: {
    ...DriverService.write,
    requestSerialize: (r: v1.IWriteRequest | Buffer) => (Buffer.isBuffer(r) ? r : writeSerialize(r as v1.WriteRequest)),
    responseDeserialize: decodeWriteResponse,
  },
}, 'Driver');
const SimulatorStub = grpc.makeGenericClientConstructor(SimulatorService, 'Simulator');

type Unary<Req, Res> = (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;

/** One unary call; aborting `signal` cancels it (the call then fails with CANCELLED). */
function unary<Req, Res>(client: grpc.Client, name: string, req: Req, deadlineMs?: number, signal?: AbortSignal): Promise<Res> {
  const fn = (client as unknown as Record<string, Unary<Req, Res>>)[name]!.bind(client);
  const opts: grpc.CallOptions = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
  return new Promise((resolve, reject) => {
    const cancel = () => call.cancel();
    const call = fn(req, new grpc.Metadata(), opts, (err, res) => {
      signal?.removeEventListener('abort', cancel);
      if (err) reject(err);
      else resolve(res!);
    });
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
  });
}

function makeOptions(o: ClientOptions): grpc.ChannelOptions {
  return {
    ...o.channelOptions,
    ...channelOptions(o.tls ?? {}),
    'grpc.max_receive_message_length': o.maxReceiveBytes ?? 64 * 1024 * 1024,
    'grpc.max_send_message_length': o.maxSendBytes ?? -1,
    // Ping an idle connection every 20 s; default servers accept that while a stream is open.
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
  };
}

export class DriverClient {
  readonly address: DriverAddress;
  readonly grpc: grpc.Client;

  constructor(address: string | DriverAddress, options: ClientOptions = {}) {
    this.address = typeof address === 'string' ? parseAddress(address) : address;
    const tls = options.tls ?? {};
    this.grpc = new DriverStub(this.address.target, channelCredentials(this.address, tls), makeOptions(options));
  }

  /** Resolves once connected, rejects after `timeoutMs`. */
  waitForReady(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.grpc.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve())),
    );
  }

  /**
   * Resolves once connected, like waitForReady, but rejects as soon as a connection attempt
   * fails instead of waiting out grpc-js's own reconnect backoff: a caller with its own retry
   * policy wants to know now.
   */
  connect(timeoutMs = 5000): Promise<void> {
    const channel = this.grpc.getChannel();
    const deadline = Date.now() + timeoutMs;
    const where = this.address.target;
    return new Promise((resolve, reject) => {
      const check = () => {
        const state = channel.getConnectivityState(true);
        if (state === grpc.connectivityState.READY) resolve();
        else if (state === grpc.connectivityState.TRANSIENT_FAILURE) reject(new Error(`cannot connect to ${where}`));
        else if (state === grpc.connectivityState.SHUTDOWN) reject(new Error(`channel to ${where} closed`));
        else {
          channel.watchConnectivityState(state, deadline, (err) =>
            err ? reject(new Error(`not connected to ${where} within ${timeoutMs} ms`)) : check(),
          );
        }
      };
      check();
    });
  }

  capabilities(deadlineMs?: number): Promise<v1.CapabilitiesResponse> {
    return unary(this.grpc, 'capabilities', pb.CapabilitiesRequest.create(), deadlineMs);
  }

  /**
   * A request object, or one already encoded (encodeWriteRequest). Aborting `signal` cancels the
   * call: it rejects with CANCELLED, applied or not.
   */
  write(req: v1.IWriteRequest | Buffer, deadlineMs?: number, signal?: AbortSignal): Promise<v1.WriteResponse> {
    return unary(this.grpc, 'write', req, deadlineMs, signal);
  }

  /** Every entity the driver streams back, chunk boundaries removed. Aborting `signal` cancels. */
  async *read(req: v1.IReadRequest = {}, signal?: AbortSignal): AsyncGenerator<v1.IEntity> {
    signal?.throwIfAborted();
    const call = (this.grpc as unknown as { read(r: v1.IReadRequest): grpc.ClientReadableStream<v1.ReadResponse> }).read(req);
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let finished = false;
    try {
      for await (const chunk of call as AsyncIterable<v1.ReadResponse>) yield* chunk.entities;
      finished = true;
    } finally {
      signal?.removeEventListener('abort', cancel);
      // A consumer that stops early would leave the call streaming otherwise. The CANCELLED
      // status then arrives as an 'error' nobody reads any more: swallow it.
      if (!finished) {
        call.on('error', () => {});
        call.cancel();
      }
    }
  }

  async readAll(req: v1.IReadRequest = {}, signal?: AbortSignal): Promise<v1.IEntity[]> {
    const out: v1.IEntity[] = [];
    for await (const e of this.read(req, signal)) out.push(e);
    return out;
  }

  /** Opens the StreamChannel; arbitrate on it to become primary. */
  openStream(): DriverStream {
    const call = (this.grpc as unknown as {
      streamChannel(): grpc.ClientDuplexStream<v1.IStreamMessageRequest, v1.StreamMessageResponse>;
    }).streamChannel();
    return new DriverStream(call);
  }

  close(): void {
    this.grpc.close();
  }
}

/**
 * One client's StreamChannel. Emits 'arbitration' (ArbitrationResult), 'port' (PortEvent),
 * 'tableUsage' (TableUsageEvent), 'reset' (DeviceReset), 'error' and 'end'.
 */
export class DriverStream extends EventEmitter {
  lastArbitration: v1.IArbitrationResult | null = null;
  private ended = false;

  constructor(readonly call: grpc.ClientDuplexStream<v1.IStreamMessageRequest, v1.StreamMessageResponse>) {
    super();
    call.on('data', (msg: v1.StreamMessageResponse) => {
      if (msg.arbitration) {
        this.lastArbitration = msg.arbitration;
        this.emit('arbitration', msg.arbitration);
      } else if (msg.port) this.emit('port', msg.port);
      else if (msg.tableUsage) this.emit('tableUsage', msg.tableUsage);
      else if (msg.reset) this.emit('reset', msg.reset);
    });
    call.on('error', (err) => {
      this.ended = true;
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    call.on('end', () => {
      this.ended = true;
      this.emit('end');
    });
  }

  /** Sends an arbitration and resolves with the server's answer to it. */
  async arbitrate(electionId: number, clientName = 'vrfsync', timeoutMs = 5000): Promise<v1.ArbitrationResult> {
    if (this.ended) throw new Error('stream channel closed');
    const answer = once(this, 'arbitration', { signal: AbortSignal.timeout(timeoutMs) });
    this.call.write({ arbitration: { electionId, clientName } });
    const [result] = (await answer) as [v1.ArbitrationResult];
    return result;
  }

  close(): void {
    this.ended = true;
    this.call.end();
    this.call.cancel();
  }
}

export class SimulatorClient {
  readonly grpc: grpc.Client;

  constructor(address: string | DriverAddress, options: ClientOptions = {}) {
    const addr = typeof address === 'string' ? parseAddress(address) : address;
    this.grpc = new SimulatorStub(addr.target, channelCredentials(addr, options.tls ?? {}), makeOptions(options));
  }

  lookup(req: simv1.ILookupRequest): Promise<simv1.LookupResponse> {
    return unary(this.grpc, 'lookup', req);
  }
  /** Many lookups in one call, answered in order (Lookup costs a round trip each). */
  lookupBatch(req: simv1.ILookupBatchRequest, deadlineMs?: number): Promise<simv1.LookupBatchResponse> {
    return unary(this.grpc, 'lookupBatch', req, deadlineMs);
  }
  injectFault(req: simv1.IFaultRequest): Promise<simv1.FaultResponse> {
    return unary(this.grpc, 'injectFault', req);
  }
  reset(reason = 'reset requested'): Promise<simv1.ResetResponse> {
    return unary(this.grpc, 'reset', simpb.ResetRequest.create({ reason }));
  }
  stats(): Promise<simv1.StatsResponse> {
    return unary(this.grpc, 'stats', simpb.StatsRequest.create());
  }
  setPortState(req: simv1.ISetPortStateRequest): Promise<simv1.SetPortStateResponse> {
    return unary(this.grpc, 'setPortState', req);
  }
  close(): void {
    this.grpc.close();
  }
}
