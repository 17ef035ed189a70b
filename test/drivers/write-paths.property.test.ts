// The server's Write path (its own reader, compact route rows) against the generic one (the
// generated decoder, Asic.write over messages): for random batches, valid and not, encoded
// plainly or oddly (fields shuffled, unknown fields, long varints), two identical devices must
// answer the same statuses and end with the same tables, counters and usage events.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeWriteRequest } from '../../drivers/hwsim/write-codec.ts';
import { Asic } from '../../hwsim/asic.ts';
import { makeConfig } from '../../hwsim/config.ts';
import { Code, EntityType, UpdateType, pb, type v1 } from '../../src/driver/wire.ts';
import { UNKNOWNS, fixed32, ldfield, vfield } from './proto-bytes.ts';

const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);
const ins = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.INSERT, entity });

/** Two VRFs, port and loopback interfaces, next hops 1..4 (5 is free), groups 1 and 2 (empty). */
function device(): Asic {
  const asic = new Asic(makeConfig({ capacity: { ipv4Routes: 24, ipv6Routes: 12, nexthops: 6 } }));
  const setup = [
    ins({ vrf: { id: 1, name: 'a' } }),
    ins({ vrf: { id: 2, name: 'b' } }),
    ins({ routerInterface: { id: 1, vrfId: 1, portId: 1, mac: MAC, mtu: 1500, adminUp: true } }),
    ins({ routerInterface: { id: 2, vrfId: 2, portId: 2, mac: MAC, mtu: 1500, adminUp: true } }),
    ins({ routerInterface: { id: 3, vrfId: 1, loopback: {}, mac: MAC, mtu: 1500, adminUp: true } }),
    ...[1, 2, 3, 4].map((id) => ins({ nextHop: { id, rifId: id % 2 ? 1 : 2, ip: { ipv4: 0x0a000000 + id } } })),
    ins({ nextHopGroup: { id: 1, members: [{ nextHopId: 1, weight: 1 }, { nextHopId: 2, weight: 3 }] } }),
    ins({ nextHopGroup: { id: 2, members: [] } }),
  ];
  expect(asic.write(setup, false).every((s) => !s.code)).toBe(true);
  return asic;
}

const v6 = (hex: string) => Buffer.from(hex.padEnd(32, '0'), 'hex');
// Few keys, so that batches repeat them (duplicates, inserts over existing routes).
const prefixArb: fc.Arbitrary<v1.IIpPrefix | null> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ ipv4: fc.constantFrom(0, 0x0a000000, 0x0a010000, 0x0a010100, 0x0a0101ff, 0xc0a80000, 0xffffffff), length: fc.constantFrom(0, 8, 16, 24, 32, 33) }) },
  { weight: 4, arbitrary: fc.record({ ipv6: fc.constantFrom(v6(''), v6('20010db8'), v6('20010db80001'), v6('20010db8000000000000000000000001'), v6('ff'.repeat(16))), length: fc.constantFrom(0, 32, 48, 64, 128, 129) }) },
  fc.constant({ ipv6: Buffer.from([1, 2, 3, 4]), length: 8 }),
  fc.constant({ length: 8 }),
  fc.constant(null),
);
const targetArb: fc.Arbitrary<Partial<v1.IRoute>> = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 0, max: 5 }).map((nextHopId) => ({ nextHopId })),
  fc.integer({ min: 0, max: 3 }).map((groupId) => ({ groupId })),
  fc.integer({ min: 0, max: 4 }).map((rifId) => ({ rifId })),
);
const routeUpdateArb: fc.Arbitrary<v1.IUpdate> = fc.record({
  type: fc.constantFrom(1, 1, 1, 2, 2, 3, 3, 0, 4),
  vrfId: fc.constantFrom(0, 1, 2, 3),
  prefix: prefixArb,
  action: fc.constantFrom(0, 1, 1, 1, 2, 3, 5),
  target: targetArb,
}).map(({ type, vrfId, prefix, action, target }) => {
  // Out-of-range enum values on purpose: they must fail the same way on both paths.
  const route: v1.IRoute = { vrfId, action: action as v1.Action, ...target };
  if (prefix) route.prefix = prefix;
  return { type: type as UpdateType, entity: { route } };
});
const otherUpdateArb: fc.Arbitrary<v1.IUpdate> = fc.constantFrom<v1.IUpdate>(
  ins({ nextHop: { id: 5, rifId: 1, ip: { ipv4: 0x0a000005 } } }),
  { type: UpdateType.DELETE, entity: { nextHop: { id: 1 } } },
  { type: UpdateType.DELETE, entity: { nextHop: { id: 5 } } },
  { type: UpdateType.DELETE, entity: { nextHopGroup: { id: 2 } } },
  { type: UpdateType.MODIFY, entity: { nextHopGroup: { id: 1, members: [{ nextHopId: 3, weight: 1 }] } } },
  ins({ vrf: { id: 3, name: 'c' } }),
  { type: UpdateType.DELETE, entity: { vrf: { id: 2 } } },
  { type: UpdateType.DELETE, entity: { routerInterface: { id: 3 } } },
  { type: UpdateType.INSERT, entity: {} },
);
const batchArb = fc.record({
  updates: fc.array(fc.oneof({ weight: 9, arbitrary: routeUpdateArb }, { weight: 1, arbitrary: otherUpdateArb }), { maxLength: 30 }),
  continueOnError: fc.boolean(),
  odd: fc.option(fc.integer({ min: 1, max: 0x7fffffff }), { nil: null }),
});
const faultArb = fc.option(fc.record({
  count: fc.integer({ min: 1, max: 3 }),
  code: fc.constantFrom(Code.INTERNAL, Code.RESOURCE_EXHAUSTED),
  entityType: fc.constantFrom(EntityType.ENTITY_TYPE_UNSPECIFIED, EntityType.ENTITY_TYPE_ROUTE, EntityType.ENTITY_TYPE_NEXT_HOP),
}), { nil: null });

/** Encodes routes the way no generated encoder would: shuffled, padded, with unknown fields. */
class OddEncoder {
  constructor(private seed: number) {}
  private next(n: number): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return (this.seed >>> 8) % n;
  }
  private pad = () => 1 + this.next(5);
  private mix(fields: number[][]): number[] {
    const out = [...fields];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.next(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    if (this.next(2)) out.splice(this.next(out.length + 1), 0, UNKNOWNS[this.next(UNKNOWNS.length)]!);
    return out.flat();
  }
  private prefix(p: v1.IIpPrefix): number[] {
    const f: number[][] = [];
    if (p.ipv4 != null) f.push(fixed32(1, p.ipv4));
    if (p.ipv6 != null) f.push(ldfield(2, p.ipv6));
    if (p.length) f.push(vfield(3, p.length, this.pad()));
    return this.mix(f);
  }
  update(u: v1.IUpdate): number[] {
    const r = u.entity?.route;
    if (!r) return [...pb.Update.encode(u).finish()];
    const f: number[][] = [];
    if (r.vrfId) f.push(vfield(1, r.vrfId, this.pad()));
    if (r.prefix) f.push(ldfield(2, this.prefix(r.prefix)));
    if (r.action) f.push(vfield(3, r.action, this.pad()));
    if (r.nextHopId != null) f.push(vfield(4, r.nextHopId, this.pad()));
    if (r.groupId != null) f.push(vfield(5, r.groupId, this.pad()));
    if (r.rifId != null) f.push(vfield(6, r.rifId, this.pad()));
    const entity = this.mix([ldfield(6, this.mix(f))]);
    return this.mix([...(u.type ? [vfield(1, u.type, this.pad())] : []), ldfield(2, entity)]);
  }
  request(req: v1.IWriteRequest): Buffer {
    const f = (req.updates ?? []).map((u) => ldfield(2, this.update(u)));
    f.unshift(vfield(1, Number(req.electionId)));
    if (req.continueOnError) f.push(vfield(3, 1));
    return Buffer.from(f.flat()); // updates stay in order: only their own fields move
  }
}

const snapshot = (asic: Asic) => ({
  entities: [...asic.read()].map((e) => pb.Entity.toObject(pb.Entity.fromObject(e), { bytes: String })),
  stats: { ...asic.stats(), bootEpoch: 0 },
  usage: asic.usage(),
});

describe('Write: the server path against the generic path', () => {
  it('gives the same statuses, tables, counters and usage events for random batches', () => {
    const seen = { compact: 0, routes: 0 };
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 3 }), faultArb, (batches, fault) => {
        const generic = device();
        const fast = device();
        const events: Record<string, unknown[]> = { generic: [], fast: [] };
        generic.on('tableUsage', (e) => events.generic!.push(e));
        fast.on('tableUsage', (e) => events.fast!.push(e));
        if (fault) {
          generic.injectFault({ failUpdates: fault });
          fast.injectFault({ failUpdates: fault });
        }
        for (const b of batches) {
          const req: v1.IWriteRequest = { electionId: 7, updates: b.updates, continueOnError: b.continueOnError };
          const body = b.odd ? new OddEncoder(b.odd).request(req) : Buffer.from(pb.WriteRequest.encode(req).finish());
          const decoded = decodeWriteRequest(body);
          const plain = pb.WriteRequest.decode(body);
          expect(decoded.electionId).toBe(7);
          expect(decoded.continueOnError).toBe(Boolean(plain.continueOnError));
          for (let i = 0; i < decoded.batch.size; i++) {
            if (!plain.updates[i]!.entity?.route) continue;
            seen.routes++;
            if (decoded.batch.op[i]) seen.compact++;
          }
          const want = generic.write(plain.updates, Boolean(plain.continueOnError));
          const got = fast.writeBatch(decoded.batch, decoded.continueOnError);
          expect(got).toEqual(want);
        }
        expect(snapshot(fast)).toEqual(snapshot(generic));
        expect(events.fast).toEqual(events.generic);
      }),
      { numRuns: 400 },
    );
    // Most route updates took the compact path (not those of type 0 or 4, or without a usable
    // prefix); the rest the generated decoder.
    expect(seen.compact / seen.routes).toBeGreaterThan(0.5);
    expect(seen.compact).toBeLessThan(seen.routes);
  });
});
