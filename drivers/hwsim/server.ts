// hwsim's gRPC server: the vrfsync.driver.v1.Driver contract, hwsim's Simulator service and
// grpc.health.v1, over one Asic. This is the only part of hwsim that talks to the outside; the
// device itself (hwsim/asic.ts) is pure and synchronous.
import { rmSync } from 'node:fs';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { AsicError, type Asic } from '../../hwsim/asic.ts';
import { parseAddress, serverCredentials, type TlsOptions } from '../../src/driver/address.ts';
import { DriverService, SimulatorService, pb, type v1, type simv1 } from '../../src/driver/wire.ts';
import { bindServer } from '../../src/common/grpc-bind.ts';
import { StrictServer } from '../../src/common/grpc-strict.ts';
import { Arbitration, type ClientHandle } from './arbitration.ts';
import { decodeWriteRequest, encodeWriteResponse, type DecodedWrite } from './write-codec.ts';

export interface HwsimServerOptions {
  /** unix:/path or HOST:PORT (port 0 picks a free one). */
  listen: string;
  asic: Asic;
  tls?: TlsOptions;
  logger?: Logger;
}

export interface HwsimServer {
  /** The address clients use (with the real port when 0 was asked for). */
  address: string;
  server: grpc.Server;
  close(): Promise<void>;
}

/** Entities per Read message, as sonic-pins chunks them, well under gRPC's 4 MB default. */
const READ_CHUNK = 2500;

type StreamCall = grpc.ServerDuplexStream<v1.StreamMessageRequest, v1.IStreamMessageResponse>;

function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * HTTP/2 flow control: grpc-js leaves a server's receive windows at 64 KiB per connection, so a
 * client with several large Writes in flight (a full sync) sends 64 KiB and then waits for
 * WINDOW_UPDATEs, which hwsim cannot send while it applies a batch: each batch then starts with
 * a round trip, about a tenth of a sync's time. Windows of one message let the next Writes
 * arrive meanwhile. grpc-js has no option for it, so this reaches its HTTP/2 servers (a private
 * field): if that ever changes, nothing breaks, the windows just stay small.
 */
function widenWindows(server: grpc.Server, bytes: number): void {
  const h2 = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(h2 instanceof Map)) return;
  for (const s of h2.keys() as Iterable<Http2Server>) {
    s.on('session', (session: ServerHttp2Session) => {
      session.setLocalWindowSize(bytes);
      session.settings({ initialWindowSize: Math.min(bytes, 2 ** 31 - 1) });
    });
  }
}

/**
 * The client connection (HTTP/2 session) a call came on. grpc-js has no public handle for it
 * (getPeer() says 'unknown' on a unix socket), so this reads the call's private stream; should
 * that ever change it returns null, Writes are then checked by election id alone, and
 * test/security/who-writes.test.ts fails.
 */
function connectionOf(call: object): object | null {
  const session = (call as { call?: { stream?: { session?: unknown } } }).call?.stream?.session;
  return typeof session === 'object' && session !== null ? session : null;
}

const lookupQuery = (req: simv1.ILookupRequest) => ({ vrfId: req.vrfId ?? null, vrfName: req.vrfName, destination: req.destination, source: req.source });

export async function startHwsimServer(opts: HwsimServerOptions): Promise<HwsimServer> {
  const { asic, logger } = opts;
  const addr = parseAddress(opts.listen);
  const creds = serverCredentials(addr, opts.tls ?? {});
  if (addr.kind === 'tcp' && opts.tls?.insecure) logger?.warn({ address: opts.listen }, 'serving without TLS (--insecure)');
  const maxBytes = asic.config.maxMessageBytes;
  // Requests that do not decode are INVALID_ARGUMENT, not grpc-js's INTERNAL (the contract).
  const server = new StrictServer({
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    // Clients ping every 20 s to keep the stream channel alive; allow it.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });

  const streams = new Map<StreamCall, ClientHandle>();
  const send = (call: StreamCall, msg: v1.IStreamMessageResponse) => {
    if (!call.cancelled && !call.writableEnded) call.write(msg);
  };
  const arbitration = new Arbitration((client, notice) => {
    for (const [call, c] of streams) if (c === client) send(call, { arbitration: notice });
  });
  const toAll = (msg: v1.IStreamMessageResponse) => {
    for (const call of streams.keys()) send(call, msg);
  };
  const onPort = (port: v1.IPortEvent) => toAll({ port });
  const onUsage = (tableUsage: v1.ITableUsageEvent) => toAll({ tableUsage });
  const onReset = (reset: v1.IDeviceReset) => toAll({ reset });
  asic.on('port', onPort);
  asic.on('tableUsage', onUsage);
  asic.on('reset', onReset);

  // Writes are applied one at a time, in arrival order, latency faults included.
  let writeChain: Promise<unknown> = Promise.resolve();

  const driver: grpc.UntypedServiceImplementation = {
    capabilities(_call: grpc.ServerUnaryCall<v1.CapabilitiesRequest, v1.ICapabilitiesResponse>, cb: grpc.sendUnaryData<v1.ICapabilitiesResponse>) {
      cb(null, asic.capabilities());
    },

    write(call: grpc.ServerUnaryCall<DecodedWrite, v1.IWriteResponse>, cb: grpc.sendUnaryData<v1.IWriteResponse>) {
      const { electionId, batch, continueOnError } = call.request;
      const connection = connectionOf(call);
      if (!arbitration.isPrimary(electionId, connection)) {
        batch.release();
        const why = electionId !== 0 && electionId === arbitration.primaryElectionId ? 'comes from a connection that did not arbitrate for it' : `is not the primary's (${arbitration.primaryElectionId || 'none'})`;
        cb(grpcError(grpc.status.PERMISSION_DENIED, `election id ${electionId} ${why}`));
        return;
      }
      if (batch.size > asic.config.maxUpdatesPerWrite) {
        batch.release();
        cb(grpcError(grpc.status.INVALID_ARGUMENT, `${batch.size} updates in one Write; the device takes at most ${asic.config.maxUpdatesPerWrite}`));
        return;
      }
      writeChain = writeChain.then(async () => {
        if (asic.latencyMs > 0) await sleep(asic.latencyMs);
        try {
          // The primary may have changed while this Write waited.
          if (!arbitration.isPrimary(electionId, connection)) {
            cb(grpcError(grpc.status.PERMISSION_DENIED, `election id ${electionId} is no longer the primary's`));
            return;
          }
          cb(null, { statuses: asic.writeBatch(batch, continueOnError) });
        } catch (err) {
          logger?.error({ err }, 'write failed unexpectedly');
          cb(grpcError(grpc.status.INTERNAL, `internal error: ${(err as Error).message}`));
        } finally {
          batch.release();
        }
        // Let the event loop send this answer before the next Write is applied: Writes that
        // arrived together would otherwise all be applied first, and the client, waiting for
        // its answers to send more, would find hwsim idle afterwards.
        await new Promise<void>((resolve) => setImmediate(resolve));
      });
    },

    read(call: grpc.ServerWritableStream<v1.ReadRequest, v1.IReadResponse>) {
      void (async () => {
        try {
          if (asic.latencyMs > 0) await sleep(asic.latencyMs);
          const req = call.request;
          let chunk: v1.IEntity[] = [];
          let bytes = 0;
          // Leave room for framing: each entity costs its size plus a few bytes of tag and length.
          const budget = maxBytes - 1024;
          const flush = async () => {
            if (!chunk.length) return;
            const ok = call.write({ entities: chunk });
            chunk = [];
            bytes = 0;
            if (!ok) await new Promise<void>((r) => call.once('drain', r));
          };
          for (const e of asic.read({ types: req.types, vrfId: req.vrfId ?? null })) {
            if (call.cancelled) return;
            const size = pb.Entity.encode(e).finish().length + 6;
            if (chunk.length >= READ_CHUNK || bytes + size > budget) await flush();
            chunk.push(e);
            bytes += size;
          }
          await flush();
          call.end();
        } catch (err) {
          logger?.error({ err }, 'read failed unexpectedly');
          call.destroy(grpcError(grpc.status.INTERNAL, `internal error: ${(err as Error).message}`));
        }
      })();
    },

    streamChannel(call: StreamCall) {
      const client: ClientHandle = { name: call.getPeer(), connection: connectionOf(call) };
      streams.set(call, client);
      call.on('data', (msg: v1.StreamMessageRequest) => {
        if (!msg.arbitration) return;
        (client as { name: string }).name = msg.arbitration.clientName || client.name;
        arbitration.arbitrate(client, Number(msg.arbitration.electionId ?? 0));
      });
      const gone = () => {
        if (!streams.delete(call)) return;
        arbitration.leave(client);
      };
      call.on('end', () => {
        gone();
        call.end();
      });
      call.on('cancelled', gone);
      call.on('error', gone);
      call.on('close', gone);
    },
  };

  const unary = <Req, Res>(fn: (req: Req) => Res) =>
    (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
      try {
        cb(null, fn(call.request));
      } catch (err) {
        if (err instanceof AsicError) cb(grpcError(err.code as number as grpc.status, err.message));
        else cb(grpcError(grpc.status.INTERNAL, `internal error: ${(err as Error).message}`));
      }
    };

  const simulator: grpc.UntypedServiceImplementation = {
    lookup: unary((req: simv1.LookupRequest) => asic.lookup(lookupQuery(req))),
    lookupBatch: unary((req: simv1.LookupBatchRequest) => ({ results: req.lookups.map((q) => asic.lookup(lookupQuery(q))) })),
    injectFault: unary((req: simv1.FaultRequest) => {
      asic.injectFault(req);
      return {};
    }),
    reset: unary((req: simv1.ResetRequest) => ({ bootEpoch: asic.reset(req.reason || 'reset requested') })),
    stats: unary(() => asic.stats()),
    setPortState: unary((req: simv1.SetPortStateRequest) => {
      asic.setPortState(req.portId, req.operStatus);
      return {};
    }),
  };

  // Write reads and answers its bytes itself (write-codec.ts): route updates become compact rows.
  const write = { ...DriverService.write, requestDeserialize: decodeWriteRequest, responseSerialize: encodeWriteResponse };
  server.addService({ ...DriverService, write }, driver);
  server.addService(SimulatorService, simulator);
  const health = new HealthImplementation({
    '': 'SERVING',
    'vrfsync.driver.v1.Driver': 'SERVING',
    'vrfsync.hwsim.v1.Simulator': 'SERVING',
  });
  health.addToServer(server);

  // A unix socket is created 0600, so no other user can ever connect; a stale one of a dead
  // hwsim is replaced, a live one or a file that is not a socket is refused.
  const port = await bindServer(server, addr, creds);
  widenWindows(server, maxBytes);
  const address = addr.kind === 'unix' ? opts.listen : addr.target.replace(/:\d+$/, `:${port}`);

  return {
    address,
    server,
    close: async () => {
      asic.off('port', onPort);
      asic.off('tableUsage', onUsage);
      asic.off('reset', onReset);
      for (const call of streams.keys()) call.end();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      if (addr.kind === 'unix') rmSync(addr.path, { force: true });
    },
  };
}
