// The device model's write semantics, read-back and lookup reasons, without any sockets.
import { describe, expect, it } from 'vitest';
import { Asic } from '../../hwsim/asic.ts';
import { makeConfig } from '../../hwsim/config.ts';
import { Action, Code, EntityType, Table, UpdateType, pb, type v1 } from '../../src/driver/wire.ts';

const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);
const ins = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.INSERT, entity });
const mod = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.MODIFY, entity });
const del = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.DELETE, entity });
const codes = (s: v1.IUpdateStatus[]) => s.map((x) => Code[x.code ?? 0]);

const vrf = (id = 1, name = 'red'): v1.IEntity => ({ vrf: { id, name } });
const rif = (id = 1, vrfId = 1, portId = 1, extra: v1.IRouterInterface = {}): v1.IEntity =>
  ({ routerInterface: { id, vrfId, portId, mac: MAC, mtu: 1500, adminUp: true, ...extra } });
const nh = (id = 1, rifId = 1, ip = 0x0a000002): v1.IEntity => ({ nextHop: { id, rifId, ip: { ipv4: ip } } });
const neigh = (rifId = 1, ip = 0x0a000002, mac = Buffer.from([2, 0, 0, 0, 9, 9])): v1.IEntity => ({ neighbor: { rifId, ip: { ipv4: ip }, mac } });
const route = (prefix: v1.IIpPrefix, r: v1.IRoute = {}, vrfId = 1): v1.IEntity =>
  ({ route: { vrfId, prefix, action: Action.ACTION_FORWARD, nextHopId: 1, ...r } });

function device(over: Parameters<typeof makeConfig>[0] = {}) {
  const asic = new Asic(makeConfig(over));
  expect(codes(asic.write([ins(vrf()), ins(rif()), ins(nh()), ins(neigh())], false))).toEqual(['OK', 'OK', 'OK', 'OK']);
  return asic;
}
const all = (asic: Asic) => [...asic.read()].map((e) => pb.Entity.toObject(pb.Entity.fromObject(e), { bytes: String }));

describe('write', () => {
  it('stops at the first failure and marks the rest ABORTED, changing nothing after it', () => {
    const asic = device();
    const s = asic.write([
      ins(route({ ipv4: 0x0b000000, length: 8 })),
      ins(route({ ipv4: 0x0c000000, length: 8 }, { nextHopId: 99 })),
      ins(route({ ipv4: 0x0d000000, length: 8 })),
    ], false);
    expect(codes(s)).toEqual(['OK', 'FAILED_PRECONDITION', 'ABORTED']);
    expect(asic.tables.routes4.size).toBe(1);
  });

  it('attempts every update with continue_on_error', () => {
    const asic = device();
    const s = asic.write([
      ins(route({ ipv4: 0x0b000000, length: 8 })),
      ins(route({ ipv4: 0x0c000001, length: 8 })),
      ins(route({ ipv4: 0x0d000000, length: 8 })),
    ], true);
    expect(codes(s)).toEqual(['OK', 'INVALID_ARGUMENT', 'OK']);
    expect(s[1]!.message).toMatch(/host bits/);
  });

  it('refuses duplicate keys in one batch', () => {
    const asic = device();
    const s = asic.write([ins(route({ ipv4: 0x0b000000, length: 8 })), del(route({ ipv4: 0x0b000000, length: 8 }))], true);
    expect(codes(s)).toEqual(['OK', 'INVALID_ARGUMENT']);
    expect(s[1]!.message).toMatch(/duplicate key/);
  });

  it('validates prefixes, families, MACs and actions', () => {
    const asic = device();
    const s = asic.write([
      ins(route({ ipv4: 0x0b000000, length: 33 })),
      ins(route({ ipv6: Buffer.alloc(16), length: 129 })),
      ins(route({ ipv6: Buffer.alloc(4), length: 16 })),
      ins(route({ length: 8 })),
      ins(route({ ipv4: 0x0b000000, length: 8 }, { action: Action.ACTION_UNSPECIFIED })),
      ins(route({ ipv4: 0x0c000000, length: 8 }, { action: Action.ACTION_DROP })),
      ins(route({ ipv4: 0x0d000000, length: 8 }, { nextHopId: undefined })),
      ins(neigh(1, 0x0a000009, Buffer.from([1, 0, 0, 0, 0, 1]))),
      ins(rif(2, 1, 2, { mac: Buffer.from([2, 0]) })),
      ins(rif(3, 1, 999)),
      { type: 9 as UpdateType, entity: vrf(5, 'x') },
      ins({}),
    ], true);
    expect(new Set(codes(s))).toEqual(new Set(['INVALID_ARGUMENT']));
    expect(asic.tables.routes4.size + asic.tables.routes6.size).toBe(0);
  });

  it('enforces references on insert and on delete', () => {
    const asic = device();
    expect(codes(asic.write([ins(rif(2, 42, 2))], false))).toEqual(['FAILED_PRECONDITION']);
    expect(codes(asic.write([ins(nh(2, 42))], false))).toEqual(['FAILED_PRECONDITION']);
    expect(codes(asic.write([ins({ nextHopGroup: { id: 1, members: [{ nextHopId: 5, weight: 1 }] } })], false))).toEqual(['FAILED_PRECONDITION']);
    expect(codes(asic.write([ins(route({ ipv4: 0, length: 0 }, {}, 42))], false))).toEqual(['FAILED_PRECONDITION']);
    asic.write([ins(route({ ipv4: 0, length: 0 }))], false);
    expect(codes(asic.write([del(nh())], false))).toEqual(['FAILED_PRECONDITION']);
    expect(codes(asic.write([del(rif())], false))).toEqual(['FAILED_PRECONDITION']);
    expect(codes(asic.write([del(vrf())], false))).toEqual(['FAILED_PRECONDITION']);
    // Reverse order empties everything.
    expect(codes(asic.write([del(route({ ipv4: 0, length: 0 })), del(nh()), del(neigh()), del(rif()), del(vrf())], false)))
      .toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    expect(all(asic)).toEqual([]);
  });

  it('keeps reference counts right across MODIFY', () => {
    const asic = device();
    asic.write([ins(nh(2, 1, 0x0a000003)), ins({ nextHopGroup: { id: 1, members: [{ nextHopId: 1, weight: 1 }] } })], false);
    asic.write([ins(route({ ipv4: 0x0b000000, length: 8 }, { nextHopId: undefined, groupId: 1 }))], false);
    // Move the route to next hop 2: the group is free to go, next hop 2 is not.
    expect(codes(asic.write([mod(route({ ipv4: 0x0b000000, length: 8 }, { nextHopId: 2 }))], false))).toEqual(['OK']);
    expect(codes(asic.write([del({ nextHopGroup: { id: 1 } }), del(nh(2))], true))).toEqual(['OK', 'FAILED_PRECONDITION']);
    expect(asic.tables.groupMembers).toBe(0);
  });

  it('treats the default VRF as built in', () => {
    const asic = new Asic(makeConfig());
    expect(codes(asic.write([ins(vrf(0, 'x')), del(vrf(0, 'default')), ins(vrf(9, 'default'))], true)))
      .toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'ALREADY_EXISTS']);
    expect([...asic.read()]).toEqual([]);
    expect(asic.capabilities().tables!.find((t) => t.table === Table.TABLE_VRFS)!.used).toBe(1);
  });

  it('refuses a RIF MODIFY that moves it to another VRF', () => {
    const asic = device();
    asic.write([ins(vrf(2, 'blue'))], false);
    expect(codes(asic.write([mod(rif(1, 2, 1))], false))).toEqual(['INVALID_ARGUMENT']);
    expect(codes(asic.write([mod(rif(1, 1, 1, { mtu: 9000 }))], false))).toEqual(['OK']);
  });

  it('reports RESOURCE_EXHAUSTED with the table and its usage, and recovers when space frees', () => {
    const asic = device({ capacity: { ipv4Routes: 2 } });
    const s = asic.write([0x0b, 0x0c, 0x0d].map((a) => ins(route({ ipv4: a << 24, length: 8 }))), true);
    expect(codes(s)).toEqual(['OK', 'OK', 'RESOURCE_EXHAUSTED']);
    expect(s[2]!.usage).toEqual({ table: Table.TABLE_IPV4_ROUTES, used: 2, capacity: 2 });
    asic.write([del(route({ ipv4: 0x0b000000, length: 8 }))], false);
    expect(codes(asic.write([ins(route({ ipv4: 0x0d000000, length: 8 }))], false))).toEqual(['OK']);
  });
});

describe('read', () => {
  it('returns what was written, in dependency order, filtered by type and VRF', () => {
    const asic = device();
    const written: v1.IEntity[] = [
      vrf(2, 'blue'),
      rif(2, 2, 2, { vlanId: 100, adminUp: false }),
      { routerInterface: { id: 3, vrfId: 2, loopback: {}, mac: MAC, mtu: 65536, adminUp: true } },
      { neighbor: { rifId: 2, ip: { ipv6: Buffer.from('fe800000000000000000000000000001', 'hex') }, mac: MAC } },
      nh(7, 2, 0x0a000007),
      { nextHopGroup: { id: 4, members: [{ nextHopId: 7, weight: 3 }, { nextHopId: 1, weight: 1 }] } },
      route({ ipv6: Buffer.from('20010db8000000000000000000000000', 'hex'), length: 32 }, { nextHopId: undefined, groupId: 4 }, 2),
      route({ ipv4: 0x0a000000, length: 24 }, { nextHopId: undefined, rifId: 1 }, 2),
      route({ ipv4: 0, length: 0 }, { nextHopId: undefined, action: Action.ACTION_DROP }, 2),
    ];
    const s = asic.write(written.map(ins), false);
    expect(codes(s).every((c) => c === 'OK')).toBe(true);
    const blue = [...asic.read({ vrfId: 2 })];
    const kinds = blue.map((e) => Object.keys(e)[0]);
    expect(kinds).toEqual(['vrf', 'routerInterface', 'routerInterface', 'neighbor', 'nextHop', 'nextHopGroup', 'route', 'route', 'route']);
    const norm = (list: v1.IEntity[]) => list.map((e) => JSON.stringify(pb.Entity.toObject(pb.Entity.fromObject(e), { defaults: true, bytes: String }))).sort();
    expect(norm(blue)).toEqual(norm(written));
    expect([...asic.read({ types: [EntityType.ENTITY_TYPE_ROUTE], vrfId: 2 })]).toHaveLength(3);
    // Replaying a full read as INSERTs into a fresh device reproduces it.
    const fresh = new Asic(makeConfig());
    expect(codes(fresh.write([...asic.read()].map(ins), false)).every((c) => c === 'OK')).toBe(true);
    expect(all(fresh)).toEqual(all(asic));
  });
});

describe('lookup', () => {
  it('says why it drops or traps', () => {
    const asic = device();
    asic.write([
      ins({ routerInterface: { id: 9, vrfId: 1, loopback: {}, mac: MAC, mtu: 1500, adminUp: true } }),
      ins({ nextHopGroup: { id: 3, members: [] } }),
      ins(nh(5, 1, 0x0a000005)),
      ins(route({ ipv4: 0x0b000000, length: 8 })),
      ins(route({ ipv4: 0x0c000000, length: 8 }, { nextHopId: 5 })),
      ins(route({ ipv4: 0x0d000000, length: 8 }, { nextHopId: undefined, groupId: 3 })),
      ins(route({ ipv4: 0x0e000000, length: 8 }, { nextHopId: undefined, action: Action.ACTION_DROP })),
      ins(route({ ipv4: 0x0f000000, length: 8 }, { nextHopId: undefined, action: Action.ACTION_TRAP })),
      ins(route({ ipv4: 0x0a000000, length: 24 }, { nextHopId: undefined, rifId: 1 })),
    ], false);
    const at = (ipv4: number) => asic.lookup({ vrfName: 'red', destination: { ipv4 } });
    expect(at(0x0b010101)).toMatchObject({ action: Action.ACTION_FORWARD, interface: 'swp1', nextHopId: 1 });
    expect(at(0x0c010101)).toMatchObject({ action: Action.ACTION_TRAP, reason: 'neighbor miss' });
    expect(at(0x0d010101)).toMatchObject({ action: Action.ACTION_DROP, reason: 'empty group' });
    expect(at(0x0e010101)).toMatchObject({ action: Action.ACTION_DROP, reason: 'route drop' });
    expect(at(0x0f010101)).toMatchObject({ action: Action.ACTION_TRAP, reason: 'route trap' });
    expect(at(0x0a000002)).toMatchObject({ action: Action.ACTION_FORWARD, nextHop: { ipv4: 0x0a000002 } });
    expect(at(0x0a000003)).toMatchObject({ action: Action.ACTION_TRAP, reason: 'neighbor miss' });
    expect(at(0x01010101)).toMatchObject({ action: Action.ACTION_TRAP, reason: 'no route' });
    asic.write([mod(rif(1, 1, 1, { adminUp: false }))], false);
    expect(at(0x0b010101)).toMatchObject({ action: Action.ACTION_DROP, reason: 'interface down' });
    expect(() => asic.lookup({ vrfName: 'nope', destination: { ipv4: 1 } })).toThrow(/no VRF named/);
  });
});

describe('faults and reset', () => {
  it('fails the next N updates of a kind without applying them', () => {
    const asic = device();
    asic.injectFault({ failUpdates: { count: 2, code: Code.UNAVAILABLE, entityType: EntityType.ENTITY_TYPE_ROUTE } });
    const s = asic.write([ins(nh(2, 1, 3)), ...[0x0b, 0x0c, 0x0d].map((a) => ins(route({ ipv4: a << 24, length: 8 })))], true);
    expect(codes(s)).toEqual(['OK', 'UNAVAILABLE', 'UNAVAILABLE', 'OK']);
    expect(asic.tables.routes4.size).toBe(1);
    expect(asic.stats().faultsInjected).toBe(2);
  });

  it('shrinks a table below its usage and announces it', () => {
    const asic = device();
    const events: v1.ITableUsageEvent[] = [];
    asic.on('tableUsage', (e) => events.push(e));
    asic.injectFault({ shrinkTable: { table: Table.TABLE_NEXT_HOPS, capacity: 1 } });
    expect(events.at(-1)!.usage).toEqual({ table: Table.TABLE_NEXT_HOPS, used: 1, capacity: 1 });
    expect(codes(asic.write([ins(nh(2, 1, 3))], false))).toEqual(['RESOURCE_EXHAUSTED']);
    asic.injectFault({ clear: {} });
    expect(codes(asic.write([ins(nh(2, 1, 3))], false))).toEqual(['OK']);
  });

  it('reset wipes every table and changes the boot epoch', () => {
    const asic = device();
    const epoch = asic.bootEpoch;
    const resets: v1.IDeviceReset[] = [];
    asic.on('reset', (e) => resets.push(e));
    const next = asic.reset('test');
    expect(next).not.toBe(epoch);
    expect(resets).toEqual([{ bootEpoch: next, reason: 'test' }]);
    expect([...asic.read()]).toEqual([]);
    expect(asic.capabilities().bootEpoch).toBe(next);
  });
});

describe('silent updates', () => {
  const r11 = route({ ipv4: 0x0b000000, length: 8 });
  const r12 = route({ ipv4: 0x0c000000, length: 8 });
  const silently = (asic: Asic, updates: v1.IUpdate[]) => asic.injectFault({ silentUpdates: { updates } });
  /** What a client could see: tables, stats (but faults_injected) and the boot epoch. */
  const seen = (asic: Asic) => ({ tables: all(asic), epoch: asic.bootEpoch, ...asic.stats(), reads: 0, faultsInjected: 0 });

  it('change the tables in order with no event, no Write counted and the same boot epoch', () => {
    // Two VRFs of ten: a third crosses a tenth of capacity, which a Write would announce.
    const asic = device({ capacity: { vrfs: 10 } });
    expect(codes(asic.write([ins(r11), ins(r12)], false))).toEqual(['OK', 'OK']);
    // An armed FailUpdates is for Writes: it does not take silent updates.
    asic.injectFault({ failUpdates: { count: 1, code: Code.UNAVAILABLE } });
    const events: unknown[] = [];
    for (const e of ['tableUsage', 'port', 'reset']) asic.on(e, (x) => events.push(x));
    const before = asic.stats();
    silently(asic, [
      ins(vrf(2, 'blue')),
      del(r12),
      ins(route({ ipv4: 0x0c000000, length: 8 }, {}, 2)),
      mod(neigh(1, 0x0a000002, Buffer.from([2, 0, 0, 0, 7, 7]))),
    ]);
    expect(events).toEqual([]);
    const after = asic.stats();
    expect(after).toMatchObject({ bootEpoch: before.bootEpoch, writes: before.writes, updates: before.updates, updatesByCode: before.updatesByCode });
    expect(after.faultsInjected).toBe(before.faultsInjected! + 4);
    expect(asic.lookup({ vrfId: 2, destination: { ipv4: 0x0c010101 } })).toMatchObject({ action: Action.ACTION_FORWARD, mac: Buffer.from([2, 0, 0, 0, 7, 7]) });
    expect(asic.lookup({ vrfId: 1, destination: { ipv4: 0x0c010101 } }).reason).toBe('no route');
    // Reference counts follow: the moved route still holds its next hop, the new VRF its route.
    expect(codes(asic.write([ins(route({ ipv4: 0x0d000000, length: 8 })), del(nh()), del(vrf(2, 'blue'))], true)))
      .toEqual(['UNAVAILABLE', 'FAILED_PRECONDITION', 'FAILED_PRECONDITION']);
    // Nor is the VRF table's crossing announced by the next Write.
    expect(events).toEqual([]);
  });

  it('are all or nothing: the first failure fails the call with its code and changes nothing', () => {
    const asic = device();
    expect(codes(asic.write([ins(r11)], false))).toEqual(['OK']);
    const before = seen(asic);
    const fails = (updates: v1.IUpdate[], code: Code, message: RegExp) => {
      expect(() => silently(asic, updates)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
      expect(seen(asic)).toEqual(before);
    };
    // The next hop r11 uses, deleted after a change that would have succeeded.
    fails([mod(neigh(1, 0x0a000002, Buffer.from([2, 0, 0, 0, 7, 7]))), del(nh())], Code.FAILED_PRECONDITION, /^silent update 2 of 2: next hop 1 is referenced 1 times$/);
    fails([del(r11), del(r11)], Code.INVALID_ARGUMENT, /duplicate key/);
    fails([del(r12)], Code.NOT_FOUND, /^silent update 1 of 1: route does not exist$/);
    fails([del(r11), ins(route({ ipv4: 0x0c000000, length: 8 }, { nextHopId: 9 }))], Code.FAILED_PRECONDITION, /next hop 9 does not exist/);
    // Capacities apply, even to a table shrunk below its usage (the trial copy holds it all).
    asic.injectFault({ shrinkTable: { table: Table.TABLE_IPV4_ROUTES, capacity: 0 } });
    Object.assign(before, seen(asic));
    fails([del(r11), ins(r12), ins(route({ ipv4: 0x0d000000, length: 8 }))], Code.RESOURCE_EXHAUSTED, /IPV4_ROUTES is full/);
    silently(asic, [ins(vrf(2, 'blue')), del(r11)]);
    expect(asic.tables.routes4.size).toBe(0);
    expect(asic.stats().faultsInjected).toBe(2);
  });
});
