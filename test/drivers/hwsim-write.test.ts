// Write as hwsim serves it, from raw bytes: route batches take the server's own reader, and
// every rule still holds on that path (validation, references, capacity, duplicates, stop at the
// first failure, arbitration, the batch limit); bytes that do not parse fail the whole call
// with INVALID_ARGUMENT (the contract's status for an invalid request) and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DriverClient, type DriverStream } from '../../src/driver/client.ts';
import { Code, Table, UpdateType, pb, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { UNKNOWNS, bytes, fixed32, ldfield, vfield } from './proto-bytes.ts';

const WRITE = '/vrfsync.driver.v1.Driver/Write';
const MAC = Buffer.from([2, 0, 0, 0, 0, 1]);

type Outcome = { statuses: v1.IUpdateStatus[] } | { error: grpc.ServiceError };

/** Route INSERT bytes with unknown fields inside: VRF 1, IPv4 prefix, FORWARD to a next hop. */
function routeInsert(addr: number, len: number, nextHop: number, type = UpdateType.INSERT): number[] {
  const unknown = UNKNOWNS.flat();
  const prefix = [...unknown, ...fixed32(1, addr), ...vfield(3, len)];
  const route = [...vfield(1, 1), ...ldfield(2, prefix), ...unknown, ...vfield(3, 1), ...vfield(4, nextHop)];
  return ldfield(2, [...vfield(1, type), ...ldfield(2, [...ldfield(6, route), ...unknown])]);
}

describe('hwsim Write from raw bytes', () => {
  let hw: HwsimProcess;
  let client: DriverClient;
  let stream: DriverStream;
  const send = (body: Buffer) => new Promise<Outcome>((resolve) =>
    client.grpc.makeUnaryRequest(WRITE, (b: Buffer) => b, (b: Buffer) => b, body, (err, res) =>
      resolve(err ? { error: err } : { statuses: pb.WriteResponse.decode(res!).statuses })));
  const request = (electionId: number, ...updates: number[][]) => bytes(vfield(1, electionId), ...updates);
  const routes = async () => (await client.readAll({ types: [6] })).map((e) => `${e.route!.prefix!.ipv4}/${e.route!.prefix!.length} nh ${e.route!.nextHopId}`);

  beforeAll(async () => {
    hw = await startHwsim(['--capacity', 'ipv4-routes=4', '--max-updates-per-write', '8']);
    client = new DriverClient(hw.address);
    stream = client.openStream();
    expect((await stream.arbitrate(5, 'test')).code ?? 0).toBe(Code.OK);
    const setup: v1.IEntity[] = [
      { vrf: { id: 1, name: 'red' } },
      { routerInterface: { id: 1, vrfId: 1, portId: 1, mac: MAC, mtu: 1500, adminUp: true } },
      { nextHop: { id: 1, rifId: 1, ip: { ipv4: 0x0a000002 } } },
    ];
    const res = await client.write({ electionId: 5, updates: setup.map((entity) => ({ type: UpdateType.INSERT, entity })) });
    expect(res.statuses.map((s) => s.code ?? 0)).toEqual([0, 0, 0]);
  });
  afterAll(async () => {
    stream?.close();
    client?.close();
    await hw?.stop();
  });

  it('applies a hand-encoded route batch, unknown fields and all', async () => {
    const out = await send(request(5, routeInsert(0x0b000000, 8, 1), routeInsert(0x0c000000, 8, 1), UNKNOWNS[2]!));
    expect(out).toEqual({ statuses: [{ code: 0 }, { code: 0 }].map((s) => pb.UpdateStatus.fromObject(s)) });
    expect(await routes()).toEqual([`${0x0b000000}/8 nh 1`, `${0x0c000000}/8 nh 1`]);
  });

  it('answers each rule with the status the contract gives it', async () => {
    const body = bytes(
      vfield(1, 5), vfield(3, 1), // continue_on_error
      routeInsert(0x0d000001, 8, 1), // host bits
      routeInsert(0x0d000000, 16, 99), // no next hop 99
      routeInsert(0x0d000000, 8, 1),
      routeInsert(0x0d000000, 8, 1, UpdateType.DELETE), // same key again
      routeInsert(0x0e000000, 8, 1),
      routeInsert(0x0f000000, 8, 1), // the table holds 4
      routeInsert(0x0b000000, 8, 1), // exists
      routeInsert(0x10000000, 8, 1, UpdateType.MODIFY), // does not exist
    );
    const out = await send(body);
    if (!('statuses' in out)) throw out.error;
    expect(out.statuses.map((s) => [Code[s.code ?? 0], s.message])).toEqual([
      ['INVALID_ARGUMENT', 'prefix: host bits set beyond /8'],
      ['FAILED_PRECONDITION', 'route: next hop 99 does not exist'],
      ['OK', ''],
      ['INVALID_ARGUMENT', 'duplicate key: an earlier update in this batch has the same entity key'],
      ['OK', ''],
      ['RESOURCE_EXHAUSTED', 'TABLE_IPV4_ROUTES is full'],
      ['ALREADY_EXISTS', 'route exists'],
      ['NOT_FOUND', 'route does not exist'],
    ]);
    expect(out.statuses[5]!.usage).toMatchObject({ table: Table.TABLE_IPV4_ROUTES, used: 4, capacity: 4 });
  });

  it('stops at the first failure without continue_on_error', async () => {
    const out = await send(request(5, routeInsert(0x0b000000, 8, 1, UpdateType.DELETE), routeInsert(0x0b000001, 16, 1), routeInsert(0x0c000000, 8, 1, UpdateType.DELETE)));
    if (!('statuses' in out)) throw out.error;
    expect(out.statuses.map((s) => Code[s.code ?? 0])).toEqual(['OK', 'INVALID_ARGUMENT', 'ABORTED']);
    expect((await routes()).length).toBe(3);
  });

  it('refuses a backup, an oversized batch and unparsable bytes as a whole, changing nothing', async () => {
    const before = await routes();
    const backup = await send(request(4, routeInsert(0x20000000, 8, 1)));
    expect('error' in backup && backup.error.code).toBe(grpc.status.PERMISSION_DENIED);
    const many = Array.from({ length: 9 }, (_, i) => routeInsert(0x20000000 + i * 0x10000, 16, 1, UpdateType.DELETE));
    const oversized = await send(request(5, ...many));
    expect('error' in oversized && oversized.error.code).toBe(grpc.status.INVALID_ARGUMENT);
    const valid = request(5, routeInsert(0x0b000000, 8, 1, UpdateType.DELETE), routeInsert(0x21000000, 8, 1));
    for (const cut of [valid.length - 1, valid.length - 4, 7]) {
      const out = await send(valid.subarray(0, cut));
      expect('error' in out && out.error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect('error' in out && out.error.details).toMatch(/^malformed \/vrfsync.driver.v1.Driver\/Write request: /);
    }
    expect(await routes()).toEqual(before);
  });
});
