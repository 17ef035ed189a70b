// The worker thread behind threaded dumps (dump.ts): it owns the dump socket and only reads,
// so the kernel's time filling a full-table dump (most of a dump's cost, spent inside recvmsg)
// runs on another core while the main thread decodes what arrived before. The binding's
// recvDump reads datagrams straight into chunks of about 1 MiB, blocking: no event loop turn,
// buffer or callback per datagram. Chunks travel to the main thread transferred, not copied,
// and come back to be reused.
// Plain JavaScript: a worker does not get the TypeScript loader of the thread that starts it.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { constants, setPriority } from 'node:os';
// Only the raw socket layer: the package's index also loads every generated family codec,
// which costs this thread about 100 ms at start.
import raw from 'netlink/dist/raw.js';

const CHUNK = 1024 * 1024;
/** The largest datagram read (the kernel sends dump datagrams of at most 32 KiB). */
const DATAGRAM = 64 * 1024;
/** A dump that sends nothing for this long has failed. */
const SILENCE_MS = 30_000;
/**
 * Each blocking read waits at most this long, so that a thread being terminated (the process
 * exiting mid-dump) gets back to JavaScript, where termination takes effect, soon.
 */
const POLL_MS = 250;
/**
 * Chunks sent and not decoded yet, counted in shared memory. At MAX_IN_FLIGHT (4 MiB) this
 * thread waits, reading nothing, and the kernel holds the rest of the dump: otherwise, while the
 * main thread is busy, a full table would pile up here in chunks.
 */
const inFlight = new Int32Array(workerData.inFlight);
const MAX_IN_FLIGHT = 4;
// This thread's priority (dump.ts: the background thread yields). A nice value is per thread on
// Linux; where it cannot be set, the thread runs at the process's.
if (workerData.nice) {
  try {
    setPriority(workerData.nice);
  } catch {
    /* the process's priority */
  }
}
/**
 * Chunks the main thread has given back, taken from their port as they are needed (this
 * thread's event loop does not turn during a dump). Idle ones go back with the dump's end, to be
 * freed by the main thread's garbage collector: an idle thread collects nothing, and would hold
 * them until its next dump.
 */
const pool = [];
const recycled = workerData.recycle;
const sizes = new Int32Array(CHUNK / 16);
const state = new Int32Array(4);

function drainRecycled() {
  for (let m; (m = receiveMessageOnPort(recycled));) pool.push(m.message);
}

function takeChunk() {
  drainRecycled();
  return Buffer.from(pool.pop() ?? new ArrayBuffer(CHUNK));
}

/** What a failed system call tells the main thread (as Node's own errors: a negative errno). */
function syscallError(syscall, errno, doing) {
  const code = Object.keys(constants.errno).find((k) => constants.errno[k] === errno) ?? `errno ${errno}`;
  return { message: `${syscall}: ${code} ${doing}`, code, errno: -errno };
}

/** Reads the whole dump, chunk by chunk, to the main thread. */
function readDump(sock, id, seq) {
  let chunk = takeChunk();
  let used = 0;
  // The datagrams' lengths, so that a tap (vrfsync record) sees them as the kernel sent them.
  let lengths = [];
  // The dump's last chunk is not given back: the thread is idle after it.
  const flush = (last = false) => {
    if (used === 0) {
      if (last) pool.push(chunk.buffer);
      return;
    }
    for (let n; (n = Atomics.load(inFlight, 0)) >= MAX_IN_FLIGHT;) Atomics.wait(inFlight, 0, n, 1000);
    Atomics.add(inFlight, 0, 1);
    parentPort.postMessage({ id, chunk: chunk.buffer, len: used, sizes: lengths, last }, [chunk.buffer]);
    if (last) return;
    chunk = takeChunk();
    used = 0;
    lengths = [];
  };
  let silent = 0;
  for (;;) {
    sock.recvDump(chunk, used, seq, sizes, state, POLL_MS);
    used = state[0];
    for (let i = 0; i < state[1]; i++) lengths.push(sizes[i]);
    if (state[1] > 0) silent = 0;
    if (state[3] === constants.errno.ETIMEDOUT && (silent += POLL_MS) < SILENCE_MS) continue;
    if (state[3]) {
      flush(true);
      return syscallError('recvmsg', state[3], 'reading a netlink dump');
    }
    if (state[2]) {
      flush(true);
      return null;
    }
    // recvDump stopped short of the end: the chunk has no room for another datagram.
    flush();
  }
}

function run({ id, request, seq, recvBufferSize }) {
  let sock;
  try {
    sock = new raw.RawNetlinkSocket(0, {
      recvBufferSize, sendBufferSize: 64 * 1024, messagePeeking: false, msgBufferSize: DATAGRAM,
    });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code, errno: err.errno } });
    return;
  }
  const finish = (error) => {
    sock.close();
    drainRecycled();
    const spare = pool.splice(0);
    parentPort.postMessage(error ? { id, error, spare } : { id, end: true, spare }, spare);
  };
  // The whole dump runs in this turn of the thread's loop, from the request to the end: not
  // inside a callback of the binding (once the end is posted, the main thread may exit and
  // terminate this thread, and a termination inside a binding callback aborts the process), and
  // with no turn in between, in which the socket's own poll would read the replies.
  const errno = sock.sendNow(Buffer.from(request));
  finish(errno ? syscallError('sendmsg', errno, 'sending a netlink dump request') : readDump(sock, id, seq));
}

parentPort.on('message', run);
