// Protobuf bytes by hand, for tests of hwsim's Write reader: fields in any order, unknown fields,
// long varint forms, groups; whatever a generated encoder would never write.

export function varint(n: number | bigint, minBytes = 1): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 128n || out.length + 1 < minBytes) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export const tag = (field: number, wire: number) => varint(field * 8 + wire);
export const vfield = (field: number, n: number | bigint, minBytes = 1) => [...tag(field, 0), ...varint(n, minBytes)];
export const ldfield = (field: number, body: number[] | Uint8Array) => [...tag(field, 2), ...varint(body.length), ...body];
export function fixed32(field: number, v: number): number[] {
  return [...tag(field, 5), v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}
export const fixed64 = (field: number) => [...tag(field, 1), 1, 2, 3, 4, 5, 6, 7, 8];
/** A group holding one varint field. */
export const group = (field: number) => [...tag(field, 3), ...vfield(1, 7), ...tag(field, 4)];

/** One unknown field of each plain wire type, numbered past every message's own fields. */
export const UNKNOWNS = [vfield(100, 2 ** 40), fixed64(101), ldfield(102, [1, 2, 3]), fixed32(103, 0xdeadbeef)];

export const bytes = (...parts: number[][]) => Buffer.from(parts.flat());
