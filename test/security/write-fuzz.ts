// Valid Write requests and their byte-level mutants, from a seeded generator: the same seed gives
// the same inputs, so a failure names the seed and the input's number and can be replayed.
import { pb, UpdateType, type v1 } from '../../src/driver/wire.ts';

/** xorshift128+: small, fast, seedable. */
export class Rng {
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = (seed ^ 0x9e3779b9) >>> 0 || 1;
    this.b = Math.imul(seed, 0x85ebca6b) >>> 0 || 2;
  }
  /** Uniform in [0, 2^32). */
  u32(): number {
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 ^= s1 << 23;
    s1 ^= s1 >>> 17;
    s1 ^= s0 ^ (s0 >>> 26);
    this.b = s1 >>> 0;
    return (this.a + this.b) >>> 0;
  }
  /** Uniform in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
}

const mac = (r: Rng) => Buffer.from([2, 0, 0, 0, r.int(4), r.int(256)]);
const v4 = (r: Rng) => ({ ipv4: (0x0a000000 | (r.int(4) << 8) | r.int(8)) >>> 0 });
const v6 = (r: Rng) => ({ ipv6: Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, r.int(4), 0, 0, 0, 0, 0, 0, 0, 0, 0, r.int(8)]) });

/** Ids from small ranges, so that mutants and later Writes keep meeting the same entities. */
function entity(r: Rng): v1.IEntity {
  switch (r.int(8)) {
    case 0:
      return { vrf: { id: 1 + r.int(4), name: `v${r.int(4)}` } };
    case 1:
      return {
        routerInterface: {
          id: 1 + r.int(6), vrfId: r.int(4), ...(r.chance(0.85) ? { portId: 1 + r.int(6) } : { loopback: {} }),
          mac: mac(r), mtu: r.pick([0, 1500, 9000]), adminUp: r.chance(0.8), ...(r.chance(0.2) ? { vlanId: 1 + r.int(3) } : {}),
        },
      };
    case 2:
      return { neighbor: { rifId: 1 + r.int(6), ip: r.chance(0.7) ? v4(r) : v6(r), mac: mac(r) } };
    case 3:
      return { nextHop: { id: 1 + r.int(8), rifId: 1 + r.int(6), ip: r.chance(0.7) ? v4(r) : v6(r) } };
    case 4:
      return {
        nextHopGroup: {
          id: 1 + r.int(3),
          members: Array.from({ length: 1 + r.int(4) }, () => ({ nextHopId: 1 + r.int(8), weight: 1 + r.int(3) })),
        },
      };
    default: {
      const six = r.chance(0.3);
      const len = six ? r.pick([0, 48, 64, 128]) : r.pick([0, 8, 16, 24, 32]);
      const prefix: v1.IIpPrefix = six
        ? { ipv6: Buffer.from([0x20, 0x01, 0x0d, 0xb8, r.int(4), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).fill(0, Math.ceil(len / 8)), length: len }
        : { ipv4: len === 0 ? 0 : ((0x0a000000 | (r.int(4) << 16)) >>> 0) & (len === 32 ? 0xffffffff : ~(0xffffffff >>> len)) >>> 0, length: len };
      const action = r.pick([1, 1, 1, 2, 3]);
      const target = action !== 1 ? {} : r.pick([{ nextHopId: 1 + r.int(8) }, { groupId: 1 + r.int(3) }, { rifId: 1 + r.int(6) }]);
      return { route: { vrfId: r.int(4), prefix, action, ...target } };
    }
  }
}

/** A valid WriteRequest of 1 to 8 updates, for `electionId`. */
export function validWrite(r: Rng, electionId: number): v1.IWriteRequest {
  const n = 1 + r.int(8);
  return {
    electionId,
    continueOnError: r.chance(0.5),
    updates: Array.from({ length: n }, () => ({ type: r.pick([UpdateType.INSERT, UpdateType.INSERT, UpdateType.MODIFY, UpdateType.DELETE]), entity: entity(r) })),
  };
}

export const encodeWrite = (w: v1.IWriteRequest): Buffer => Buffer.from(pb.WriteRequest.encode(w).finish());

const INTERESTING = [0x00, 0x01, 0x07, 0x08, 0x0f, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x22, 0x0b, 0x0c, 0x0e];

/** One (mostly) to four byte-level mutations of `buf` (`donor` is another valid request, for splices). */
export function mutate(r: Rng, buf: Buffer, donor: Buffer): Buffer {
  let b = Buffer.from(buf);
  const rounds = r.chance(0.6) ? 1 : 2 + r.int(3);
  for (let k = 0; k < rounds; k++) {
    const at = r.int(b.length + 1);
    switch (r.int(10)) {
      case 0: // flip a bit
        if (b.length) b[r.int(b.length)]! ^= 1 << r.int(8);
        break;
      case 1: // an interesting byte (tags of every wire type, varint edges)
        if (b.length) b[r.int(b.length)] = r.pick(INTERESTING);
        break;
      case 2: // a random byte
        if (b.length) b[r.int(b.length)] = r.int(256);
        break;
      case 3: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + r.int(6) }, () => r.int(256))), b.subarray(at)]);
        break;
      case 4: { // delete a range
        const n = 1 + r.int(8);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
        break;
      }
      case 5: // truncate
        b = b.subarray(0, r.int(b.length + 1));
        break;
      case 6: { // duplicate a range in place (repeated fields, fields given twice)
        const n = 1 + r.int(16);
        b = Buffer.concat([b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n)]);
        break;
      }
      case 7: { // splice in part of another request
        const from = r.int(donor.length);
        b = Buffer.concat([b.subarray(0, at), donor.subarray(from, from + 1 + r.int(24)), b.subarray(at)]);
        break;
      }
      case 8: // an overlong varint: a continuation bit on a byte (and a zero after it)
        if (b.length) {
          const p = r.int(b.length);
          b = Buffer.concat([b.subarray(0, p), Buffer.of(b[p]! | 0x80, 0x80, 0x00), b.subarray(p + 1)]);
        }
        break;
      default: { // a length byte off by one
        if (b.length) {
          const p = r.int(b.length);
          b[p] = (b[p]! + (r.chance(0.5) ? 1 : 255)) & 0xff;
        }
      }
    }
  }
  return b;
}
