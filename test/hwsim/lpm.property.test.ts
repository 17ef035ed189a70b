// Longest-prefix match and ECMP choice against brute-force reference models, for IPv4 and IPv6.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Asic } from '../../hwsim/asic.ts';
import { makeConfig } from '../../hwsim/config.ts';
import { flowHash, pickWeighted } from '../../hwsim/flow-hash.ts';
import { Action, Code, UpdateType, type v1 } from '../../src/driver/wire.ts';

const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);
const NH_COUNT = 4;

/** A device with one VRF, one RIF, NH_COUNT next hops with neighbours, and one group over them. */
function baseDevice(): Asic {
  const asic = new Asic(makeConfig());
  const ups: v1.IUpdate[] = [
    { type: UpdateType.INSERT, entity: { vrf: { id: 7, name: 'blue' } } },
    { type: UpdateType.INSERT, entity: { routerInterface: { id: 1, vrfId: 7, portId: 1, mac: MAC, mtu: 1500, adminUp: true } } },
  ];
  for (let i = 1; i <= NH_COUNT; i++) {
    ups.push({ type: UpdateType.INSERT, entity: { nextHop: { id: i, rifId: 1, ip: { ipv4: 0xc0a80000 + i } } } });
    ups.push({ type: UpdateType.INSERT, entity: { neighbor: { rifId: 1, ip: { ipv4: 0xc0a80000 + i }, mac: Buffer.from([2, 0, 0, 0, 1, i]) } } });
  }
  ups.push({ type: UpdateType.INSERT, entity: { nextHopGroup: { id: 1, members: [1, 2, 3, 4].map((n) => ({ nextHopId: n, weight: n })) } } });
  expect(asic.write(ups, false).map((s) => s.code ?? 0)).toEqual(ups.map(() => Code.OK));
  return asic;
}

// ---- IPv4

const mask4 = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
const prefix4 = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
  .map(([a, len]) => ({ addr: (a & mask4(len)) >>> 0, len }));
/** Addresses near the generated prefixes, so matches are frequent. */
const routeSet4 = fc.uniqueArray(
  fc.tuple(prefix4, fc.integer({ min: 1, max: NH_COUNT })),
  { selector: ([p]) => `${p.addr}/${p.len}`, maxLength: 60 },
);

function reference4(routes: [{ addr: number; len: number }, number][], dst: number) {
  let best: [{ addr: number; len: number }, number] | undefined;
  for (const r of routes) {
    if (((dst & mask4(r[0].len)) >>> 0) === r[0].addr && (!best || r[0].len > best[0].len)) best = r;
  }
  return best;
}

describe('LPM, IPv4', () => {
  it('picks the longest matching prefix, as a brute-force scan does', () => {
    fc.assert(
      fc.property(routeSet4, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }), fc.integer({ min: 0, max: 32 }), (routes, randoms, flip) => {
        const asic = baseDevice();
        const st = asic.write(routes.map(([p, nh]) => ({
          type: UpdateType.INSERT,
          entity: { route: { vrfId: 7, prefix: { ipv4: p.addr, length: p.len }, action: Action.ACTION_FORWARD, nextHopId: nh } },
        })), false);
        expect(st.every((s) => (s.code ?? 0) === Code.OK)).toBe(true);
        // Probe each prefix's first and last address, a bit-flipped neighbour, and random ones.
        const probes = [...randoms];
        for (const [p] of routes) {
          probes.push(p.addr, (p.addr | ~mask4(p.len)) >>> 0, (p.addr ^ (1 << (flip % 32))) >>> 0);
        }
        for (const dst of probes) {
          const want = reference4(routes, dst);
          const got = asic.lookup({ vrfId: 7, destination: { ipv4: dst } });
          if (!want) {
            expect(got.action).toBe(Action.ACTION_TRAP);
            expect(got.reason).toBe('no route');
          } else {
            expect(got.prefix).toEqual({ ipv4: want[0].addr, length: want[0].len });
            expect(got.action).toBe(Action.ACTION_FORWARD);
            expect(got.nextHopId).toBe(want[1]);
            expect(got.mac).toEqual(Buffer.from([2, 0, 0, 0, 1, want[1]]));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds the next shorter prefix once the longer one is deleted', () => {
    fc.assert(
      fc.property(routeSet4, fc.integer({ min: 0, max: 0xffffffff }), (routes, dst) => {
        const asic = baseDevice();
        const insert = routes.map(([p, nh]) => ({
          type: UpdateType.INSERT,
          entity: { route: { vrfId: 7, prefix: { ipv4: p.addr, length: p.len }, action: Action.ACTION_FORWARD, nextHopId: nh } },
        }));
        asic.write(insert, false);
        const remaining = [...routes];
        while (remaining.length) {
          const best = reference4(remaining, dst);
          if (!best) break;
          expect(asic.lookup({ vrfId: 7, destination: { ipv4: dst } }).prefix).toEqual({ ipv4: best[0].addr, length: best[0].len });
          const st = asic.write([{ type: UpdateType.DELETE, entity: { route: { vrfId: 7, prefix: { ipv4: best[0].addr, length: best[0].len } } } }], false);
          expect(st[0]!.code ?? 0).toBe(Code.OK);
          remaining.splice(remaining.indexOf(best), 1);
        }
        expect(asic.lookup({ vrfId: 7, destination: { ipv4: dst } }).reason).toBe('no route');
      }),
      { numRuns: 100 },
    );
  });
});

// ---- IPv6

const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
function maskBytes(a: Uint8Array, len: number): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.min(8, Math.max(0, len - i * 8));
    out[i] = a[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}
const prefix6 = fc.tuple(bytes16, fc.integer({ min: 0, max: 128 })).map(([a, len]) => ({ addr: maskBytes(a, len), len }));
function matches6(p: { addr: Buffer; len: number }, dst: Uint8Array) {
  return maskBytes(dst, p.len).equals(p.addr);
}

describe('LPM, IPv6', () => {
  it('picks the longest matching prefix, as a brute-force scan does', () => {
    // Prefixes share a few leading bytes so that they nest often.
    const nested = fc.tuple(bytes16, fc.array(fc.tuple(prefix6, fc.integer({ min: 1, max: NH_COUNT })), { maxLength: 40 }));
    fc.assert(
      fc.property(nested, fc.array(bytes16, { maxLength: 10 }), ([base, raw], randoms) => {
        const seen = new Set<string>();
        const routes = raw
          .map(([p, nh]) => {
            const addr = Buffer.from(base);
            p.addr.copy(addr, 0, 0, Math.ceil(p.len / 16)); // keep the base's tail: many overlaps
            return [{ addr: maskBytes(addr, p.len), len: p.len }, nh] as const;
          })
          .filter(([p]) => !seen.has(`${p.addr.toString('hex')}/${p.len}`) && seen.add(`${p.addr.toString('hex')}/${p.len}`));
        const asic = baseDevice();
        const st = asic.write(routes.map(([p, nh]) => ({
          type: UpdateType.INSERT,
          entity: { route: { vrfId: 7, prefix: { ipv6: p.addr, length: p.len }, action: Action.ACTION_FORWARD, groupId: nh === 1 ? 1 : undefined, nextHopId: nh === 1 ? undefined : nh } },
        })), false);
        expect(st.every((s) => (s.code ?? 0) === Code.OK)).toBe(true);
        const probes: Uint8Array[] = [...randoms, base];
        for (const [p] of routes) {
          const last = Buffer.from(p.addr);
          for (let i = 0; i < 16; i++) last[i]! |= ~maskBytes(Buffer.alloc(16, 0xff), p.len)[i]! & 0xff;
          probes.push(p.addr, last);
        }
        for (const dst of probes) {
          let want: (typeof routes)[number] | undefined;
          for (const r of routes) if (matches6(r[0], dst) && (!want || r[0].len > want[0].len)) want = r;
          const got = asic.lookup({ vrfId: 7, destination: { ipv6: dst } });
          if (!want) expect(got.reason).toBe('no route');
          else expect(got.prefix).toEqual({ ipv6: want[0].addr, length: want[0].len });
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---- ECMP

describe('ECMP member choice', () => {
  it('matches a reference weighted choice and is stable per flow', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 0xffffffff }), (weights, h) => {
        const i = pickWeighted(h, weights);
        // Reference: expand every member into `weight` slots.
        const slots = weights.flatMap((w, idx) => Array<number>(w).fill(idx));
        expect(i).toBe(slots[h % slots.length]);
      }),
    );
  });

  it('spreads flows over group members in proportion to their weights', () => {
    const asic = baseDevice();
    asic.write([{ type: UpdateType.INSERT, entity: { route: { vrfId: 7, prefix: { ipv4: 0x14000000, length: 8 }, action: Action.ACTION_FORWARD, groupId: 1 } } }], false);
    const hits = [0, 0, 0, 0, 0];
    const flows = 20_000;
    for (let i = 0; i < flows; i++) {
      const dst = { ipv4: (0x14000000 + ((i * 7919) % 0x1000000)) >>> 0 };
      const src = { ipv4: (0x0a000000 + i) >>> 0 };
      const a = asic.lookup({ vrfId: 7, destination: dst, source: src });
      const b = asic.lookup({ vrfId: 7, destination: dst, source: src });
      expect(b.nextHopId).toBe(a.nextHopId);
      hits[a.nextHopId!]!++;
    }
    // Weights 1:2:3:4 over 20k flows: each share within 2 points of its expectation.
    for (let n = 1; n <= 4; n++) expect(Math.abs(hits[n]! / flows - n / 10)).toBeLessThan(0.02);
  });

  it('hashes IPv6 flows with the source when given', () => {
    const dst = { family: 6 as const, v6: Buffer.alloc(16, 1) };
    expect(flowHash(dst, null)).toBe(flowHash(dst, null));
    expect(flowHash(dst, { family: 4, v4: 1 })).not.toBe(flowHash(dst, { family: 4, v4: 2 }));
  });
});
