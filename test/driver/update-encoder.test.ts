// The hand-written encoder of route updates against the generated one: the same updates must
// decode to the same messages, for every kind of route, key-only deletes, and mixed batches.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UpdateEncoder, encodeWriteRequest } from '../../src/driver/update-encoder.ts';
import { Action, UpdateType, pb, type v1 } from '../../src/driver/wire.ts';
import { encodeUpdates, toProto, type HwUpdate } from '../../src/translate/updates.ts';
import { TargetKind, routeValue } from '../../src/translate/route-value.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const route = fc.record({
  op: fc.constantFrom<HwUpdate['op']>('insert', 'modify', 'delete'),
  family: fc.constantFrom<4 | 6>(4, 6),
  vrfId: fc.oneof(fc.constant(0), u32),
  words: fc.tuple(u32, u32, u32, u32),
  len: fc.integer({ min: 0, max: 128 }),
  action: fc.constantFrom(Action.ACTION_FORWARD, Action.ACTION_DROP, Action.ACTION_TRAP),
  kind: fc.constantFrom(TargetKind.NextHop, TargetKind.Group, TargetKind.Rif),
  id: u32,
}).map((r): HwUpdate => ({
  op: r.op,
  entity: {
    kind: 'route',
    route: {
      family: r.family, vrfId: r.vrfId, dstLen: r.family === 4 ? r.len % 33 : r.len, d0: r.words[0], d1: r.family === 6 ? r.words[1] : 0,
      d2: r.family === 6 ? r.words[2] : 0, d3: r.family === 6 ? r.words[3] : 0,
      value: r.action === Action.ACTION_FORWARD ? routeValue(r.action, r.kind, r.id) : routeValue(r.action),
    },
  },
}));
const other = fc.constantFrom<HwUpdate>(
  { op: 'insert', entity: { kind: 'vrf', vrf: { id: 7, name: 'red' } } },
  { op: 'modify', entity: { kind: 'group', group: { id: 3, members: [{ nextHopId: 1, weight: 2 }, { nextHopId: 9, weight: 1 }] } } },
  { op: 'delete', entity: { kind: 'nextHop', nextHop: { id: 4, rifId: 1, ip: '10.0.0.2' } } },
);

describe('update encoder', () => {
  it('encodes route updates exactly as the generated encoder does', () => {
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 5, arbitrary: route }, { weight: 1, arbitrary: other }), { maxLength: 50 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.boolean(), (batch, electionId, coe) => {
      const mine = pb.WriteRequest.decode(encodeWriteRequest(electionId, encodeUpdates(batch), coe));
      const theirs = pb.WriteRequest.decode(pb.WriteRequest.encode({ electionId, updates: batch.map(toProto), continueOnError: coe }).finish());
      expect(pb.WriteRequest.toObject(mine, { defaults: true })).toEqual(pb.WriteRequest.toObject(theirs, { defaults: true }));
    }), { numRuns: 500 });
  });

  it('writes a key-only delete and a forward route byte by byte', () => {
    const enc = new UpdateEncoder();
    enc.route(UpdateType.DELETE, 0, 4, 24, 0x0a000100, 0, 0, 0, Action.ACTION_FORWARD, 4, 7);
    enc.route(UpdateType.INSERT, 10, 4, 8, 0x0a000000, 0, 0, 0, Action.ACTION_FORWARD, 5, 300);
    const { count, bytes } = enc.finish();
    expect(count).toBe(2);
    expect([...bytes]).toEqual([
      // updates { type DELETE, entity { route { prefix { ipv4 10.0.1.0 (LE), length 24 } } } }: the key only
      0x12, 15, 0x08, 3, 0x12, 11, 0x32, 9, 0x12, 7, 0x0d, 0x00, 0x01, 0x00, 0x0a, 0x18, 24,
      // updates { type INSERT, entity { route { vrf_id 10, prefix 10.0.0.0/8, action FORWARD, group_id 300 } } }
      0x12, 22, 0x08, 1, 0x12, 18, 0x32, 16, 0x08, 10, 0x12, 7, 0x0d, 0, 0, 0, 0x0a, 0x18, 8, 0x18, 1, 0x28, 0xac, 0x02,
    ]);
    const decoded = pb.WriteRequest.decode(encodeWriteRequest(1, { count, bytes }, false)).updates as v1.IUpdate[];
    expect(decoded[1]!.entity!.route).toMatchObject({ vrfId: 10, prefix: { ipv4: 0x0a000000, length: 8 }, action: Action.ACTION_FORWARD, groupId: 300 });
  });
});
