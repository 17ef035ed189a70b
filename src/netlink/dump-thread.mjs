// The worker thread behind threaded dumps (dump.ts): it owns the dump socket and only reads,
// so the kernel's time filling a full-table dump (most of a dump's cost, spent inside recvmsg)
// runs on another core while the main thread decodes what arrived before. Datagrams travel in
// chunks of about 1 MiB, transferred, not copied, and recycled by the main thread.
// Plain JavaScript: a worker does not get the TypeScript loader of the thread that starts it.
import { parentPort, workerData } from 'node:worker_threads';
// Only the raw socket layer: the package's index also loads every generated family codec,
// which costs this thread about 100 ms at start.
import raw from 'netlink/dist/raw.js';

// Each transfer costs this thread, whose pace bounds a full-table dump's, tens of microseconds:
// 256 KiB chunks made a full table's ingest ~25 ms slower.
const CHUNK = 1024 * 1024;
/**
 * Chunks sent and not decoded yet, counted in shared memory. At MAX_IN_FLIGHT (8 MiB) this
 * thread waits, reading nothing, and the kernel holds the rest of the dump: otherwise, while the
 * main thread is busy, a full table would pile up here in chunks.
 */
const inFlight = new Int32Array(workerData.inFlight);
const MAX_IN_FLIGHT = 8;
const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
/** Chunks the main thread has given back. */
const pool = [];

function takeChunk() {
  return Buffer.from(pool.pop() ?? new ArrayBuffer(CHUNK));
}

/**
 * Does this datagram end dump `seq` (NLMSG_DONE, or an NLMSG_ERROR that is not an ACK)? Read
 * as 32-bit words (netlink headers are in host order), which costs half what Buffer's readers
 * or a DataView do: this walk meets every message of a full table on the thread that bounds
 * the dump's pace.
 */
function ends(buf, seq) {
  const n = buf.length;
  // A datagram of the binding's own is aligned; a small one may sit in a shared pool.
  const bytes = buf.byteOffset % 4 === 0 ? buf : new Uint8Array(buf);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2);
  let w = 0;
  while (w * 4 + NLMSG_HDRLEN <= n) {
    const len = words[w];
    if (len < NLMSG_HDRLEN || w * 4 + len > n) return true; // malformed: main reports it
    const type = words[w + 1] & 0xffff;
    if (words[w + 2] === seq && (type === NLMSG_DONE || type === NLMSG_ERROR)) return true;
    w += (len + 3) >>> 2;
  }
  return false;
}

function run({ id, request, seq, recvBufferSize }) {
  let sock;
  try {
    sock = new raw.RawNetlinkSocket(0, {
      recvBufferSize, sendBufferSize: 64 * 1024, messagePeeking: false, msgBufferSize: 64 * 1024,
    });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code, errno: err.errno } });
    return;
  }
  let chunk = takeChunk();
  let used = 0;
  // The datagrams' lengths, so that a tap (vrfsync record) sees them as the kernel sent them.
  let sizes = [];
  let finished = false;
  const flush = () => {
    if (used === 0) return;
    for (let n; (n = Atomics.load(inFlight, 0)) >= MAX_IN_FLIGHT;) Atomics.wait(inFlight, 0, n, 1000);
    Atomics.add(inFlight, 0, 1);
    parentPort.postMessage({ id, chunk: chunk.buffer, len: used, sizes }, [chunk.buffer]);
    chunk = takeChunk();
    used = 0;
    sizes = [];
  };
  const finish = (error) => {
    if (finished) return;
    finished = true;
    flush();
    sock.close();
    parentPort.postMessage(error ? { id, error } : { id, end: true });
  };
  sock.on('message', (buf) => {
    if (finished) return;
    // Reads are at most 64 KiB, a sixteenth of a chunk.
    if (used + buf.length > CHUNK) flush();
    buf.copy(chunk, used);
    used += buf.length;
    sizes.push(buf.length);
    if (ends(buf, seq)) finish();
    else if (used > CHUNK / 2) flush();
  });
  sock.on('error', (err) => finish({ message: err.message, code: err.code, errno: err.errno }));
  sock.send(Buffer.from(request), { port: 0 });
}

parentPort.on('message', (msg) => {
  if (msg.recycle) pool.push(msg.recycle);
  else run(msg);
});
