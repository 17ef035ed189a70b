// Write's wire form as hwsim's server reads and answers it. A full sync sends a million route
// updates; the generated decoder builds five objects for each (Update, Entity, Route, IpPrefix,
// a Buffer), which costs hwsim more than applying them. This reader turns route updates
// straight into compact rows of a WriteBatch (hwsim/write-batch.ts).
//
// It takes only what it understands completely, so that nothing can mean one thing here and
// another to the generated decoder: each field at most once, varints in the forms protobufjs
// reads, an IPv6 prefix of 16 bytes, unknown fields of the four plain wire types (skipped, as
// protobuf requires). Any other update (another entity, an odd encoding, a group) is decoded
// by the generated decoder from its own bytes; anything odd in the request itself, or bytes
// the generated decoder refuses, and the whole request is decoded by the generated decoder:
// malformed bytes fail the call exactly as they always have (INVALID_ARGUMENT: the server's
// StrictServer, src/common/grpc-strict.ts, turns a deserializer's throw into that status).
import $protobuf from 'protobufjs/minimal.js';
import { OK_STATUS } from '../../hwsim/asic.ts';
import { TargetKind } from '../../hwsim/route-table.ts';
import { WriteBatch } from '../../hwsim/write-batch.ts';
import { pb, type v1 } from '../../src/driver/wire.ts';

/** A WriteRequest as the server's write handler takes it. */
export interface DecodedWrite {
  electionId: number;
  continueOnError: boolean;
  batch: WriteBatch;
}

/** The wire types this reader reads and skips (groups it leaves to the generated decoder). */
const enum Wire { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 }

/** The generated decoder's own signature, with the nesting depth it passes down. */
type NestedDecode = (reader: $protobuf.Reader, length: number, end: undefined, depth: number) => v1.Update;

/** Four bytes in network order (as an int32: it is stored in a Uint32Array). */
function word(b: Buffer, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

class WriteReader {
  pos = 0;
  /**
   * Where routes go, straight into row `row`. (Not fields of this reader: V8 keeps a field as a
   * small integer until a uint32 past 2^30 shows up, and then throws away all code that read it.)
   */
  batch: WriteBatch | null = null;
  row = 0;

  constructor(readonly buf: Buffer) {}

  /**
   * A varint as protobufjs reads a uint32 (and, `| 0`, an int32 or a tag): at most 5 bytes, the
   * fifth at most 15. -1 for anything else or when it runs past `end`.
   */
  u32(end: number): number {
    const p = this.pos;
    if (p < end) {
      const x = this.buf[p]!;
      if (x < 128) {
        this.pos = p + 1;
        return x;
      }
    }
    return this.u32Long(end);
  }

  private u32Long(end: number): number {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) return -1;
      const x = b[p++]!;
      v |= (x & 127) << shift;
      if (x < 128) {
        this.pos = p;
        return v >>> 0;
      }
    }
    if (p >= end) return -1;
    const x = b[p++]!;
    if (x > 15) return -1;
    this.pos = p;
    return (v | (x << 28)) >>> 0;
  }

  /** A tag; -1 for field number 0 (which protobufjs refuses) or a bad varint. */
  tag(end: number): number {
    const t = this.u32(end);
    return t < 8 ? -1 : t;
  }

  /** Skips a field of a plain wire type; false for groups, bad wire types or overruns. */
  skip(wire: number, end: number): boolean {
    let n: number;
    switch (wire) {
      case Wire.Varint:
        while (this.pos < end) if (this.buf[this.pos++]! < 128) return true;
        return false;
      case Wire.Fixed64: n = 8; break;
      case Wire.Fixed32: n = 4; break;
      case Wire.Bytes:
        n = this.u32(end);
        if (n < 0) return false;
        break;
      default:
        return false;
    }
    if (n > end - this.pos) return false;
    this.pos += n;
    return true;
  }

  /** A length-delimited field's length, checked against `end`, or -1. */
  size(end: number): number {
    const n = this.u32(end);
    return n < 0 || n > end - this.pos ? -1 : n;
  }

  /** Update [pos, end): true when it is a route read completely into row `row` of the batch. */
  readUpdate(end: number): boolean {
    let type = -1;
    let entityEnd = -1;
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag < 0) return false;
      if (tag === 0x08) { // type
        if (type >= 0 || (type = this.u32(end)) < 0) return false;
      } else if (tag === 0x12) { // entity
        const n = this.size(end);
        if (entityEnd >= 0 || n < 0) return false;
        entityEnd = this.pos + n;
        if (!this.readEntity(entityEnd)) return false;
      } else if (!this.skip(tag & 7, end)) return false;
    }
    if (type < 1 || type > 3 || entityEnd < 0) return false;
    this.batch!.op[this.row] = type;
    return true;
  }

  /** Entity: a route and nothing else that it knows. */
  private readEntity(end: number): boolean {
    let route = false;
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag < 0) return false;
      const field = tag >>> 3;
      if (tag === 0x32) { // route
        const n = this.size(end);
        if (route || n < 0) return false;
        route = true;
        if (!this.readRoute(this.pos + n)) return false;
      } else if (field <= 6 && (tag & 7) === Wire.Bytes) {
        return false; // another entity kind
      } else if (!this.skip(tag & 7, end)) return false;
    }
    return route;
  }

  private readRoute(end: number): boolean {
    let seen = 0; // bit per field number
    const b = this.batch!;
    const i = this.row;
    b.vrf[i] = b.action[i] = b.target[i] = 0;
    b.kind[i] = TargetKind.None;
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag < 0) return false;
      const field = tag >>> 3;
      const wire = tag & 7;
      const known = field <= 6 && wire === (field === 2 ? Wire.Bytes : Wire.Varint);
      if (!known) {
        if (!this.skip(wire, end)) return false;
        continue;
      }
      // Each field once, and one target of the oneof.
      if (seen & (1 << field) || (field >= 4 && seen & 0x70)) return false;
      seen |= 1 << field;
      if (field === 2) {
        const n = this.size(end);
        if (n < 0 || !this.readPrefix(this.pos + n)) return false;
        continue;
      }
      const v = this.u32(end);
      if (v < 0) return false;
      if (field === 1) b.vrf[i] = v;
      else if (field === 3) b.action[i] = v | 0;
      else {
        b.kind[i] = field - 3; // 4, 5, 6: next hop, group, router interface
        b.target[i] = v;
      }
    }
    return (seen & 4) !== 0;
  }

  private readPrefix(end: number): boolean {
    let seen = 0;
    const buf = this.buf;
    const b = this.batch!;
    const i = this.row;
    const o = i * 4;
    b.len[i] = b.addr[o] = b.addr[o + 1] = b.addr[o + 2] = b.addr[o + 3] = 0;
    while (this.pos < end) {
      const tag = this.tag(end);
      if (tag < 0) return false;
      if (tag === 0x0d) { // ipv4, fixed32
        if (seen & 2 || end - this.pos < 4) return false;
        seen |= 2;
        b.family[i] = 4;
        const p = this.pos;
        b.addr[o] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
        this.pos = p + 4;
      } else if (tag === 0x12) { // ipv6, 16 bytes
        if (seen & 4 || this.size(end) !== 16) return false;
        seen |= 4;
        b.family[i] = 6;
        const p = this.pos;
        b.addr[o] = word(buf, p);
        b.addr[o + 1] = word(buf, p + 4);
        b.addr[o + 2] = word(buf, p + 8);
        b.addr[o + 3] = word(buf, p + 12);
        this.pos = p + 16;
      } else if (tag === 0x18) { // length
        const v = this.u32(end);
        if (seen & 8 || v < 0) return false;
        seen |= 8;
        b.len[i] = v;
      } else if (!this.skip(tag & 7, end)) return false;
    }
    const family = seen & 6;
    return family === 2 || family === 4; // exactly one of ipv4 and ipv6
  }
}

/** Start and end of each update of the request being read, reused across calls. */
let spans = new Int32Array(2 * 8192);

/** The request through the compact reader, or null when the generated decoder must read it. */
function readCompact(buf: Buffer): DecodedWrite | null {
  const r = new WriteReader(buf);
  const end = buf.length;
  let electionId = 0;
  let continueOnError = false;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag < 0) return null;
    if (tag === 0x08) { // election_id, uint64: up to 7 bytes keeps it exact in a double
      let v = 0;
      let scale = 1;
      for (let k = 0; ; k++) {
        if (k === 7 || r.pos >= end) return null;
        const x = buf[r.pos++]!;
        v += (x & 127) * scale;
        scale *= 128;
        if (x < 128) break;
      }
      electionId = v;
    } else if (tag === 0x12) { // updates
      const len = r.size(end);
      if (len < 0) return null;
      if (2 * n + 2 > spans.length) {
        const bigger = new Int32Array(spans.length * 2);
        bigger.set(spans);
        spans = bigger;
      }
      spans[2 * n] = r.pos;
      spans[2 * n + 1] = r.pos += len;
      n++;
    } else if (tag === 0x18) { // continue_on_error, bool: true when any bit is set
      let v = false;
      for (let k = 0; ; k++) {
        if (k === 10 || r.pos >= end) return null;
        const x = buf[r.pos++]!;
        if (x & 127) v = true;
        if (x < 128) break;
      }
      continueOnError = v;
    } else if (!r.skip(tag & 7, end)) return null;
  }

  const batch = WriteBatch.acquire(n);
  r.batch = batch;
  let reader: $protobuf.Reader | null = null;
  for (let i = 0; i < n; i++) {
    const start = spans[2 * i]!;
    const stop = spans[2 * i + 1]!;
    r.pos = start;
    r.row = i;
    if (r.readUpdate(stop)) continue;
    // Decoded as WriteRequest.decode decodes its updates (nesting depth 1), from the same bytes.
    reader ??= $protobuf.Reader.create(buf);
    reader.pos = start;
    try {
      batch.setGeneric(i, (pb.Update.decode as unknown as NestedDecode)(reader, stop - start, undefined, 1));
    } catch {
      batch.release();
      return null;
    }
  }
  return { electionId, continueOnError, batch };
}

/** Write's requestDeserialize: throws, as the generated decoder does, on malformed bytes. */
export function decodeWriteRequest(buf: Buffer): DecodedWrite {
  const compact = readCompact(buf);
  if (compact) return compact;
  const req = pb.WriteRequest.decode(buf);
  return {
    electionId: Number(req.electionId ?? 0),
    continueOnError: Boolean(req.continueOnError),
    batch: WriteBatch.ofUpdates(req.updates ?? []),
  };
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Two bytes per OK status: field 1, an empty UpdateStatus. */
const OK_BYTES = Buffer.of(0x0a, 0x00);

/**
 * Write's responseSerialize: the bytes the generated encoder writes, built without it for the
 * OK statuses that make up nearly every response.
 */
export function encodeWriteResponse(res: v1.IWriteResponse): Buffer {
  const statuses = res.statuses ?? [];
  let size = 0;
  let others: Uint8Array[] | null = null;
  // A failed batch ends in a run of one shared ABORTED status: encoded once.
  let prev: v1.IUpdateStatus | null = null;
  let prevBytes: Uint8Array | null = null;
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i]!;
    if (s === OK_STATUS) {
      size += 2;
      continue;
    }
    const bytes: Uint8Array = s === prev ? prevBytes! : pb.UpdateStatus.encode(s).finish();
    prev = s;
    prevBytes = bytes;
    (others ??= [])[i] = bytes;
    size += 1 + varintLength(bytes.length) + bytes.length;
  }
  const out = Buffer.allocUnsafe(size);
  if (!others) return size ? out.fill(OK_BYTES) : out;
  let at = 0;
  for (let i = 0; i < statuses.length; i++) {
    const bytes = others[i];
    if (!bytes) {
      out[at++] = 0x0a;
      out[at++] = 0x00;
      continue;
    }
    out[at++] = 0x0a;
    let len = bytes.length;
    while (len >= 128) {
      out[at++] = (len & 127) | 128;
      len = Math.floor(len / 128);
    }
    out[at++] = len;
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
