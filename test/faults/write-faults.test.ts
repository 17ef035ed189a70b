// Writes that fail: hwsim's InjectFault makes updates fail with every status code (routes, and
// neighbours, next hops and groups), keeps failing routes for as long as asked, delays every
// Write, and shrinks a table below its usage in the middle of churn. Every route must end
// installed or reported failed with its reason (the status API against `vrfsync check`'s
// missing entries), land once the fault clears or room frees, and `vrfsync check` end consistent.
import { describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.ts';
import { Code, EntityType, Table, codeName } from '../../src/driver/wire.ts';
import { Churn, agentStatus, expectConsistent as expectConsistentIn, hwStats, ipBatch, sleep, useRig, vrfsyncCheck, vrfsyncStatus, waitFor } from './fixture.ts';

const ROUTES = 2000;
const FAILING_CODES = Object.values(Code).filter((c): c is Code => typeof c === 'number' && c !== Code.OK);

describe('injected write failures', () => {
  const rig = useRig('fault-write', ROUTES);
  let agent: AgentProcess;
  const status = () => agentStatus(rig.statusSocket);

  const expectConsistent = () => expectConsistentIn(rig.ns, rig.hw.address, rig.statusSocket);

  /**
   * What `vrfsync check` finds missing against what the agent reports failed: every route the
   * kernel has is installed or reported failed, with nothing else missing or different.
   */
  const missingVersusFailed = async () => {
    const check = await vrfsyncCheck(rig.ns, rig.hw.address);
    const st = await status();
    const structural = check.report.mismatches.filter((m) => m.kind !== 'forwarding');
    const missing = structural.filter((m) => m.kind === 'missing').map((m) => `${m.vrf} ${m.key}`).sort();
    const failed = (st.failures ?? []).map((f) => `${f.vrf} ${f.key}`).sort();
    return { check, st, structural, missing, failed };
  };

  const startSynced = async (args: string[] = []) => {
    agent = startAgent(rig.ns, ['--driver', rig.hw.address, '--status-socket', rig.statusSocket, ...args]);
    await agent.waitLog('first sync converged');
  };

  it(`fails updates with each of the ${FAILING_CODES.length} codes; each lands on a retry`, async () => {
    await startSynced();
    let n = 0;
    for (const code of FAILING_CODES) {
      const name = codeName(code);
      const before = (await hwStats(rig.hw.address)).byCode[name] ?? 0;
      await rig.sim.injectFault({ failUpdates: { count: 3, code, entityType: EntityType.ENTITY_TYPE_ROUTE } });
      await ipBatch(rig.ns, Array.from({ length: 8 }, () => `route add 30.${n >> 8}.${n++ & 255}.0/24 via 10.0.${(n % 2) + 1}.2`));
      await waitFor(`three route updates refused with ${name}`, async () => ((await hwStats(rig.hw.address)).byCode[name] ?? 0) - before >= 3 || undefined, 30_000);
      // ABORTED means "not attempted": sent again at once, not a refusal to report.
      if (code !== Code.ABORTED) await agent.waitLog('updates refused', (r) => r.code === name, 30_000);
    }
    // Other entities: a neighbour, a next hop and a group, each refused twice first.
    const others: [EntityType, string[]][] = [
      [EntityType.ENTITY_TYPE_NEIGHBOR, ['neigh add 10.0.3.200 lladdr 02:dd:00:00:00:01 dev swp3 nud permanent']],
      [EntityType.ENTITY_TYPE_NEXT_HOP, ['route add 30.200.0.0/16 via 10.0.3.201']],
      [EntityType.ENTITY_TYPE_NEXT_HOP_GROUP, ['route add 30.201.0.0/16 nexthop via 10.0.3.201 nexthop via 10.0.1.2']],
    ];
    for (const [entityType, lines] of others) {
      const before = (await hwStats(rig.hw.address)).byCode.UNAVAILABLE ?? 0;
      await rig.sim.injectFault({ failUpdates: { count: 2, code: Code.UNAVAILABLE, entityType } });
      await ipBatch(rig.ns, lines);
      await waitFor(`two ${EntityType[entityType]} updates refused`, async () => ((await hwStats(rig.hw.address)).byCode.UNAVAILABLE ?? 0) - before >= 2 || undefined, 30_000);
    }
    await expectConsistent();
    const st = await status();
    expect(st.state).toBe('SYNC_STATE_IN_SYNC');
  }, 120_000);

  it('reports routes failed with their reason while a fault lasts, forgets one the kernel puts back, and installs the rest once it clears', async () => {
    await startSynced();
    await rig.sim.injectFault({ failUpdates: { count: 1_000_000, code: Code.INTERNAL, entityType: EntityType.ENTITY_TYPE_ROUTE } });
    await ipBatch(rig.ns, Array.from({ length: 30 }, (_, i) => `route add 31.0.${i}.0/24 via 10.0.1.2`));
    // 20.0.0.0/32 is installed via 10.0.1.2: moving it fails too; moving it back makes it right again.
    await ipBatch(rig.ns, ['route replace 20.0.0.0/32 via 10.0.2.2']);
    await waitFor('31 routes reported failed', async () => ((await status()).failuresTotal === 31 ? true : undefined), 30_000, 100);
    const during = await missingVersusFailed();
    // The command line says the same as the API.
    expect((await vrfsyncStatus(rig.ns, rig.statusSocket)).failuresTotal).toBe(31);
    expect(during.failed).toHaveLength(31);
    for (const f of during.st.failures!) expect(f).toMatchObject({ code: 'INTERNAL', message: 'injected fault: INTERNAL' });
    // The new routes are missing from hardware, the moved one differs: nothing else.
    expect(during.missing).toEqual(during.failed.filter((k) => k !== 'default 20.0.0.0/32'));
    expect(during.structural.filter((m) => m.kind === 'different').map((m) => m.key)).toEqual(['20.0.0.0/32']);
    expect(during.check.code).toBe(1);
    // Back to what hardware holds: not failed any more, though the fault still refuses writes.
    await ipBatch(rig.ns, ['route replace 20.0.0.0/32 via 10.0.1.2']);
    await waitFor('the route put back to forget its failure', async () => ((await status()).failuresTotal === 30 ? true : undefined), 30_000, 100);
    await rig.sim.injectFault({ clear: {} });
    await expectConsistent();
  }, 120_000);

  it('delays every Write by 250 ms under churn: the lag shows it, nothing is lost', async () => {
    await startSynced();
    await rig.sim.injectFault({ latency: { milliseconds: 250 } });
    const before = await hwStats(rig.hw.address);
    const churn = new Churn(rig.ns, { perRound: 100, pauseMs: 50, replaceBelow: ROUTES });
    await sleep(2500);
    await churn.stop();
    await rig.sim.injectFault({ clear: {} });
    await expectConsistent();
    const st = await status();
    const after = await hwStats(rig.hw.address);
    // Lag is measured from the kernel event to the driver's answer: never under the latency.
    expect(st.lag!.updates).toBeGreaterThan(100);
    expect(st.lag!.p50Ms).toBeGreaterThanOrEqual(250);
    // Changes gather while a Write waits: far fewer Writes than kernel commands.
    expect(after.writes - before.writes).toBeLessThan(churn.commands / 10);
    console.log(`latency 250 ms under churn (${churn.commands} commands): ${after.writes - before.writes} Writes of ${after.updates - before.updates} updates, lag p50 ${st.lag!.p50Ms} ms p99 ${st.lag!.p99Ms} ms`);
  }, 120_000);

  it('shrinks the IPv4 route table below its usage in the middle of churn: every route installed or reported failed, all land as room frees', async () => {
    await startSynced();
    const churn = new Churn(rig.ns, { perRound: 150, pauseMs: 30 });
    await sleep(1000);
    const used = (await rig.sim.stats()).tables!.find((t) => t.table === Table.TABLE_IPV4_ROUTES)!;
    await rig.sim.injectFault({ shrinkTable: { table: Table.TABLE_IPV4_ROUTES, capacity: Number(used.used) - 20 } });
    await sleep(2000);
    await churn.stop();
    // Settled: what is missing is exactly what the agent reports failed, for lack of room.
    let last: Awaited<ReturnType<typeof missingVersusFailed>> | null = null;
    await waitFor('missing routes to be the failed ones', async () => {
      last = await missingVersusFailed();
      const { st, structural, missing } = last;
      if (!st.failuresTotal || structural.length !== missing.length || missing.length !== st.failuresTotal) return undefined;
      return st.failures!.every((f) => missing.includes(`${f.vrf} ${f.key}`)) ? true : undefined;
    }, 30_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify({ failuresTotal: last?.st.failuresTotal, missing: last?.missing.length, structural: last?.structural.slice(0, 5) })}`);
    });
    const { st } = last!;
    for (const f of st.failures!) expect(f).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: 'TABLE_IPV4_ROUTES is full' });
    // Under the safe policy nothing forwards by a less specific route meanwhile: only missing entries, no forwarding mismatch.
    expect(last!.check.report.forwardingMismatches).toBe(0);
    const failedCount = st.failuresTotal!;
    // Room frees: a thousand host routes leave the kernel; every failed route lands.
    await ipBatch(rig.ns, Array.from({ length: 1000 }, (_, i) => `route del 20.0.${i >> 8}.${i & 255}/32`));
    await expectConsistent();
    console.log(`IPv4 table shrunk to ${Number(used.used) - 20} mid-churn: ${failedCount} routes reported RESOURCE_EXHAUSTED, all installed once room freed`);
  }, 120_000);
});
