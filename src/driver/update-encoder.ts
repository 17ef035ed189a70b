// A Write's updates encoded straight to protobuf bytes: the hot path of a full sync, which sends
// a million route updates. Building a message object tree per route and handing it to the
// generated encoder costs microseconds per route; writing the few fields of a Route by hand
// costs a small fraction of that. Other entities go through the generated encoder.
//
// What this produces is the repeated `updates` field (2) of a WriteRequest, ready to be framed
// with the election id and the continue-on-error flag (encodeWriteRequest).
import { pb, type v1 } from './wire.ts';

/** Pre-encoded updates: `bytes` holds `count` WriteRequest.updates entries. */
export interface EncodedUpdates {
  count: number;
  bytes: Buffer;
}

export const enum RouteTarget { None = 0, NextHop = 4, Group = 5, Rif = 6 }

function varintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export class UpdateEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;
  count = 0;

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  private varint(v: number) {
    const b = this.buf;
    while (v >= 0x80) {
      b[this.at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.at++] = v;
  }

  /** Any update, through the generated encoder. */
  add(u: v1.IUpdate): void {
    const bytes = pb.Update.encode(u).finish();
    this.room(bytes.length + 6);
    this.buf[this.at++] = 0x12;
    this.varint(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
    this.count++;
  }

  /**
   * A route update. `type` is Update.Type; a DELETE carries the key only. Prefix words are in
   * network order (IPv4: d0 only, which is also the contract's host-order integer).
   */
  route(type: number, vrfId: number, family: 4 | 6, dstLen: number, d0: number, d1: number, d2: number, d3: number,
    action: number, target: RouteTarget, targetId: number): void {
    const full = type !== 3;
    // IpPrefix: ipv4 (fixed32, field 1) or ipv6 (16 bytes, field 2), then length (field 3).
    const prefixLen = (family === 4 ? 5 : 18) + (dstLen ? 1 + varintLen(dstLen) : 0);
    let routeLen = (vrfId ? 1 + varintLen(vrfId) : 0) + 1 + varintLen(prefixLen) + prefixLen;
    if (full) {
      if (action) routeLen += 1 + varintLen(action);
      if (target !== RouteTarget.None) routeLen += 1 + varintLen(targetId);
    }
    const entityLen = 1 + varintLen(routeLen) + routeLen;
    const updateLen = (type ? 1 + varintLen(type) : 0) + 1 + varintLen(entityLen) + entityLen;
    this.room(updateLen + 6);
    const b = this.buf;
    b[this.at++] = 0x12; // WriteRequest.updates
    this.varint(updateLen);
    if (type) {
      b[this.at++] = 0x08; // Update.type
      this.varint(type);
    }
    b[this.at++] = 0x12; // Update.entity
    this.varint(entityLen);
    b[this.at++] = 0x32; // Entity.route
    this.varint(routeLen);
    if (vrfId) {
      b[this.at++] = 0x08; // Route.vrf_id
      this.varint(vrfId);
    }
    b[this.at++] = 0x12; // Route.prefix
    this.varint(prefixLen);
    if (family === 4) {
      b[this.at++] = 0x0d; // IpPrefix.ipv4, fixed32 little-endian
      b.writeUInt32LE(d0 >>> 0, this.at);
      this.at += 4;
    } else {
      b[this.at++] = 0x12; // IpPrefix.ipv6
      b[this.at++] = 16;
      b.writeUInt32BE(d0 >>> 0, this.at);
      b.writeUInt32BE(d1 >>> 0, this.at + 4);
      b.writeUInt32BE(d2 >>> 0, this.at + 8);
      b.writeUInt32BE(d3 >>> 0, this.at + 12);
      this.at += 16;
    }
    if (dstLen) {
      b[this.at++] = 0x18; // IpPrefix.length
      this.varint(dstLen);
    }
    if (full) {
      if (action) {
        b[this.at++] = 0x18; // Route.action
        this.varint(action);
      }
      if (target !== RouteTarget.None) {
        b[this.at++] = target << 3; // Route.next_hop_id / group_id / rif_id (varint)
        this.varint(targetId);
      }
    }
    this.count++;
  }

  /** The updates so far; the encoder starts over empty. */
  finish(): EncodedUpdates {
    const out = { count: this.count, bytes: Buffer.from(this.buf.subarray(0, this.at)) };
    this.at = 0;
    this.count = 0;
    return out;
  }
}

/** A whole WriteRequest around pre-encoded updates. */
export function encodeWriteRequest(electionId: number, updates: EncodedUpdates, continueOnError: boolean): Buffer {
  const head = pb.WriteRequest.encode({ electionId }).finish();
  const tail = continueOnError ? Buffer.of(0x18, 1) : Buffer.alloc(0);
  return Buffer.concat([head, updates.bytes, tail]);
}
