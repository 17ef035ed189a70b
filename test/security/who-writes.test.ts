// Who may write to a real hwsim process: only the primary, on the connection it arbitrated on.
// A backup, a client that never arbitrated, and either of them claiming the primary's election
// id (ids are not secrets: anyone can read them in a log or guess them) are refused with
// PERMISSION_DENIED and change nothing; the primary's own Writes then still apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DriverClient, SimulatorClient, type DriverStream } from '../../src/driver/client.ts';
import { Code, pb, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { frame, rawCall, rawSession } from './raw-grpc.ts';

const PRIMARY = 10;
const BACKUP = 5;
/** A client on a connection of its own (grpc-js shares one between channels to one address otherwise). */
const ownConnection = (address: string) => new DriverClient(address, { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
const vrf = (id: number): v1.IUpdate => ({ type: UpdateType.INSERT, entity: { vrf: { id, name: `v${id}` } } });

describe('who may write', () => {
  let hw: HwsimProcess;
  let primary: DriverClient;
  let primaryStream: DriverStream;
  let sim: SimulatorClient;

  const tables = async () => {
    const stats = await sim.stats();
    return { entities: (await primary.readAll()).map((e) => Buffer.from(pb.Entity.encode(e).finish()).toString('hex')), writes: Number(stats.writes) };
  };
  const refusal = (p: Promise<unknown>) => p.then(() => 'applied', (err: grpc.ServiceError) => grpc.status[err.code]);

  beforeAll(async () => {
    hw = await startHwsim([]);
    primary = ownConnection(hw.address);
    primaryStream = primary.openStream();
    expect((await primaryStream.arbitrate(PRIMARY, 'primary')).code ?? 0).toBe(Code.OK);
    sim = new SimulatorClient(hw.address);
  });
  afterAll(async () => {
    primaryStream?.close();
    primary?.close();
    sim?.close();
    await hw?.stop();
  });

  it('refuses a backup and a client that never arbitrated, whatever election id they claim', async () => {
    const backup = ownConnection(hw.address);
    const backupStream = backup.openStream();
    expect((await backupStream.arbitrate(BACKUP, 'backup')).code).toBe(Code.ALREADY_EXISTS);
    const stranger = ownConnection(hw.address);
    const before = await tables();
    const attempts: Record<string, string> = {};
    for (const [who, client] of [['backup', backup], ['never arbitrated', stranger]] as const) {
      for (const id of [0, 1, BACKUP, PRIMARY, PRIMARY + 1]) attempts[`${who}, id ${id}`] = await refusal(client.write({ electionId: id, updates: [vrf(1)] }));
    }
    // Raw HTTP/2, no gRPC library: the primary's id on a connection that never arbitrated.
    const h2 = rawSession(hw.address);
    const raw = await rawCall(h2, '/vrfsync.driver.v1.Driver/Write', [frame(pb.WriteRequest.encode({ electionId: PRIMARY, updates: [vrf(1)] }).finish())]);
    h2.close();
    attempts['raw HTTP/2, id 10'] = grpc.status[raw.code ?? -1] ?? 'none';
    expect(Object.entries(attempts).filter(([, r]) => r !== 'PERMISSION_DENIED')).toEqual([]);
    expect(await tables()).toEqual(before);
    // The primary still writes (so the refusals above were not a broken server).
    const ok = await primary.write({ electionId: PRIMARY, updates: [vrf(1)] });
    expect(ok.statuses.map((s) => s.code ?? 0)).toEqual([Code.OK]);
    backupStream.close();
    backup.close();
    stranger.close();
  });

  it('refuses the old primary once a higher id took over, and a backup whose primary left until it arbitrates again', async () => {
    const taker = ownConnection(hw.address);
    const takerStream = taker.openStream();
    expect((await takerStream.arbitrate(PRIMARY + 5, 'taker')).code ?? 0).toBe(Code.OK);
    const before = await tables();
    expect(await refusal(primary.write({ electionId: PRIMARY, updates: [vrf(2)] }))).toBe('PERMISSION_DENIED');
    // The new primary leaves: nobody is promoted, so nobody writes.
    takerStream.close();
    taker.close();
    await expect.poll(() => refusal(primary.write({ electionId: PRIMARY + 5, updates: [vrf(2)] }))).toBe('PERMISSION_DENIED');
    expect(await refusal(primary.write({ electionId: PRIMARY, updates: [vrf(2)] }))).toBe('PERMISSION_DENIED');
    expect(await tables()).toEqual(before);
    // Arbitrating again makes the old primary primary again.
    expect((await primaryStream.arbitrate(PRIMARY, 'primary')).code ?? 0).toBe(Code.OK);
    expect((await primary.write({ electionId: PRIMARY, updates: [vrf(2)] })).statuses.map((s) => s.code ?? 0)).toEqual([Code.OK]);
  });
});
