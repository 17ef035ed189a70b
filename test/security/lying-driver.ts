// A driver that lies: a gRPC proxy that serves the Driver service on its own socket, passes
// every call to a real driver (hwsim) and, while `lying`, answers some of them wrongly: bytes
// that do not decode or decode to something else, per-update statuses too few, too many or
// failed where the device succeeded, absurd capabilities and boot epochs, arbitration results
// and device resets nobody sent, whole calls failed with a random status, answers held back.
// What the agent does with such answers is the test; the proxy only counts what it did.
//
// Requests pass unchanged, so the device behind it holds what the agent actually wrote.
import * as grpc from '@grpc/grpc-js';
import { pb } from '../../src/driver/wire.ts';
import { Rng, mutate } from './write-fuzz.ts';

const SERVICE = '/vrfsync.driver.v1.Driver/';
const identity = (b: Buffer) => b;
const method = (name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `${SERVICE}${name}`, requestStream, responseStream,
  requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
});
const DEFINITION = {
  Capabilities: method('Capabilities', false, false),
  Write: method('Write', false, false),
  Read: method('Read', false, true),
  StreamChannel: method('StreamChannel', true, true),
};
const Upstream = grpc.makeGenericClientConstructor(DEFINITION, 'Driver');

/** Status codes a lying driver may end a whole call with. */
const CALL_CODES = [grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.INVALID_ARGUMENT, grpc.status.PERMISSION_DENIED, grpc.status.DEADLINE_EXCEEDED, grpc.status.DATA_LOSS];
const HUGE = 2 ** 32 - 1;

export class LyingDriver {
  /** Lies told, by kind ("Write statuses dropped", "Capabilities bytes", ...). */
  readonly lies = new Map<string, number>();
  /** Answers passed on as the device gave them. */
  honest = 0;
  lying = false;
  private server: grpc.Server | null = null;
  private upstream: grpc.Client;
  private readonly rng: Rng;

  constructor(readonly listen: string, private readonly target: string, seed: number, private readonly rate = 0.35) {
    this.rng = new Rng(seed);
    this.upstream = new Upstream(target, grpc.credentials.createInsecure());
  }

  async start(): Promise<void> {
    const server = new grpc.Server();
    server.addService(DEFINITION, {
      Capabilities: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => this.unary('Capabilities', call, cb),
      Write: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => this.unary('Write', call, cb),
      Read: (call: grpc.ServerWritableStream<Buffer, Buffer>) => this.read(call),
      StreamChannel: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => this.channel(call),
    });
    await new Promise<void>((resolve, reject) => server.bindAsync(this.listen, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
    this.server = server;
  }

  /**
   * Drops every connection (the agent sees the driver go and come back, as after a driver
   * restart) and starts again on the same socket with a new connection to the device.
   */
  async reconnectAll(): Promise<void> {
    this.server?.forceShutdown();
    this.upstream.close();
    this.upstream = new Upstream(this.target, grpc.credentials.createInsecure());
    await this.start();
  }

  close(): void {
    this.server?.forceShutdown();
    this.upstream.close();
  }

  /** Lies told so far. */
  get told(): number {
    let n = 0;
    for (const c of this.lies.values()) n += c;
    return n;
  }

  private lie(kind: string): void {
    this.lies.set(kind, (this.lies.get(kind) ?? 0) + 1);
  }

  private unary(name: 'Capabilities' | 'Write', call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>): void {
    const fn = (this.upstream as unknown as Record<string, (req: Buffer, md: grpc.Metadata, done: grpc.requestCallback<Buffer>) => void>)[name]!;
    fn.call(this.upstream, call.request, call.metadata, (err, answer) => {
      if (err) return cb(err);
      if (!this.lying || !this.rng.chance(this.rate)) {
        this.honest++;
        return cb(null, answer!);
      }
      const r = this.rng;
      switch (r.int(4)) {
        case 0:
          this.lie(`${name} failed whole`);
          return cb({ code: r.pick(CALL_CODES), details: 'a lying driver' } as grpc.ServiceError);
        case 1: {
          this.lie(`${name} held back`);
          setTimeout(() => cb(null, answer!), 200 + r.int(1300));
          return;
        }
        case 2:
          this.lie(`${name} bytes`);
          return cb(null, mutate(r, answer!, answer!));
        default:
          this.lie(`${name} content`);
          return cb(null, name === 'Write' ? this.wrongStatuses(answer!) : this.wrongCapabilities(answer!));
      }
    });
  }

  /** Statuses that do not match the request: too few, too many, or failures the device did not report. */
  private wrongStatuses(answer: Buffer): Buffer {
    const r = this.rng;
    const res = pb.WriteResponse.decode(answer);
    const statuses = res.statuses;
    switch (r.int(3)) {
      case 0: statuses.splice(statuses.length - 1 - r.int(Math.max(1, statuses.length)), 1 + r.int(3)); break;
      case 1: for (let i = 1 + r.int(3); i > 0; i--) statuses.push(pb.UpdateStatus.create({ code: r.int(17) })); break;
      default:
        for (const s of statuses) if (r.chance(0.3)) s.code = 1 + r.int(16);
    }
    return Buffer.from(pb.WriteResponse.encode(res).finish());
  }

  private wrongCapabilities(answer: Buffer): Buffer {
    const r = this.rng;
    const caps = pb.CapabilitiesResponse.decode(answer);
    switch (r.int(5)) {
      case 0: caps.maxUpdatesPerWrite = r.pick([0, 1, 3, HUGE]); break;
      case 1: caps.maxMessageBytes = r.pick([0, 1, 100, 4096, HUGE]); break;
      case 2: caps.bootEpoch = r.u32(); break;
      case 3: caps.ports = r.chance(0.5) ? [] : caps.ports.reverse(); break;
      default: caps.defaultVrfId = r.u32();
    }
    return Buffer.from(pb.CapabilitiesResponse.encode(caps).finish());
  }

  private read(call: grpc.ServerWritableStream<Buffer, Buffer>): void {
    const up = (this.upstream as unknown as { Read(req: Buffer, md: grpc.Metadata): grpc.ClientReadableStream<Buffer> }).Read(call.request, call.metadata);
    let failed = false;
    up.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (!this.lying || !this.rng.chance(this.rate)) {
        this.honest++;
        call.write(chunk);
        return;
      }
      const r = this.rng;
      switch (r.int(3)) {
        case 0:
          this.lie('Read failed midway');
          failed = true;
          up.cancel();
          call.destroy({ code: r.pick(CALL_CODES), details: 'a lying driver', name: 'Error', message: 'a lying driver' } as grpc.ServiceError);
          return;
        case 1:
          this.lie('Read chunk dropped');
          return;
        default:
          this.lie('Read bytes');
          call.write(mutate(r, chunk, chunk));
      }
    });
    up.on('error', (err: grpc.ServiceError) => {
      if (!failed) call.destroy(err);
    });
    up.on('end', () => {
      if (!failed) call.end();
    });
    call.on('cancelled', () => up.cancel());
  }

  private channel(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    const up = (this.upstream as unknown as { StreamChannel(md: grpc.Metadata): grpc.ClientDuplexStream<Buffer, Buffer> }).StreamChannel(call.metadata);
    call.on('data', (m: Buffer) => up.write(m));
    call.on('end', () => up.end());
    call.on('cancelled', () => up.cancel());
    call.on('error', () => up.cancel());
    up.on('data', (m: Buffer) => {
      if (this.lying && this.rng.chance(this.rate)) this.channelLie(call);
      this.honest++;
      call.write(m);
    });
    up.on('error', (err: grpc.ServiceError) => call.destroy(err));
    up.on('end', () => call.end());
    // Unprompted lies too: notices the device never sent.
    const timer = setInterval(() => {
      if (this.lying && this.rng.chance(this.rate)) this.channelLie(call);
    }, 300);
    const stop = () => clearInterval(timer);
    call.on('close', stop);
    call.on('finish', stop);
    call.on('error', stop);
    call.on('cancelled', stop);
  }

  /** A StreamChannel message nobody sent: an arbitration result, a reset, a port event, or bytes. */
  private channelLie(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    const r = this.rng;
    let msg: Buffer;
    switch (r.int(4)) {
      case 0:
        this.lie('StreamChannel arbitration');
        msg = Buffer.from(pb.StreamMessageResponse.encode({ arbitration: { code: r.pick([0, 3, 5, 6]), primaryElectionId: r.int(50) } }).finish());
        break;
      case 1:
        this.lie('StreamChannel reset');
        msg = Buffer.from(pb.StreamMessageResponse.encode({ reset: { bootEpoch: r.u32(), reason: 'a lying driver' } }).finish());
        break;
      case 2:
        this.lie('StreamChannel port event');
        msg = Buffer.from(pb.StreamMessageResponse.encode({ port: { portId: r.int(70000), name: r.pick(['swp1', 'swp9', '', 'x'.repeat(300)]), operStatus: r.int(9) } }).finish());
        break;
      default: {
        this.lie('StreamChannel bytes');
        const good = Buffer.from(pb.StreamMessageResponse.encode({ arbitration: { code: 0, primaryElectionId: 1 } }).finish());
        msg = mutate(r, good, good);
      }
    }
    try {
      call.write(msg);
    } catch { /* the stream ended meanwhile */ }
  }
}
