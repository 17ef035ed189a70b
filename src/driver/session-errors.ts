// What a DriverSession rejects with, each error with a stable code. Per-update failures are not
// here: they are statuses in the Write response, which the caller handles entry by entry. These
// are the cases where there is no status to hand back.
import * as grpc from '@grpc/grpc-js';
import { codeName } from './wire.ts';

/**
 * gRPC codes after which the same Write can succeed later: the connection comes back, this
 * session is primary again, the driver is less busy.
 */
const RETRYABLE = new Set<number>([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.ABORTED,
  grpc.status.CANCELLED,
]);

/**
 * A whole Write failed: no per-update statuses. The updates may or may not have been applied
 * (a deadline can pass after the driver applied them), so the caller queues them again and must
 * expect ALREADY_EXISTS or NOT_FOUND when it replays them. `retryable` is false when the same
 * batch would fail again (malformed, too large, a driver that answers nonsense) or the session
 * is closed.
 */
export class WriteCallError extends Error {
  readonly code = 'VRFSYNC_WRITE_CALL_FAILED';

  constructor(
    message: string,
    /** The call's gRPC status, or null when the call succeeded but its answer was unusable. */
    readonly grpcCode: number | null,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** From a failed call; `closed` when the session cancelled it by closing. */
  static fromCall(err: unknown, closed: boolean): WriteCallError {
    const grpcCode = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : null;
    const detail = (err as { details?: string })?.details || (err as Error)?.message || String(err);
    if (closed) return new WriteCallError(`write cancelled: the session closed (${detail})`, grpcCode, false, { cause: err });
    const name = grpcCode === null ? 'transport error' : codeName(grpcCode);
    return new WriteCallError(`write failed: ${name}: ${detail}`, grpcCode, grpcCode !== null && RETRYABLE.has(grpcCode), { cause: err });
  }
}

/** start() was pending when close() was called. */
export class SessionClosedError extends Error {
  readonly code = 'VRFSYNC_SESSION_CLOSED';
}

/** A read needs a connection, and the session has none right now. */
export class NotConnectedError extends Error {
  readonly code = 'VRFSYNC_DRIVER_NOT_CONNECTED';
}
