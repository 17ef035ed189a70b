// gRPC calls made by hand over node:http2, so a test can send any bytes a client could: bodies
// that are not protobuf, length prefixes that lie, flags no encoding backs, several messages to
// a unary method, or no message at all. No gRPC library sits between the test and the server.
import http2 from 'node:http2';
import { connect as netConnect } from 'node:net';

export interface RawAnswer {
  /** HTTP status of the response headers (200 for any gRPC answer). */
  http: number;
  /** grpc-status from the trailers (or trailers-only headers); null when the server sent none. */
  code: number | null;
  message: string;
  /** Response body (length-prefixed messages). */
  body: Buffer;
  /** How the stream ended: 'trailers' (a gRPC status), 'reset' (RST_STREAM), 'closed' (session gone). */
  ended: 'trailers' | 'reset' | 'closed';
}

/** An HTTP/2 session to a unix:/path or HOST:PORT address (cleartext). */
export function rawSession(address: string): http2.ClientHttp2Session {
  const s = address.startsWith('unix:')
    ? http2.connect('http://localhost', { createConnection: () => netConnect(address.slice(5)) })
    : http2.connect(`http://${address}`);
  // A server may end the session (GOAWAY) over what a test sent: the test reads the call's end.
  s.on('error', () => {});
  return s;
}

/** A gRPC message frame: flag byte, 4-byte big-endian length (`length` may lie), the bytes. */
export function frame(msg: Uint8Array, opts: { compressed?: boolean; length?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head[0] = opts.compressed ? 1 : 0;
  head.writeUInt32BE(opts.length ?? msg.length, 1);
  return Buffer.concat([head, msg]);
}

export class HangError extends Error {}

/**
 * POSTs `chunks` (written one after another) to `path` and collects the answer. Rejects with
 * HangError when nothing ends the stream within `timeoutMs`: a server that hangs on bad input.
 */
export function rawCall(session: http2.ClientHttp2Session, path: string, chunks: Buffer[], opts: {
  headers?: http2.OutgoingHttpHeaders; timeoutMs?: number; endStream?: boolean;
} = {}): Promise<RawAnswer> {
  const { timeoutMs = 10_000, endStream = true } = opts;
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...opts.headers,
    });
    let http = 0;
    let code: number | null = null;
    let message = '';
    const body: Buffer[] = [];
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) code = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    let settled = false;
    const done = (ended: RawAnswer['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ http, code, message, body: Buffer.concat(body), ended: code !== null ? 'trailers' : ended });
    };
    const timer = setTimeout(() => {
      settled = true;
      req.close(http2.constants.NGHTTP2_CANCEL);
      reject(new HangError(`${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (h) => {
      http = Number(h[':status']);
      take(h);
    });
    req.on('trailers', take);
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => done('closed'));
    req.on('close', () => done(req.rstCode && req.rstCode !== http2.constants.NGHTTP2_NO_ERROR ? 'reset' : 'closed'));
    req.on('error', () => done('reset'));
    for (const c of chunks) req.write(c);
    if (endStream) req.end();
  });
}

/** The messages of a gRPC response body. */
export function unframe(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p + 5 <= body.length;) {
    const n = body.readUInt32BE(p + 1);
    out.push(body.subarray(p + 5, p + 5 + n));
    p += 5 + n;
  }
  return out;
}

/**
 * Bytes a protobuf decoder should refuse, whatever the message. protobufjs does not check every
 * known field's wire type, so tests keep those the message's own decoder refuses (`decodes`).
 */
export const MALFORMED: [string, Buffer][] = [
  ['a tag and no value', Buffer.of(0x08)],
  ['a length-delimited field with no length', Buffer.of(0x0a)],
  ['a length past the end', Buffer.of(0x0a, 0x05, 1, 2)],
  ['a length of 2^32-1', Buffer.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1)],
  ['wire type 6', Buffer.of(0x0e, 0x01)],
  ['wire type 7', Buffer.of(0x0f, 0x01)],
  ['an 11-byte varint', Buffer.of(0x08, ...Buffer.alloc(10, 0xff), 0x01)],
  ['a group never closed', Buffer.of(0x0b, 0x08, 0x01)],
  ['an end-group with no start', Buffer.of(0x0c)],
  ['100,000 nested groups', Buffer.alloc(100_000, 0x0b)],
  ['a fixed64 cut short', Buffer.of(0x09, 1, 2, 3)],
  ['a fixed32 cut short', Buffer.of(0x0d, 1)],
];

/** Whether `type`'s generated decoder reads `bytes` (into some message) rather than refusing them. */
export function decodes(type: { decode(b: Uint8Array): unknown }, bytes: Uint8Array): boolean {
  try {
    type.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
