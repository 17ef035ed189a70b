// hwsim's Write reader and response writer, byte by byte: hand-built requests read as the
// generated decoder reads them (route updates as compact rows, the rest as messages), unknown
// fields skipped, malformed bytes refused exactly when the generated decoder refuses them.
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest, encodeWriteResponse, type DecodedWrite } from '../../drivers/hwsim/write-codec.ts';
import { OK_STATUS } from '../../hwsim/asic.ts';
import { RouteTarget, UpdateEncoder, encodeWriteRequest } from '../../src/driver/update-encoder.ts';
import { Code, Table, pb, type v1 } from '../../src/driver/wire.ts';
import { UNKNOWNS, bytes, fixed32, group, ldfield, tag, vfield, varint } from './proto-bytes.ts';

/** A route update as plain data, whichever way it was decoded. */
function routeOf(u: v1.IUpdate) {
  const r = u.entity?.route;
  if (!r) return null;
  const p = r.prefix;
  return {
    type: u.type ?? 0,
    vrf: r.vrfId ?? 0,
    prefix: p?.ipv4 != null ? `4:${p.ipv4}` : p?.ipv6 ? `6:${Buffer.from(p.ipv6).toString('hex')}` : null,
    len: p?.length ?? 0,
    action: r.action ?? 0,
    target: r.nextHopId != null ? `nh ${r.nextHopId}` : r.groupId != null ? `group ${r.groupId}` : r.rifId != null ? `rif ${r.rifId}` : null,
  };
}

const asObject = (u: v1.IUpdate) => pb.Update.toObject(pb.Update.fromObject(u as Record<string, unknown>));

/** What the generated decoder makes of the bytes, next to what the server's reader makes. */
function both(buf: Buffer): { ours: DecodedWrite; theirs: v1.WriteRequest } {
  return { ours: decodeWriteRequest(buf), theirs: pb.WriteRequest.decode(buf) };
}

function expectSame(buf: Buffer): DecodedWrite {
  const { ours, theirs } = both(buf);
  expect(ours.electionId).toBe(Number(theirs.electionId ?? 0));
  expect(ours.continueOnError).toBe(Boolean(theirs.continueOnError));
  expect(ours.batch.size).toBe(theirs.updates.length);
  theirs.updates.forEach((u, i) => {
    const mine = ours.batch.update(i);
    if (ours.batch.op[i]) expect(routeOf(mine)).toEqual(routeOf(u));
    else expect(asObject(mine)).toEqual(asObject(u));
  });
  return ours;
}

const compactRows = (d: DecodedWrite) => Array.from({ length: d.batch.size }, (_, i) => d.batch.op[i] !== 0);

// Route 10.1.0.0/16 in VRF 7, FORWARD to next hop 300 (a two-byte varint).
const prefix4 = [...fixed32(1, 0x0a010000), ...vfield(3, 16)];
const route4 = [...vfield(1, 7), ...ldfield(2, prefix4), ...vfield(3, 1), ...vfield(4, 300)];
const insert = (route: number[], type = 1) => [...vfield(1, type), ...ldfield(2, ldfield(6, route))];
const v6addr = Buffer.from('20010db8000000010000000000000000', 'hex');

describe('Write reader', () => {
  it('reads route updates into compact rows, as the generated decoder reads them', () => {
    const body = bytes(vfield(1, 5), ldfield(2, insert(route4)), ldfield(2, insert(route4, 3)), vfield(3, 1));
    const d = expectSame(body);
    expect(compactRows(d)).toEqual([true, true]);
    expect(d).toMatchObject({ electionId: 5, continueOnError: true });
    expect(routeOf(d.batch.update(0))).toEqual({ type: 1, vrf: 7, prefix: `4:${0x0a010000}`, len: 16, action: 1, target: 'nh 300' });
    expect(d.batch.op[1]).toBe(3);
  });

  it('reads IPv6 prefixes, every target kind, and defaults (VRF 0, length 0, no action)', () => {
    const v6 = [...ldfield(2, [...ldfield(2, v6addr), ...vfield(3, 64)]), ...vfield(3, 1), ...vfield(5, 2)];
    const rif = [...ldfield(2, fixed32(1, 0)), ...vfield(3, 1), ...vfield(6, 4)];
    const bare = [...ldfield(2, fixed32(1, 0xc0000200)), ...vfield(3, 2)];
    const noAction = [...ldfield(2, fixed32(1, 0))];
    const d = expectSame(bytes(...[v6, rif, bare, noAction].map((r) => ldfield(2, insert(r, 2)))));
    expect(compactRows(d)).toEqual([true, true, true, true]);
    expect(d.batch.update(0).entity!.route).toMatchObject({ prefix: { ipv6: v6addr, length: 64 }, groupId: 2 });
    expect(routeOf(d.batch.update(1))).toMatchObject({ vrf: 0, len: 0, target: 'rif 4' });
    expect(routeOf(d.batch.update(3))).toMatchObject({ action: 0, target: null });
    expect(d.electionId).toBe(0);
  });

  it('skips unknown fields of every plain wire type at every level, in any field order', () => {
    const unknown = UNKNOWNS.flat();
    const prefix = [...unknown, ...vfield(3, 16), ...fixed32(1, 0x0a010000)];
    const route = [...vfield(4, 300), ...unknown, ...ldfield(2, prefix), ...vfield(3, 1), ...vfield(1, 7)];
    const update = [...ldfield(2, [...unknown, ...ldfield(6, route)]), ...unknown, ...vfield(1, 1)];
    // Known fields with another wire type than theirs are unknown fields too.
    const oddWire = [...fixed32(1, 9), ...ldfield(3, [1])];
    const d = expectSame(bytes(unknown, ldfield(2, [...update, ...oddWire]), vfield(1, 9), unknown));
    expect(compactRows(d)).toEqual([true]);
    expect(routeOf(d.batch.update(0))).toEqual({ type: 1, vrf: 7, prefix: `4:${0x0a010000}`, len: 16, action: 1, target: 'nh 300' });
    expect(d.electionId).toBe(9);
  });

  it('reads long varint forms as protobufjs does', () => {
    // Five-byte forms of small values, a uint32 id at the top of its range, a 7-byte election id.
    const route = [...vfield(1, 7, 5), ...ldfield(2, [...fixed32(1, 0x0a010000), ...vfield(3, 16, 5)]), ...vfield(3, 1, 3), ...vfield(4, 0xffffffff)];
    const d = expectSame(bytes(vfield(1, 2 ** 45 + 3), ldfield(2, [...vfield(1, 1, 4), ...ldfield(2, ldfield(6, route))]), vfield(3, 0, 2), vfield(3, 1, 3)));
    expect(compactRows(d)).toEqual([true]);
    expect(d.electionId).toBe(2 ** 45 + 3);
    expect(d.continueOnError).toBe(true);
    expect(routeOf(d.batch.update(0))!.target).toBe(`nh ${0xffffffff}`);
  });

  it('leaves other entities and updates it does not fully understand to the generated decoder', () => {
    const cases: [string, number[]][] = [
      ['a VRF', [...vfield(1, 1), ...ldfield(2, ldfield(1, [...vfield(1, 3), ...ldfield(2, [0x61])]))]],
      ['a route and a VRF in one entity', [...vfield(1, 1), ...ldfield(2, [...ldfield(6, route4), ...ldfield(1, vfield(1, 3))])]],
      ['two targets (the last one wins)', insert([...route4, ...vfield(5, 9)])],
      ['the type twice', [...vfield(1, 2), ...insert(route4)]],
      ['the route twice (merged)', [...vfield(1, 1), ...ldfield(2, [...ldfield(6, route4), ...ldfield(6, vfield(1, 8))])]],
      ['an IPv6 prefix of 4 bytes', insert([...ldfield(2, [...ldfield(2, [1, 2, 3, 4]), ...vfield(3, 8)]), ...vfield(3, 2)])],
      ['both families', insert([...ldfield(2, [...fixed32(1, 0), ...ldfield(2, v6addr)]), ...vfield(3, 2)])],
      ['no family', insert([...ldfield(2, vfield(3, 8)), ...vfield(3, 2)])],
      ['no prefix', insert(vfield(3, 2))],
      ['no entity', vfield(1, 1)],
      ['an entity with no member', [...vfield(1, 1), ...ldfield(2, [])]],
      ['type 0', insert(route4, 0)],
      ['type 4', insert(route4, 4)],
      ['a negative type', [...vfield(1, 2n ** 64n - 1n), ...ldfield(2, ldfield(6, route4))]],
      ['an unknown group', [...insert(route4), ...group(50)]],
      ['a group inside the route', insert([...route4, ...group(60)])],
      ['a varint past 32 bits', insert([...route4.slice(0, -3), ...vfield(4, 2 ** 33)])],
    ];
    for (const [what, update] of cases) {
      const d = expectSame(bytes(vfield(1, 1), ldfield(2, insert(route4)), ldfield(2, update)));
      expect(compactRows(d), what).toEqual([true, false]);
    }
  });

  it('reads into a released batch as into a fresh one', () => {
    const vrf = [...vfield(1, 1), ...ldfield(2, ldfield(1, [...vfield(1, 3), ...ldfield(2, [0x61])]))];
    const first = decodeWriteRequest(bytes(ldfield(2, insert(route4)), ldfield(2, insert(route4, 2)), ldfield(2, insert(route4, 3))));
    first.batch.release();
    const second = expectSame(bytes(ldfield(2, vrf), ldfield(2, insert(route4, 2))));
    expect(second.batch).toBe(first.batch);
    expect(compactRows(second)).toEqual([false, true]);
    expect(second.batch.genericRoutes).toBe(0);
  });

  it('reads what the agent route encoder (src/driver/update-encoder.ts) writes as compact rows', () => {
    const enc = new UpdateEncoder();
    enc.route(1, 7, 4, 16, 0x0a010000, 0, 0, 0, 1, RouteTarget.NextHop, 300);
    enc.route(2, 0, 6, 48, 0x20010db8, 0x00010000, 0, 0, 1, RouteTarget.Group, 2);
    enc.route(3, 7, 4, 0, 0, 0, 0, 0, 0, RouteTarget.None, 0);
    enc.route(1, 9, 6, 128, 0xffffffff, 1, 2, 3, 2, RouteTarget.None, 0);
    enc.add({ type: 1, entity: { vrf: { id: 3, name: 'x' } } });
    const d = expectSame(encodeWriteRequest(5, enc.finish(), true));
    expect(compactRows(d)).toEqual([true, true, true, true, false]);
    expect(routeOf(d.batch.update(1))).toEqual({ type: 2, vrf: 0, prefix: '6:20010db8000100000000000000000000', len: 48, action: 1, target: 'group 2' });
  });

  it('reads an empty request and one with no updates', () => {
    expect(expectSame(Buffer.alloc(0)).batch.size).toBe(0);
    expect(expectSame(bytes(vfield(1, 3), vfield(3, 1))).batch.size).toBe(0);
  });

  it('refuses malformed bytes exactly when the generated decoder does, and reads the same otherwise', () => {
    const valid = bytes(vfield(1, 5), ldfield(2, insert(route4)), ldfield(2, [...vfield(1, 1), ...ldfield(2, ldfield(1, [...vfield(1, 3), ...ldfield(2, [0x61])]))]), vfield(3, 1));
    const bodies: Buffer[] = [];
    for (let cut = 0; cut < valid.length; cut++) bodies.push(valid.subarray(0, cut));
    for (let at = 0; at < valid.length; at++) {
      for (const b of [0x00, 0x07, 0x80, 0xff, 0x0f, 0x12]) {
        const body = Buffer.from(valid);
        body[at] = b;
        bodies.push(body);
      }
    }
    bodies.push(bytes([0x07], [1, 2, 3]), bytes(tag(0, 0), [1]), bytes(tag(2, 2), varint(2 ** 31)), bytes(tag(1, 0), Array(11).fill(0x80), [0]));
    let refused = 0;
    for (const body of bodies) {
      let theirs: Error | null = null;
      try {
        pb.WriteRequest.decode(body);
      } catch (err) {
        theirs = err as Error;
      }
      if (theirs) {
        refused++;
        expect(() => decodeWriteRequest(body), body.toString('hex')).toThrow(theirs.message);
      } else {
        expectSame(body);
      }
    }
    expect(refused).toBeGreaterThan(bodies.length / 3);
  });
});

describe('Write response writer', () => {
  it('writes the bytes the generated encoder writes', () => {
    const failed: v1.IUpdateStatus = { code: Code.RESOURCE_EXHAUSTED, message: 'TABLE_IPV4_ROUTES is full', usage: { table: Table.TABLE_IPV4_ROUTES, used: 5, capacity: 5 } };
    const aborted: v1.IUpdateStatus = { code: Code.ABORTED, message: 'not attempted: an earlier update failed' };
    const long: v1.IUpdateStatus = { code: Code.INVALID_ARGUMENT, message: 'x'.repeat(300) };
    for (const statuses of [[], [OK_STATUS], Array(5000).fill(OK_STATUS), [OK_STATUS, failed, aborted, aborted, aborted], [long, OK_STATUS, { code: Code.OK }]]) {
      expect(encodeWriteResponse({ statuses }).toString('hex')).toBe(Buffer.from(pb.WriteResponse.encode({ statuses }).finish()).toString('hex'));
    }
  });
});
