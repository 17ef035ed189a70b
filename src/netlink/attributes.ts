// Reading and writing netlink attributes (struct rtattr / struct nlattr: u16 length, u16 type,
// payload padded to 4 bytes) straight from message buffers, without per-attribute objects.

export const NLA_ALIGN = (n: number) => (n + 3) & ~3;
export const NLA_HDRLEN = 4;
/** Nested-attribute and byte-order flag bits carried in the type field. */
const NLA_TYPE_MASK = 0x3fff;

/** A malformed message: counted and skipped by the caller, never thrown past src/netlink. */
export class MalformedMessage extends Error {
  readonly code = 'VRFSYNC_MALFORMED_NETLINK';
}

/**
 * Calls `visit(type, payloadOffset, payloadLength)` for each attribute in buf[start, end).
 * Throws MalformedMessage when an attribute's length runs past `end` or is below the header.
 */
export function forEachAttr(buf: Buffer, start: number, end: number, visit: (type: number, off: number, len: number) => void): void {
  let off = start;
  while (off + NLA_HDRLEN <= end) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || off + len > end) {
      throw new MalformedMessage(`attribute ${type} at ${off} has length ${len}, past the end ${end}`);
    }
    visit(type, off + NLA_HDRLEN, len - NLA_HDRLEN);
    off += NLA_ALIGN(len);
  }
}

/** Appends attributes to a growing list of buffers. */
export class AttrWriter {
  private readonly parts: Buffer[] = [];

  raw(type: number, payload: Buffer): this {
    const len = NLA_HDRLEN + payload.length;
    const b = Buffer.alloc(NLA_ALIGN(len));
    b.writeUInt16LE(len, 0);
    b.writeUInt16LE(type, 2);
    payload.copy(b, NLA_HDRLEN);
    this.parts.push(b);
    return this;
  }
  u8(type: number, v: number): this {
    return this.raw(type, Buffer.of(v));
  }
  u16(type: number, v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.raw(type, b);
  }
  u32(type: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.raw(type, b);
  }
  string(type: number, s: string): this {
    return this.raw(type, Buffer.from(`${s}\0`));
  }
  flag(type: number): this {
    return this.raw(type, Buffer.alloc(0));
  }
  nested(type: number, inner: AttrWriter): this {
    return this.raw(type | 0x8000, inner.toBuffer());
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A u32 attribute payload, refusing one shorter than 4 bytes. */
export function attrU32(buf: Buffer, off: number, len: number, what: string): number {
  if (len < 4) throw new MalformedMessage(`${what}: ${len} bytes for a u32`);
  return buf.readUInt32LE(off);
}
