// One dump request on its own socket, collected until NLMSG_DONE. Dumps never share a socket
// with events: an event arriving mid-dump on the same socket would break the multipart stream.
//
// A threaded dump reads on a worker thread (dump-thread.mjs) and decodes here: the kernel fills
// a dump inside recvmsg, so reading elsewhere lets the kernel's half of a full-table dump run
// on other cores than decoding. There are two such threads, so that a full resync's IPv4 and
// IPv6 dumps are filled at once. Small dumps read on this thread.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { RawNetlinkSocket } from 'netlink';
import { MalformedMessage } from './attributes.ts';
import { NLMSG, NLMSG_HDRLEN, NLM_F, encodeMessage } from './messages.ts';
import { tapClock, type NetlinkTap } from './tap.ts';
import type { BulkRouteScan } from './route-scan.ts';

const NETLINK_ROUTE = 0;

export class DumpError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

/** The dump was interrupted by a change (NLM_F_DUMP_INTR): its content is inconsistent. */
export class DumpInterrupted extends Error {
  readonly code = 'VRFSYNC_DUMP_INTR';
}

/** Called for each reply message with its body at buf[start, end), valid during the call only. */
export type DumpVisitor = (type: number, flags: number, buf: Buffer, start: number, end: number) => void;

export interface DumpOptions {
  recvBufferSize?: number;
  /** Read on a dump thread (for dumps that can be large: routes). */
  threaded?: boolean;
  /**
   * On the dump thread that yields the CPU (a full resync's IPv6 routes): both threads and the
   * decoding share the cores, and the larger dump, IPv4's, bounds the resync.
   */
  background?: boolean;
  /** Sees the request and each reply datagram (vrfsync record). */
  tap?: NetlinkTap | null;
  /** Takes the run of messages it can before `visit` sees the next (a route dump's native scan). */
  bulk?: BulkRouteScan | null;
}

/** A dump in progress: what its replies said so far. A replay feeds recorded replies to one. */
export class Replies {
  interrupted = false;
  done = false;
  error: Error | null = null;
  constructor(readonly type: number, readonly seq: number, private readonly visit: DumpVisitor, private readonly bulk: BulkRouteScan | null = null) {}

  /**
   * Walks the messages of buf[0, len): the hot loop of a full-table dump, headers read in
   * place, no object per message.
   */
  take(buf: Buffer, len = buf.length): void {
    let off = 0;
    while (off + NLMSG_HDRLEN <= len && !this.done) {
      if (this.bulk) {
        off = this.bulk(buf, off, len, this.seq);
        if (off + NLMSG_HDRLEN > len) break;
      }
      const mlen = buf.readUInt32LE(off);
      if (mlen < NLMSG_HDRLEN || off + mlen > len) {
        this.fail(new MalformedMessage(`netlink message at ${off} has length ${mlen} in a datagram of ${len}`));
        return;
      }
      const mtype = buf.readUInt16LE(off + 4);
      const flags = buf.readUInt16LE(off + 6);
      if (buf.readUInt32LE(off + 8) === this.seq) {
        if (flags & NLM_F.DUMP_INTR) this.interrupted = true;
        if (mtype === NLMSG.DONE) this.done = true;
        else if (mtype === NLMSG.ERROR) {
          const errno = mlen >= NLMSG_HDRLEN + 4 ? -buf.readInt32LE(off + NLMSG_HDRLEN) : 0;
          if (errno) this.fail(new DumpError(errno, `netlink dump of type ${this.type} failed: errno ${errno}`));
        } else this.visit(mtype, flags, buf, off + NLMSG_HDRLEN, off + mlen);
      }
      off += (mlen + 3) & ~3;
    }
  }

  fail(err: Error) {
    this.error ??= err;
    this.done = true;
  }

  /** How the dump ended. */
  settle(resolve: () => void, reject: (e: Error) => void) {
    if (this.error) reject(this.error);
    else if (this.interrupted) reject(new DumpInterrupted('dump interrupted by a concurrent change'));
    else resolve();
  }
}

/**
 * Sends `type` with NLM_F_DUMP and calls `visit` for every reply message as datagrams arrive
 * (decoding in place: no per-message buffers are kept). Resolves at NLMSG_DONE; rejects with
 * DumpInterrupted when any reply carried NLM_F_DUMP_INTR, and with DumpError on NLMSG_ERROR.
 */
export function dump(type: number, requestBody: Buffer, visit: DumpVisitor, options: DumpOptions = {}): Promise<void> {
  const seq = (Math.random() * 0x7fffffff) >>> 0;
  const request = encodeMessage(type, NLM_F.REQUEST | NLM_F.DUMP, seq, requestBody);
  const replies = new Replies(type, seq, visit, options.bulk);
  const recvBufferSize = options.recvBufferSize ?? 4 * 1024 * 1024;
  const tap = options.tap ?? null;
  tap?.('request', request, tapClock());
  if (options.threaded) {
    const thread = DumpThread.get(options.background === true);
    if (thread) return thread.dump(request, recvBufferSize, replies, tap);
  }
  return dumpHere(request, recvBufferSize, replies, tap);
}

function dumpHere(request: Buffer, recvBufferSize: number, replies: Replies, tap: NetlinkTap | null): Promise<void> {
  const sock = new RawNetlinkSocket(NETLINK_ROUTE, {
    recvBufferSize,
    sendBufferSize: 64 * 1024,
    // Read into a fixed 64 KiB buffer rather than peeking: the kernel sizes dump datagrams by the
    // reader's last buffer, so a large one means fewer, fuller datagrams (as iproute2 does).
    messagePeeking: false,
    msgBufferSize: 64 * 1024,
  } as never);
  return new Promise<void>((resolve, reject) => {
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      sock.close();
      replies.settle(resolve, reject);
    };
    sock.on('error', (err) => {
      replies.fail(err);
      close();
    });
    sock.on('message', (buf: Buffer) => {
      tap?.('reply', buf, tapClock());
      replies.take(buf);
      if (replies.done) close();
    });
    sock.send(request, { port: 0 });
  });
}

/** Starts the dump threads ahead of the first threaded dump (each takes a few tens of ms to boot). */
export function warmDumpThread(): void {
  DumpThread.warm();
}

interface ThreadMessage {
  id: number;
  chunk?: ArrayBuffer;
  len?: number;
  /** The chunk's datagrams, by length, in order. */
  sizes?: number[];
  /** The dump's last chunk: not given back (the thread is idle after it). */
  last?: boolean;
  end?: boolean;
  /** With the end: the thread's idle chunks, handed over to be freed here. */
  spare?: ArrayBuffer[];
  error?: { message: string; code?: string; errno?: number };
}

/**
 * The dump threads. Two: a full resync dumps both families at once, each filled by the kernel on
 * its own thread. The foreground one (IPv4, and the targeted re-dumps of IPv4 routes the kernel
 * flushes silently) is kept, unreferenced, while idle. The background one (a full resync's IPv6
 * routes) ends after each dump, as its ~10 MiB are rarely needed again soon, and runs at a lower
 * priority (nice BACKGROUND_NICE): with three busy threads (two dumps and the decoding) on two
 * cores, a fair share slowed the IPv4 dump, which bounds the resync, by about as much as the IPv6
 * dump took; yielding, the IPv6 dump fits in what the others leave idle (1.2M-route ingest
 * 708-746 ms -> 638-692 ms, three runs each).
 */
class DumpThread {
  private static readonly BACKGROUND_NICE = 10;
  /** The live threads; null once one could not start (dumps then read here). */
  private static pool: DumpThread[] | null = [];
  private readonly pending = new Map<number, { replies: Replies; tap: NetlinkTap | null; resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;

  private static start(background: boolean): DumpThread | null {
    if (!DumpThread.pool) return null;
    try {
      const inFlight = new Int32Array(new SharedArrayBuffer(4));
      // Decoded chunks go back on a port of their own, which the thread drains while it reads
      // (its event loop does not turn during a dump).
      const { port1: recycle, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./dump-thread.mjs', import.meta.url), {
        workerData: { inFlight: inFlight.buffer, recycle: port2, nice: background ? DumpThread.BACKGROUND_NICE : 0 },
        transferList: [port2],
      });
      recycle.unref();
      const thread = new DumpThread(worker, inFlight, recycle, background);
      DumpThread.pool.push(thread);
      return thread;
    } catch {
      DumpThread.pool = null;
      return null;
    }
  }

  /** Starts the threads that are not running. */
  static warm(): void {
    for (const background of [false, true]) if (DumpThread.pool && !DumpThread.pool.some((t) => t.background === background)) DumpThread.start(background);
  }

  /** The background or the foreground thread, started if need be, or null where none can start. */
  static get(background: boolean): DumpThread | null {
    return DumpThread.pool?.find((t) => t.background === background) ?? DumpThread.start(background);
  }

  /** `inFlight`: chunks the thread sent that are not decoded yet (it waits at a limit). */
  private constructor(private readonly worker: Worker, private readonly inFlight: Int32Array, private readonly recycle: MessagePort,
    readonly background: boolean) {
    worker.on('message', (m: ThreadMessage) => this.onMessage(m));
    worker.on('error', (err) => this.abandon(err));
    worker.on('exit', () => this.abandon(new Error('the dump thread exited')));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  dump(request: Buffer, recvBufferSize: number, replies: Replies, tap: NetlinkTap | null): Promise<void> {
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { replies, tap, resolve, reject });
      this.worker.postMessage({ id, request, seq: replies.seq, recvBufferSize });
    });
  }

  private onMessage(m: ThreadMessage) {
    const p = this.pending.get(m.id);
    if (m.chunk) {
      if (p?.tap) tapChunk(p.tap, Buffer.from(m.chunk, 0, m.len), m.sizes ?? [m.len!]);
      if (p && !p.replies.done) p.replies.take(Buffer.from(m.chunk, 0, m.len), m.len);
      if (!m.last) this.recycle.postMessage(m.chunk, [m.chunk]);
      Atomics.sub(this.inFlight, 0, 1);
      Atomics.notify(this.inFlight, 0);
    }
    if (!p || !(m.end || m.error)) return;
    if (m.error) p.replies.fail(Object.assign(new Error(m.error.message), m.error));
    else if (!p.replies.done) p.replies.fail(new MalformedMessage('dump ended without NLMSG_DONE'));
    this.pending.delete(m.id);
    if (this.pending.size === 0) {
      this.worker.unref();
      if (this.background) this.retire();
    }
    p.replies.settle(p.resolve, p.reject);
  }

  /** Leaves the pool and ends the thread (idle). */
  private retire() {
    if (DumpThread.pool) DumpThread.pool = DumpThread.pool.filter((t) => t !== this);
    void this.worker.terminate();
  }

  /** The thread died (or retired): fail what it owed, and leave the pool. */
  private abandon(err: Error) {
    if (DumpThread.pool) DumpThread.pool = DumpThread.pool.filter((t) => t !== this);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A chunk from the dump thread, datagram by datagram, to a tap. */
function tapChunk(tap: NetlinkTap, chunk: Buffer, sizes: number[]) {
  const at = tapClock();
  let off = 0;
  for (const n of sizes) {
    tap('reply', chunk.subarray(off, off + n), at);
    off += n;
  }
}
