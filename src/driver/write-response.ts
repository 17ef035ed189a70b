// WriteResponse decoding for the full-sync path: a response to a batch of thousands of
// updates is thousands of empty UpdateStatus messages (OK). They all decode to one shared,
// frozen OK status; only the others go through the generated decoder.
import { Code, pb, type v1 } from './wire.ts';

export const OK_STATUS: v1.IUpdateStatus = Object.freeze({ code: Code.OK, message: '', usage: null });

function varint(b: Buffer, at: { i: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = b[at.i++];
    if (byte === undefined) throw new Error('truncated varint');
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return v;
    mul *= 128;
  }
}

/** A WriteResponse: `statuses` with OK ones shared. Falls back to the generated decoder. */
export function decodeWriteResponse(b: Buffer): v1.WriteResponse {
  const statuses: v1.IUpdateStatus[] = [];
  const at = { i: 0 };
  while (at.i < b.length) {
    const tag = varint(b, at);
    if (tag !== 0x0a) return pb.WriteResponse.decode(b); // not only `statuses`: the general path
    const len = varint(b, at);
    if (at.i + len > b.length) throw new Error('truncated WriteResponse');
    if (len === 0) statuses.push(OK_STATUS);
    else {
      const s = pb.UpdateStatus.decode(b.subarray(at.i, at.i + len));
      statuses.push((s.code ?? Code.OK) === Code.OK && !s.message && !s.usage ? OK_STATUS : { code: s.code ?? Code.OK, message: s.message ?? '', usage: s.usage ?? null });
    }
    at.i += len;
  }
  return pb.WriteResponse.create({ statuses: statuses as v1.UpdateStatus[] });
}
