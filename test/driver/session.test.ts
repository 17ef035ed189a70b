// DriverSession against hwsim in another process, as the agent runs it: connect, arbitration,
// pipelined writes, reconnects after hwsim dies, resets, and per-update statuses.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { SimulatorClient } from '../../src/driver/client.ts';
import { DriverSession, type ConnectedEvent, type DriverSessionOptions, type Role } from '../../src/driver/session.ts';
import { SessionClosedError, WriteCallError } from '../../src/driver/session-errors.ts';
import { Action, Code, OperStatus, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { startHwsim, tempSocket, type HwsimProcess } from '../helpers/hwsim-process.ts';

let processes: HwsimProcess[] = [];
let sessions: DriverSession[] = [];

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  sessions = [];
  processes = [];
});

async function hwsim(args: string[] = [], listen?: string): Promise<HwsimProcess> {
  const p = await startHwsim(args, listen);
  processes.push(p);
  return p;
}

function session(address: string, electionId: number, options: Partial<DriverSessionOptions> = {}): DriverSession {
  // Short backoff: a reconnect after hwsim restarts should not wait out the production delays.
  const s = new DriverSession(address, { electionId, clientName: `test-${electionId}`, backoff: { initialMs: 20, maxMs: 200 }, ...options });
  sessions.push(s);
  return s;
}

const insert = (entity: v1.IEntity): v1.IUpdate => ({ type: UpdateType.INSERT, entity });
const vrf = (id: number, name: string) => insert({ vrf: { id, name } });
/** 10.x.y.0/24 in VRF `vrfId`, dropped; x.y is `n`. */
const dropRoute = (vrfId: number, n: number) => insert({ route: { vrfId, prefix: { ipv4: ((10 << 24) | (n << 8)) >>> 0, length: 24 }, action: Action.ACTION_DROP } });
const codes = (statuses: v1.IUpdateStatus[]) => statuses.map((s) => Code[s.code!]);

describe('DriverSession against hwsim', () => {
  it('connects as primary, pipelines writes at most maxInflight at a time, and reads them back', async () => {
    const hw = await hwsim();
    const s = session(hw.address, 10, { maxInflight: 2 });
    const connected = once(s, 'connected') as Promise<[ConnectedEvent]>;
    await s.start();
    const [{ capabilities, role }] = await connected;
    expect(role).toBe('primary');
    expect(s.role).toBe('primary');
    expect(s.connected).toBe(true);
    expect(capabilities.ports).toHaveLength(32);
    expect(s.capabilities).toBe(capabilities);

    expect(await s.write([vrf(1, 'red')])).toEqual([{ code: Code.OK, message: '', usage: null }]);
    const batches = Array.from({ length: 10 }, (_, b) => Array.from({ length: 50 }, (_, i) => dropRoute(1, b * 50 + i)));
    const pending = batches.map((batch) => s.write(batch));
    // Started synchronously in call order: two on the wire, the rest waiting their turn.
    expect(s.inflight).toBe(2);
    expect(s.queued).toBe(8);
    await s.drain();
    expect(s.inflight + s.queued).toBe(0);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.length)).toEqual(batches.map((b) => b.length));
    expect(results.flat().every((st) => st.code === Code.OK)).toBe(true);
    expect(s.stats).toEqual({ writes: 11, updatesSent: 501, reconnects: 0, wholeCallFailures: 0 });

    const entities = await s.readAll();
    expect(entities.filter((e) => e.vrf).map((e) => e.vrf!.name)).toEqual(['red']);
    const prefixes = entities.filter((e) => e.route).map((e) => e.route!.prefix!.ipv4);
    expect(new Set(prefixes)).toEqual(new Set(batches.flat().map((u) => u.entity!.route!.prefix!.ipv4)));
    const viaRead: v1.IEntity[] = [];
    for await (const e of s.read({ types: [1] })) viaRead.push(e);
    expect(viaRead).toHaveLength(1);
    // A reader that stops early cancels its call; the session reads on as before.
    for await (const e of s.read()) {
      expect(e.vrf).toBeTruthy();
      break;
    }
    expect(await s.readAll()).toHaveLength(501);
  });

  it('a lower election id is a backup; it re-arbitrates and becomes primary when the primary leaves', async () => {
    const hw = await hwsim();
    const first = session(hw.address, 20);
    await first.start();
    expect(first.role).toBe('primary');
    const second = session(hw.address, 10);
    const connected = once(second, 'connected') as Promise<[ConnectedEvent]>;
    await second.start();
    expect((await connected)[0].role).toBe('backup');
    expect(second.role).toBe('backup');
    // A third, lower still: it must stay a backup through the whole change of primary.
    const third = session(hw.address, 5);
    await third.start();
    const thirdRoles: Role[] = [];
    third.on('role', (r) => thirdRoles.push(r));

    const refused = await second.write([vrf(1, 'red')]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WriteCallError);
    expect(refused).toMatchObject({ code: 'VRFSYNC_WRITE_CALL_FAILED', retryable: true });

    const promoted = once(second, 'role');
    await first.close();
    expect(await promoted).toEqual(['primary']);
    expect(second.role).toBe('primary');
    expect(codes(await second.write([vrf(1, 'red')]))).toEqual(['OK']);
    expect(third.role).toBe('backup');
    expect(thirdRoles).not.toContain('primary');
  });

  it('reconnects on its own after hwsim is killed and restarted on the same socket', async () => {
    const hw = await hwsim();
    const s = session(hw.address, 7);
    await s.start();
    const before = s.capabilities!.bootEpoch;
    const disconnected = once(s, 'disconnected') as Promise<[string]>;
    const reconnected = once(s, 'connected') as Promise<[ConnectedEvent]>;
    const roles: Role[] = [];
    s.on('role', (r) => roles.push(r));

    await hw.stop('SIGKILL');
    const [reason] = await disconnected;
    expect(reason).toMatch(/\S/);
    expect(s.connected).toBe(false);
    expect(s.role).toBe('backup');
    await expect(s.write([vrf(1, 'red')])).rejects.toMatchObject({ code: 'VRFSYNC_WRITE_CALL_FAILED', retryable: true });

    await hwsim([], hw.address);
    const [{ capabilities, role }] = await reconnected;
    expect(capabilities.bootEpoch).not.toBe(before);
    expect(role).toBe('primary');
    expect(roles).toEqual(['backup', 'primary']);
    expect(s.stats.reconnects).toBe(1);
    expect(codes(await s.write([vrf(1, 'red')]))).toEqual(['OK']);
  });

  it('reports a device reset with its new boot epoch, and passes port events through', async () => {
    const hw = await hwsim(['--ports', 'swp1,swp2']);
    const s = session(hw.address, 3);
    await s.start();
    const sim = new SimulatorClient(hw.address);
    try {
      const reset = once(s, 'reset');
      const { bootEpoch } = await sim.reset('test');
      expect(await reset).toEqual([Number(bootEpoch)]);
      expect(s.bootEpoch).toBe(Number(bootEpoch));
      expect(Number(bootEpoch)).not.toBe(Number(s.capabilities!.bootEpoch));

      const port = once(s, 'port') as Promise<[v1.IPortEvent]>;
      const swp2 = s.capabilities!.ports.find((p) => p.name === 'swp2')!;
      await sim.setPortState({ portId: swp2.id, operStatus: OperStatus.OPER_STATUS_DOWN });
      expect((await port)[0]).toMatchObject({ portId: swp2.id, name: 'swp2', operStatus: OperStatus.OPER_STATUS_DOWN });
    } finally {
      sim.close();
    }
  });

  it('with its election id in use it stays a backup and asks again until the id is free', async () => {
    const hw = await hwsim();
    const holder = session(hw.address, 12);
    await holder.start();
    const twin = session(hw.address, 12);
    await twin.start();
    expect(twin.connected).toBe(true);
    expect(twin.role).toBe('backup');
    await expect(twin.write([vrf(1, 'red')])).rejects.toMatchObject({ retryable: true });
    const promoted = once(twin, 'role');
    await holder.close();
    expect(await promoted).toEqual(['primary']);
    expect(codes(await twin.write([vrf(1, 'red')]))).toEqual(['OK']);
  });

  it('returns per-update statuses: ABORTED after a failure, or every update attempted with continueOnError', async () => {
    const hw = await hwsim();
    const s = session(hw.address, 4);
    await s.start();
    expect(codes(await s.write([vrf(1, 'red')]))).toEqual(['OK']);
    const toMissingNextHop = insert({ route: { vrfId: 1, prefix: { ipv4: 0xc0000200, length: 24 }, action: Action.ACTION_FORWARD, nextHopId: 99 } });

    const stopped = await s.write([dropRoute(1, 1), toMissingNextHop, dropRoute(1, 2), dropRoute(1, 3)]);
    expect(codes(stopped)).toEqual(['OK', 'FAILED_PRECONDITION', 'ABORTED', 'ABORTED']);
    expect(stopped[1]!.message).toMatch(/\S/);

    const all = await s.write([toMissingNextHop, dropRoute(1, 2), dropRoute(1, 3)], { continueOnError: true });
    expect(codes(all)).toEqual(['FAILED_PRECONDITION', 'OK', 'OK']);
    expect((await s.readAll({ types: [6] })).length).toBe(3);
  });

  it('rejects a batch the driver refuses whole as not retryable', async () => {
    const hw = await hwsim(['--max-updates-per-write', '10']);
    const s = session(hw.address, 6);
    await s.start();
    const err = await s.write(Array.from({ length: 11 }, (_, i) => dropRoute(0, i))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteCallError);
    expect(err).toMatchObject({ code: 'VRFSYNC_WRITE_CALL_FAILED', grpcCode: Code.INVALID_ARGUMENT, retryable: false });
    expect(s.stats.wholeCallFailures).toBe(1);
  });

  it('close() rejects the write in flight and the queued ones, and stops a start() still retrying', async () => {
    const hw = await hwsim();
    const s = session(hw.address, 8, { maxInflight: 1 });
    await s.start();
    const pending = [1, 2, 3].map((i) => s.write([vrf(i, `v${i}`)]).catch((e: unknown) => e));
    expect(s.inflight).toBe(1);
    await s.close();
    for (const err of await Promise.all(pending)) {
      expect(err).toBeInstanceOf(WriteCallError);
      expect(err).toMatchObject({ retryable: false });
    }
    expect(s.connected).toBe(false);
    await expect(s.write([vrf(9, 'late')])).rejects.toBeInstanceOf(WriteCallError);
    await expect(s.readAll()).rejects.toMatchObject({ code: 'VRFSYNC_DRIVER_NOT_CONNECTED' });

    const nowhere = session(`unix:${tempSocket()}`, 9);
    const started = nowhere.start();
    await nowhere.close();
    await expect(started).rejects.toBeInstanceOf(SessionClosedError);
  });
});
