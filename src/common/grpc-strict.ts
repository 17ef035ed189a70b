// A gRPC server whose services answer a request that does not decode with INVALID_ARGUMENT.
//
// grpc-js answers INTERNAL when a request deserializer throws, as if the server had failed;
// the driver contract says invalid requests are refused with a precise status, and a client
// (or a fuzzer) must be able to tell its own malformed bytes from a broken server. Every
// service added to a StrictServer, grpc.health.v1 included, has its deserializers wrapped: bytes
// they refuse become a Malformed value, which never reaches the service's handler: a unary or
// server-streaming call is answered INVALID_ARGUMENT, and a client stream that sends one ends
// with INVALID_ARGUMENT.
import * as grpc from '@grpc/grpc-js';

/** A request message whose bytes the method's deserializer refused. */
export class Malformed {
  constructor(readonly reason: string) {}
}

function invalid(path: string, m: Malformed): grpc.ServiceError {
  const details = `malformed ${path} request: ${m.reason}`;
  return Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details, metadata: new grpc.Metadata() });
}

type AnyHandler = (call: unknown, cb: unknown) => void;

function wrapDeserialize<T>(fn: (buf: Buffer) => T): (buf: Buffer) => T | Malformed {
  return (buf) => {
    try {
      return fn(buf);
    } catch (err) {
      return new Malformed(err instanceof Error ? err.message : String(err));
    }
  };
}

/** A stream call's 'data' events: a Malformed message ends the call instead of reaching listeners. */
function guardStream(call: grpc.ServerReadableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>, path: string): void {
  const emit = call.emit.bind(call) as (event: string | symbol, ...args: unknown[]) => boolean;
  let refused = false;
  (call as { emit: typeof emit }).emit = (event, ...args) => {
    if (event === 'data' && args[0] instanceof Malformed) {
      if (!refused) {
        refused = true;
        emit('error', invalid(path, args[0]));
      }
      return true;
    }
    return emit(event, ...args);
  };
}

function wrapHandler(def: grpc.MethodDefinition<unknown, unknown>, handler: AnyHandler): AnyHandler {
  const { path, requestStream, responseStream } = def;
  if (!requestStream && !responseStream) {
    return ((call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      if (call.request instanceof Malformed) cb(invalid(path, call.request));
      else (handler as (c: typeof call, cb: grpc.sendUnaryData<unknown>) => void)(call, cb);
    }) as unknown as AnyHandler;
  }
  if (!requestStream) {
    return ((call: grpc.ServerWritableStream<unknown, unknown>) => {
      // The call's own 'error' listener sends the status and ends it.
      if (call.request instanceof Malformed) call.emit('error', invalid(path, call.request));
      else (handler as (c: typeof call) => void)(call);
    }) as unknown as AnyHandler;
  }
  if (!responseStream) {
    return ((call: grpc.ServerReadableStream<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      let answered = false;
      const once: grpc.sendUnaryData<unknown> = (err, value) => {
        if (answered) return;
        answered = true;
        cb(err, value);
      };
      const emit = call.emit.bind(call) as (event: string | symbol, ...args: unknown[]) => boolean;
      (call as { emit: typeof emit }).emit = (event, ...args) => {
        if (event === 'data' && args[0] instanceof Malformed) {
          once(invalid(path, args[0]));
          return true;
        }
        return emit(event, ...args);
      };
      (handler as (c: typeof call, cb: grpc.sendUnaryData<unknown>) => void)(call, once);
    }) as unknown as AnyHandler;
  }
  return ((call: grpc.ServerDuplexStream<unknown, unknown>) => {
    guardStream(call, path);
    (handler as (c: typeof call) => void)(call);
  }) as unknown as AnyHandler;
}

/** `def` and `impl` with every request deserializer and handler guarded. */
export function strictService(def: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation): [grpc.ServiceDefinition, grpc.UntypedServiceImplementation] {
  const strictDef: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const strictImpl: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(def as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
    strictDef[name] = { ...method, requestDeserialize: wrapDeserialize(method.requestDeserialize) };
    const handler = impl[name] ?? impl[method.originalName ?? ''];
    if (handler) {
      const wrapped = wrapHandler(method, handler as AnyHandler);
      strictImpl[name] = wrapped as grpc.UntypedHandleCall;
      if (method.originalName) strictImpl[method.originalName] = wrapped as grpc.UntypedHandleCall;
    }
  }
  return [strictDef as grpc.ServiceDefinition, strictImpl];
}

/** A grpc.Server whose services (added by anyone, health checks included) are strict. */
export class StrictServer extends grpc.Server {
  override addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
    super.addService(...strictService(service, implementation));
  }
}
