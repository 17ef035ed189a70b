// One dump request on its own socket, collected until NLMSG_DONE. Dumps never share a socket
// with events: an event arriving mid-dump on the same socket would break the multipart stream.
import { RawNetlinkSocket } from 'netlink';
import { NLMSG, NLM_F, encodeMessage, errorCode, forEachMessage } from './messages.ts';

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

export interface DumpedMessage {
  type: number;
  flags: number;
  /** The message body (after nlmsghdr), a view into the received datagram. */
  body: Buffer;
}

/**
 * Sends `type` with NLM_F_DUMP and resolves with every reply message. Rejects with
 * DumpInterrupted when any reply carries NLM_F_DUMP_INTR, and with DumpError on NLMSG_ERROR.
 */
export function dump(type: number, requestBody: Buffer, options: { recvBufferSize?: number } = {}): Promise<DumpedMessage[]> {
  const sock = new RawNetlinkSocket(NETLINK_ROUTE, {
    recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
    sendBufferSize: 64 * 1024,
    msgBufferSize: 64 * 1024,
  } as never);
  const seq = (Math.random() * 0x7fffffff) >>> 0;
  const out: DumpedMessage[] = [];
  let interrupted = false;
  return new Promise<DumpedMessage[]>((resolve, reject) => {
    const finish = (err?: Error) => {
      sock.close();
      if (err) reject(err);
      else if (interrupted) reject(new DumpInterrupted('dump interrupted by a concurrent change'));
      else resolve(out);
    };
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf) => {
      try {
        forEachMessage(buf, (h) => {
          if (h.seq !== seq) return; // not ours: a stale reply
          if (h.flags & NLM_F.DUMP_INTR) interrupted = true;
          if (h.type === NLMSG.DONE) finish();
          else if (h.type === NLMSG.ERROR) {
            const errno = errorCode(buf, h);
            if (errno) finish(new DumpError(errno, `netlink dump of type ${type} failed: errno ${errno}`));
          } else out.push({ type: h.type, flags: h.flags, body: buf.subarray(h.bodyStart, h.end) });
        });
      } catch (err) {
        finish(err as Error);
      }
    });
    sock.send(encodeMessage(type, NLM_F.REQUEST | NLM_F.DUMP, seq, requestBody), { port: 0 });
  });
}
