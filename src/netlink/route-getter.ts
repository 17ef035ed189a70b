// Batches of route lookups (route-get.ts) on a netlink socket of their own: requests in windows
// a datagram each, the replies of a window matched to its requests by sequence number, and
// what a receive buffer overrun loses asked for again in smaller windows.
//
// Sending and receiving run on a worker thread: the kernel hands every reply over in its own
// datagram, and taking 300,000 of them costs the calling thread over a second of callbacks,
// copies and garbage. The worker gathers a window's replies into one chunk, transferred, not
// copied; decoding stays here. Where no worker can start, this thread does it all, slower.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RawNetlinkSocket } from 'netlink';
import { NLMSG_HDRLEN } from './messages.ts';
import { AnswerCache, encodeRouteGets, takeRouteAnswers, type RouteAnswer, type RouteQuery } from './route-get.ts';

const NETLINK_ROUTE = 0;

/** How many messages of buf answer requests seq .. seq + count - 1 (framing is checked later). */
function repliesIn(buf: Buffer, seq: number, count: number): number {
  let n = 0;
  for (let off = 0; off + NLMSG_HDRLEN <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) break;
    if (((buf.readUInt32LE(off + 8) - seq) >>> 0) < count) n++;
    off += (len + 3) & ~3;
  }
  return n;
}

/** What came back for one datagram of requests: its replies, and whether some were lost. */
interface Replies {
  buffers: Buffer[];
  /** The receive buffer overflowed: replies after some point were dropped. */
  overrun: boolean;
}

/** One datagram of requests at a time, on a socket of its own. */
interface Transport {
  /** Receive buffer the kernel granted, in bytes. */
  readonly recvBufferSize: number;
  exchange(request: Buffer, seq: number, count: number): Promise<Replies>;
  close(): Promise<void>;
}

const socketOptions = (recvBufferSize: number) => ({
  recvBufferSize, sendBufferSize: 1024 * 1024, messagePeeking: false, msgBufferSize: 64 * 1024,
});

/** After sendmsg returns every reply is queued: waiting longer means the kernel will not answer. */
const STALL_MS = 10_000;

/** Exchanges on this thread. */
class SocketTransport implements Transport {
  private sock: RawNetlinkSocket | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  readonly recvBufferSize: number;

  constructor(private readonly asked: number) {
    this.recvBufferSize = this.open().getRecvBufferSize();
  }

  private open(): RawNetlinkSocket {
    if (this.sock) return this.sock;
    const sock = new RawNetlinkSocket(NETLINK_ROUTE, socketOptions(this.asked) as never);
    // Between exchanges nobody else listens: a failed socket is replaced at the next one.
    sock.on('error', () => {
      if (this.sock === sock) this.sock = null;
    });
    this.sock = sock;
    return sock;
  }

  exchange(request: Buffer, seq: number, count: number): Promise<Replies> {
    const run = this.chain.then(() => this.one(request, seq, count));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private one(request: Buffer, seq: number, count: number): Promise<Replies> {
    const sock = this.open();
    return new Promise<Replies>((resolve, reject) => {
      const buffers: Buffer[] = [];
      let got = 0;
      const done = (err: Error | null, overrun = false) => {
        clearTimeout(stall);
        sock.off('message', onMessage);
        sock.off('error', onError);
        if (err) reject(err);
        else resolve({ buffers, overrun });
      };
      const onMessage = (buf: Buffer) => {
        buffers.push(buf);
        got += repliesIn(buf, seq, count);
        if (got >= count) done(null);
      };
      const onError = (err: Error & { code?: string; syscall?: string }) => {
        if (err.code !== 'ENOBUFS' && err.syscall !== 'poll') return done(err);
        // The kernel failed the socket (polling it has stopped): a fresh one for what follows.
        try {
          sock.close();
        } catch { /* closed already */ }
        this.sock = null;
        done(null, true);
      };
      const stall = setTimeout(() => done(new Error(`the kernel answered ${got} of ${count} route queries`)), STALL_MS);
      sock.on('message', onMessage);
      sock.on('error', onError);
      sock.send(request, { port: 0 }, (err?: Error) => {
        if (err) done(err);
      });
    });
  }

  async close(): Promise<void> {
    this.sock?.close();
    this.sock = null;
  }
}

/**
 * The same exchange on a worker thread, which only sends and receives. Plain JavaScript run from
 * a string: a worker gets no TypeScript loader, and a string needs no file beside the bundle.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { RawNetlinkSocket } = require(workerData.netlink);
const queue = [];
let sock = null;
let current = null;

function open() {
  if (!sock) {
    sock = new RawNetlinkSocket(0, workerData.socketOptions);
    sock.on('message', onMessage);
    sock.on('error', onError);
  }
  return sock;
}

function repliesIn(buf, seq, count) {
  let n = 0;
  for (let off = 0; off + 16 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < 16) break;
    if (((buf.readUInt32LE(off + 8) - seq) >>> 0) < count) n++;
    off += (len + 3) & ~3;
  }
  return n;
}

function onMessage(buf) {
  const c = current;
  if (!c) return;
  if (c.used + buf.length > c.chunk.length) {
    const bigger = Buffer.allocUnsafe(Math.max(c.chunk.length * 2, c.used + buf.length));
    c.chunk.copy(bigger, 0, 0, c.used);
    c.chunk = bigger;
  }
  buf.copy(c.chunk, c.used);
  c.used += buf.length;
  c.got += repliesIn(buf, c.seq, c.count);
  if (c.got >= c.count) finish({});
}

function onError(err) {
  if (err.code !== 'ENOBUFS' && err.syscall !== 'poll') return finish({ error: err.message });
  try { sock.close(); } catch {}
  sock = null;
  finish({ overrun: true });
}

function finish(how) {
  const c = current;
  if (!c) return;
  clearTimeout(c.stall);
  current = null;
  const chunk = c.chunk.buffer.slice(c.chunk.byteOffset, c.chunk.byteOffset + c.used);
  parentPort.postMessage({ id: c.id, chunk, ...how }, [chunk]);
  next();
}

function next() {
  if (current || !queue.length) return;
  const c = current = queue.shift();
  c.used = 0;
  c.got = 0;
  c.chunk = Buffer.allocUnsafe(64 * 1024);
  c.stall = setTimeout(() => finish({ error: 'the kernel answered ' + c.got + ' of ' + c.count + ' route queries' }), ${STALL_MS});
  open().send(Buffer.from(c.request), { port: 0 }, (err) => { if (err && current === c) finish({ error: err.message }); });
}

parentPort.on('message', (m) => {
  if (!m.close) {
    queue.push(m);
    next();
    return;
  }
  // Closing between callbacks, by itself: a worker terminated while the netlink binding calls
  // into it aborts the process.
  queue.length = 0;
  if (current) clearTimeout(current.stall);
  current = null;
  if (sock) sock.close();
  sock = null;
  parentPort.close();
});
parentPort.postMessage({ ready: true, recvBufferSize: open().getRecvBufferSize() });
`;

interface ThreadAnswer {
  id?: number;
  chunk?: ArrayBuffer;
  overrun?: boolean;
  error?: string;
  ready?: boolean;
  recvBufferSize?: number;
}

class ThreadTransport implements Transport {
  private readonly pending = new Map<number, { resolve: (r: Replies) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | null = null;
  private exited = false;

  private constructor(private readonly worker: Worker, readonly recvBufferSize: number) {
    worker.on('message', (m: ThreadAnswer) => this.onAnswer(m));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => {
      this.exited = true;
      this.fail(new Error('the route lookup thread exited'));
    });
    worker.unref();
  }

  static async start(recvBufferSize: number): Promise<ThreadTransport> {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { netlink: createRequire(import.meta.url).resolve('netlink'), socketOptions: socketOptions(recvBufferSize) },
    });
    const ready = await new Promise<ThreadAnswer>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return new ThreadTransport(worker, ready.recvBufferSize ?? 0);
  }

  exchange(request: Buffer, seq: number, count: number): Promise<Replies> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    const copy = new Uint8Array(request).buffer;
    return new Promise<Replies>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request: copy, seq, count }, [copy]);
    });
  }

  private onAnswer(m: ThreadAnswer) {
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id!);
    if (this.pending.size === 0) this.worker.unref();
    if (m.error) p.reject(new Error(m.error));
    else p.resolve({ buffers: [Buffer.from(m.chunk!)], overrun: Boolean(m.overrun) });
  }

  private fail(err: Error) {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /**
   * Asks the worker to close and waits until it has: a process that exits meanwhile would
   * terminate it, perhaps inside the binding's callback, which aborts.
   */
  async close(): Promise<void> {
    this.fail(new Error('route lookups closed'));
    if (this.exited) return;
    this.worker.ref();
    const gone = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await gone;
  }
}

export interface RouteGetterOptions {
  /** Receive buffer asked for (forced with CAP_NET_ADMIN, else capped at net.core.rmem_max). Default 8 MiB. */
  recvBufferSize?: number;
  /** Most requests in one datagram; fewer when the receive buffer cannot hold their replies. Default 1000. */
  window?: number;
  /**
   * Receive-buffer bytes counted per reply when sizing the window: the kernel charges an skb's
   * true size, a few hundred bytes above the message (measured: 200 single-path replies fit in
   * 200 kB, 400 do not). Default 2048, for multipath replies and headroom.
   */
  replyBudget?: number;
  /** Send and receive on a worker thread (default), or on this one. */
  threaded?: boolean;
}

/** Datagrams of requests in flight: one being answered while the last one's replies are decoded. */
const IN_FLIGHT = 2;

/** Batches of route lookups on a netlink socket of their own. */
export class RouteGetter {
  private transport: Promise<Transport> | null = null;
  private window: number;
  private seq = (Math.random() * 0x7fffffff) >>> 0;
  private readonly cache = new AnswerCache();
  /** Times the receive buffer overflowed (the window then halves). */
  overruns = 0;

  constructor(private readonly options: RouteGetterOptions = {}) {
    this.window = options.window ?? 1000;
  }

  private open(): Promise<Transport> {
    this.transport ??= (async () => {
      const asked = this.options.recvBufferSize ?? 8 * 1024 * 1024;
      const t = this.options.threaded === false
        ? new SocketTransport(asked)
        : await ThreadTransport.start(asked).catch(() => new SocketTransport(asked));
      // What the kernel granted (twice what it was asked, up to its cap) sizes the window.
      this.window = Math.max(1, Math.min(this.window, Math.floor(t.recvBufferSize / (this.options.replyBudget ?? 2048))));
      return t;
    })();
    return this.transport;
  }

  /** Requests per datagram now. */
  get windowSize(): number {
    return this.window;
  }

  /** The kernel's answer to each query, in order. */
  async lookup(queries: readonly RouteQuery[]): Promise<RouteAnswer[]> {
    const transport = await this.open();
    const answers: (RouteAnswer | undefined)[] = new Array(queries.length).fill(undefined);
    if (!(await this.windows(transport, queries, answers))) return answers as RouteAnswer[];
    // The receive buffer overflowed: the replies after that point were dropped. Ask again for
    // what is missing, in smaller windows.
    this.overruns++;
    if (this.window === 1) throw new Error('netlink receive buffer overrun with one request in flight');
    this.window >>= 1;
    const missing: number[] = [];
    for (let i = 0; i < answers.length; i++) if (answers[i] === undefined) missing.push(i);
    const again = await this.lookup(missing.map((i) => queries[i]!));
    for (let k = 0; k < missing.length; k++) answers[missing[k]!] = again[k];
    return answers as RouteAnswer[];
  }

  /** Asks for every query, a window a datagram; true when some replies were lost to an overrun. */
  private async windows(transport: Transport, queries: readonly RouteQuery[], answers: (RouteAnswer | undefined)[]): Promise<boolean> {
    let overrun = false;
    let next = 0;
    const lane = async () => {
      while (next < queries.length) {
        const from = next;
        const to = (next = Math.min(queries.length, from + this.window));
        const seq = this.seq;
        this.seq = (this.seq + (to - from)) >>> 0;
        const r = await transport.exchange(encodeRouteGets(queries, from, to, seq), seq, to - from);
        let got = 0;
        for (const b of r.buffers) got += takeRouteAnswers(b, seq, to - from, answers, from, this.cache);
        if (got < to - from) {
          if (!r.overrun) throw new Error(`the kernel answered ${got} of ${to - from} route queries`);
          overrun = true;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    return overrun;
  }

  /** Closes the socket (and its thread): wait for it before the process exits. */
  async close(): Promise<void> {
    const t = this.transport;
    this.transport = null;
    await t?.then((x) => x.close(), () => undefined);
  }
}
