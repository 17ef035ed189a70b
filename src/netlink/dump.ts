// One dump request on its own socket, collected until NLMSG_DONE. Dumps never share a socket
// with events: an event arriving mid-dump on the same socket would break the multipart stream.
import { RawNetlinkSocket } from 'netlink';
import { MalformedMessage } from './attributes.ts';
import { NLMSG, NLMSG_HDRLEN, NLM_F, encodeMessage } from './messages.ts';

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

/**
 * Sends `type` with NLM_F_DUMP and calls `visit` for every reply message as datagrams arrive
 * (decoding in place: no per-message buffers are kept). Resolves at NLMSG_DONE; rejects with
 * DumpInterrupted when any reply carried NLM_F_DUMP_INTR, and with DumpError on NLMSG_ERROR.
 */
export function dump(type: number, requestBody: Buffer, visit: DumpVisitor, options: { recvBufferSize?: number } = {}): Promise<void> {
  const sock = new RawNetlinkSocket(NETLINK_ROUTE, {
    recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
    sendBufferSize: 64 * 1024,
    // Read into a fixed 64 KiB buffer rather than peeking: the kernel sizes dump datagrams by the
    // reader's last buffer, so a large one means fewer, fuller datagrams (as iproute2 does).
    messagePeeking: false,
    msgBufferSize: 64 * 1024,
  } as never);
  const seq = (Math.random() * 0x7fffffff) >>> 0;
  let interrupted = false;
  let done = false;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      sock.close();
      if (err) reject(err);
      else if (interrupted) reject(new DumpInterrupted('dump interrupted by a concurrent change'));
      else resolve();
    };
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf: Buffer) => {
      try {
        // The hot loop of a full-table dump: message headers read in place, no object each.
        let off = 0;
        while (off + NLMSG_HDRLEN <= buf.length && !done) {
          const len = buf.readUInt32LE(off);
          if (len < NLMSG_HDRLEN || off + len > buf.length) {
            throw new MalformedMessage(`netlink message at ${off} has length ${len} in a datagram of ${buf.length}`);
          }
          const mtype = buf.readUInt16LE(off + 4);
          const flags = buf.readUInt16LE(off + 6);
          if (buf.readUInt32LE(off + 8) === seq) {
            if (flags & NLM_F.DUMP_INTR) interrupted = true;
            if (mtype === NLMSG.DONE) finish();
            else if (mtype === NLMSG.ERROR) {
              const errno = len >= NLMSG_HDRLEN + 4 ? -buf.readInt32LE(off + NLMSG_HDRLEN) : 0;
              if (errno) finish(new DumpError(errno, `netlink dump of type ${type} failed: errno ${errno}`));
            } else visit(mtype, flags, buf, off + NLMSG_HDRLEN, off + len);
          }
          off += (len + 3) & ~3;
        }
      } catch (err) {
        finish(err as Error);
      }
    });
    sock.send(encodeMessage(type, NLM_F.REQUEST | NLM_F.DUMP, seq, requestBody), { port: 0 });
  });
}
