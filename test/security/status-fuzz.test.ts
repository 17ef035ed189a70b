// The agent's status API (a unix socket, read-only) under bad input, from a running agent in a
// namespace: requests that do not decode, lying frames, and thousands of mutated Status
// requests. The agent must keep running and in sync, answer Status after, and nothing it
// wrote to hwsim may change.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { agentpb, pb, type v1 } from '../../src/driver/wire.ts';
import { DriverClient, SimulatorClient } from '../../src/driver/client.ts';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, type HwsimProcess } from '../helpers/hwsim-process.ts';
import { killAgents, startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { decodes, frame, MALFORMED, rawCall, rawSession, unframe } from './raw-grpc.ts';
import { mutate, Rng } from './write-fuzz.ts';

const STATUS = '/vrfsync.agent.v1.Agent/Status';
const WATCH = '/vrfsync.agent.v1.Agent/Watch';
const MUTANTS = Number(process.env.FUZZ_STATUS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

describe('the agent status API under bad input', () => {
  let ns: Netns;
  let hw: HwsimProcess;
  let agent: AgentProcess;
  let h2: ClientHttp2Session;
  const socket = join(mkdtempSync(join(tmpdir(), 'vrfsync-status-fuzz-')), 'agent.sock');
  const address = `unix:${socket}`;

  const hardware = async () => {
    const c = new DriverClient(hw.address);
    const s = new SimulatorClient(hw.address);
    try {
      const stats = await s.stats();
      return { entities: (await c.readAll()).map((e: v1.IEntity) => Buffer.from(pb.Entity.encode(e).finish()).toString('hex')), writes: Number(stats.writes) };
    } finally {
      c.close();
      s.close();
    }
  };
  const status = async () => {
    const a = await rawCall(h2, STATUS, [frame(Buffer.alloc(0))]);
    expect(a.code).toBe(0);
    return agentpb.StatusResponse.decode(unframe(a.body)[0]!);
  };

  beforeAll(async () => {
    ns = Netns.create('statusfuzz');
    ns.batch([
      'link add swp1 type veth peer name p1', 'link set swp1 up', 'link set p1 up', 'addr add 192.168.1.1/24 dev swp1',
      'neigh add 192.168.1.2 lladdr 02:aa:00:00:00:01 dev swp1 nud permanent',
      ...Array.from({ length: 20 }, (_, i) => `route add 10.0.${i}.0/24 via 192.168.1.2`),
    ]);
    hw = await startHwsim(['--ports', 'swp1,swp2']);
    agent = startAgent(ns, ['--driver', hw.address, '--status-socket', socket]);
    await agent.waitLog('first sync converged');
    h2 = rawSession(address);
  });
  afterAll(async () => {
    h2?.close();
    killAgents();
    await hw?.stop();
    ns?.destroy();
  });

  it(`refuses what does not decode, survives lying frames and ${MUTANTS} mutated requests, and stays in sync`, async () => {
    const before = await hardware();
    expect((await status()).state).toBe(agentpb.SyncState.SYNC_STATE_IN_SYNC);
    // Bytes that do not decode, to each method: INVALID_ARGUMENT.
    let refused = 0;
    for (const [path, type] of [[STATUS, agentpb.StatusRequest], [WATCH, agentpb.WatchRequest]] as const) {
      for (const [name, bad] of MALFORMED) {
        if (decodes(type, bad)) continue;
        const a = await rawCall(h2, path, [frame(bad)]);
        expect({ path, name, code: a.code }).toEqual({ path, name, code: grpc.status.INVALID_ARGUMENT });
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(MALFORMED.length);
    expect((await rawCall(h2, '/grpc.health.v1.Health/Check', [frame(Buffer.of(0x08))])).code).toBe(grpc.status.INVALID_ARGUMENT);
    // Frames that lie, each on a session of its own.
    const valid = Buffer.from(agentpb.StatusRequest.encode({ maxFailures: 5 }).finish());
    for (const [name, chunks] of [
      ['a length prefix past the body', [frame(valid, { length: 100 })]],
      ['a length prefix of 2^32-1', [frame(valid, { length: 0xffffffff })]],
      ['a message over the size limit', [frame(Buffer.alloc(5 * 1024 * 1024, 0x0f))]],
      ['two requests to a unary method', [frame(valid), frame(valid)]],
      ['no request', []],
    ] as [string, Buffer[]][]) {
      const s = rawSession(address);
      const a = await rawCall(s, STATUS, chunks);
      s.close();
      expect({ name, refused: a.code !== 0 }).toEqual({ name, refused: true });
    }
    // Mutants of valid Status requests: refused when they do not decode, answered when they do.
    const r = new Rng(SEED);
    const tally = { malformed: 0, answered: 0 };
    const started = Date.now();
    for (let i = 0; i < MUTANTS; i++) {
      const one = Buffer.from(agentpb.StatusRequest.encode({ maxFailures: r.int(300) }).finish());
      const bytes = mutate(r, one, valid);
      const where = `seed ${SEED}, mutant ${i}: ${bytes.toString('hex')}`;
      const a = await rawCall(h2, STATUS, [frame(bytes)]);
      if (decodes(agentpb.StatusRequest, bytes)) {
        expect(a.code, where).toBe(0);
        expect(agentpb.StatusResponse.decode(unframe(a.body)[0]!).state, where).toBe(agentpb.SyncState.SYNC_STATE_IN_SYNC);
        tally.answered++;
      } else {
        expect(a.code, where).toBe(grpc.status.INVALID_ARGUMENT);
        tally.malformed++;
      }
    }
    console.log(`status API fuzz: ${MUTANTS} mutated Status requests (seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(tally)}`);
    expect(tally.malformed).toBeGreaterThan(MUTANTS / 10);
    expect(tally.answered).toBeGreaterThan(MUTANTS / 10);
    // Still running, still in sync, and hwsim as it was: nothing written since.
    expect(agent.proc.exitCode).toBeNull();
    const after = await status();
    expect(after.state).toBe(agentpb.SyncState.SYNC_STATE_IN_SYNC);
    expect(after.driver).toMatchObject({ connected: true, role: 'primary' });
    expect(await hardware()).toEqual(before);
  }, 60_000 + MUTANTS * 10);
});
