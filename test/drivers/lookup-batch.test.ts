// hwsim's LookupBatch: many forwarding decisions in one call, each the one Lookup gives, in
// request order; a batch that names a missing VRF or a bad address fails as a whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Action, Code, UpdateType, type simv1, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';

const mac = (last: number) => Buffer.from([2, 0, 0, 0, 0, last]);
/** A decoded message as JSON sees it (bytes as base64): comparable across calls. */
const plain = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;
const v4 = (text: string) => ({ ipv4: text.split('.').reduce((a, x) => a * 256 + Number(x), 0) });

describe('hwsim LookupBatch', () => {
  let hw: HwsimProcess;
  let sim: SimulatorClient;
  beforeAll(async () => {
    hw = await startHwsim(['--ports', 'swp1,swp2']);
    const client = new DriverClient(hw.address);
    const stream = client.openStream();
    await stream.arbitrate(10, 'test');
    const entities: v1.IEntity[] = [
      { vrf: { id: 1, name: 'blue' } },
      { routerInterface: { id: 1, vrfId: 0, portId: 1, mac: mac(1), mtu: 1500, adminUp: true } },
      { routerInterface: { id: 2, vrfId: 1, portId: 2, mac: mac(2), mtu: 1500, adminUp: true } },
      { nextHop: { id: 1, rifId: 1, ip: v4('10.0.1.2') } },
      { nextHop: { id: 2, rifId: 1, ip: v4('10.0.1.3') } },
      { nextHop: { id: 3, rifId: 2, ip: v4('10.0.2.2') } },
      { nextHopGroup: { id: 1, members: [{ nextHopId: 1, weight: 1 }, { nextHopId: 2, weight: 1 }] } },
      { neighbor: { rifId: 1, ip: v4('10.0.1.2'), mac: mac(0x12) } },
      { neighbor: { rifId: 1, ip: v4('10.0.1.3'), mac: mac(0x13) } },
      { neighbor: { rifId: 2, ip: v4('10.0.2.2'), mac: mac(0x22) } },
      { route: { vrfId: 0, prefix: { ...v4('11.0.0.0'), length: 8 }, action: Action.ACTION_FORWARD, nextHopId: 1 } },
      { route: { vrfId: 0, prefix: { ...v4('12.0.0.0'), length: 8 }, action: Action.ACTION_FORWARD, groupId: 1 } },
      { route: { vrfId: 0, prefix: { ...v4('10.0.1.0'), length: 24 }, action: Action.ACTION_FORWARD, rifId: 1 } },
      { route: { vrfId: 0, prefix: { ...v4('13.0.0.0'), length: 8 }, action: Action.ACTION_DROP } },
      { route: { vrfId: 1, prefix: { ...v4('11.0.0.0'), length: 8 }, action: Action.ACTION_FORWARD, nextHopId: 3 } },
      { route: { vrfId: 0, prefix: { ipv6: Buffer.from('20010db8000900000000000000000000', 'hex'), length: 48 }, action: Action.ACTION_TRAP } },
    ];
    const res = await client.write({ electionId: 10, updates: entities.map((entity) => ({ type: UpdateType.INSERT, entity })) });
    expect(res.statuses.map((s) => s.code ?? Code.OK)).toEqual(entities.map(() => Code.OK));
    stream.close();
    client.close();
    sim = new SimulatorClient(hw.address);
  });
  afterAll(async () => {
    sim?.close();
    await hw?.stop();
  });

  const requests: simv1.ILookupRequest[] = [
    { vrfName: 'default', destination: v4('11.1.2.3') }, // next hop
    { vrfId: 0, destination: v4('12.0.0.1'), source: v4('10.9.9.9') }, // group: the flow hash picks
    { vrfId: 0, destination: v4('12.0.0.2'), source: v4('10.9.9.9') },
    { destination: v4('10.0.1.2') }, // connected, neighbour known
    { destination: v4('10.0.1.99') }, // connected, neighbour miss
    { destination: v4('13.1.1.1') }, // drop
    { destination: v4('14.1.1.1') }, // no route
    { vrfName: 'blue', destination: v4('11.1.2.3') },
    { vrfId: 1, destination: v4('10.0.1.2') },
    { destination: { ipv6: Buffer.from('20010db8000900000000000000000001', 'hex') } },
  ];

  it('answers each lookup as Lookup does, in request order', async () => {
    const { results } = await sim.lookupBatch({ lookups: requests });
    const one = await Promise.all(requests.map((r) => sim.lookup(r)));
    expect(results.map(plain)).toEqual(one.map(plain));
    expect(results.map((r) => [r.action, r.interface, r.reason])).toEqual([
      [Action.ACTION_FORWARD, 'swp1', ''],
      [Action.ACTION_FORWARD, 'swp1', ''],
      [Action.ACTION_FORWARD, 'swp1', ''],
      [Action.ACTION_FORWARD, 'swp1', ''],
      [Action.ACTION_TRAP, 'swp1', 'neighbor miss'],
      [Action.ACTION_DROP, '', 'route drop'],
      [Action.ACTION_TRAP, '', 'no route'],
      [Action.ACTION_FORWARD, 'swp2', ''],
      [Action.ACTION_TRAP, '', 'no route'],
      [Action.ACTION_TRAP, '', 'route trap'],
    ]);
    expect(Buffer.from(results[7]!.mac!).toString('hex')).toBe('020000000022');
  });

  it('answers an empty batch with no results, and counts every lookup of a batch', async () => {
    expect((await sim.lookupBatch({ lookups: [] })).results).toEqual([]);
    const before = Number((await sim.stats()).lookups);
    const many = Array.from({ length: 20_000 }, (_, i) => requests[i % requests.length]!);
    const { results } = await sim.lookupBatch({ lookups: many });
    expect(results).toHaveLength(20_000);
    expect(plain(results[12_345])).toEqual(plain(await sim.lookup(many[12_345]!)));
    expect(Number((await sim.stats()).lookups) - before).toBe(20_001);
  });

  it('fails as a whole on a missing VRF or a bad address, with the code Lookup gives', async () => {
    const missing = [requests[0]!, { vrfName: 'nope', destination: v4('11.1.2.3') }];
    await expect(sim.lookupBatch({ lookups: missing })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: 'no VRF named "nope"' });
    const bad = [requests[0]!, { destination: { ipv6: Buffer.alloc(3) } }];
    await expect(sim.lookupBatch({ lookups: bad })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(sim.lookupBatch({ lookups: [{ vrfId: 77, destination: v4('1.1.1.1') }] })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
