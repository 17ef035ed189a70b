// The soak: an agent following a namespace whose kernel churns without pause (routes replaced,
// added and deleted, existing routes moved between gateways, neighbours flapping) for a given
// time, with the agent's resident memory sampled every second and its kernel-to-hardware lag read
// from its status API. Shared by the short CI test (soak.test.ts) and `npm run soak -- --minutes N`.
import { dirname, join } from 'node:path';
import { Netns } from '../helpers/netns.ts';
import { startHwsim, tempSocket } from '../helpers/hwsim-process.ts';
import { startAgent } from '../helpers/agent-process.ts';
import { SimulatorClient } from '../../src/driver/client.ts';
import { Table } from '../../src/driver/wire.ts';
import { Churn, PORTS, agentStatus, hwStats, rssKb, sleep, topology, vrfsyncCheck, vrfsyncStatus, waitFor } from './rig-tools.ts';

export interface SoakOptions {
  seconds: number;
  routes?: number;
  /** Churn commands per round (each round one ip -batch), and the pause between rounds. */
  perRound?: number;
  pauseMs?: number;
  /** Progress lines (one every minute on long runs). */
  log?: (line: string) => void;
}

export interface SoakFigures {
  seconds: number;
  churnCommands: number;
  churnSeed: number;
  hwUpdates: number;
  hwWrites: number;
  lag: { updates: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** RSS (MiB): after warm-up (the first quarter of the run, at least 10 s), at the end, and the highest seen after warm-up. */
  rss: { warmMiB: number; endMiB: number; peakMiB: number; growthMiB: number; allowedMiB: number };
  /** Hardware route entries after warm-up and at the end. */
  routes: { warm: number; end: number };
  overruns: number;
  consistent: boolean;
  checkEntries: number;
  checkProbes: number;
}

const MiB = 1024;

/**
 * Growth the table size explains, generously: 48 MiB of slack (heap settling, buffers, the
 * allocator keeping what it freed) plus 4 KiB for each route entry the hardware gained.
 */
function allowedGrowthMiB(routesGained: number): number {
  return 48 + Math.max(0, routesGained) * 4 / MiB;
}

/** Median of the samples in [from, to) seconds. */
function median(samples: { t: number; kb: number }[], from: number, to: number): number {
  const xs = samples.filter((s) => s.t >= from && s.t < to).map((s) => s.kb).sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)]! : 0;
}

export async function runSoak(o: SoakOptions): Promise<SoakFigures> {
  const routes = o.routes ?? 20_000;
  const log = o.log ?? (() => {});
  const ns = Netns.create('soak');
  const statusSocket = join(dirname(tempSocket()), 'agent.sock');
  const hw = await startHwsim(['--ports', PORTS]);
  const sim = new SimulatorClient(hw.address);
  const agent = startAgent(ns, ['--driver', hw.address, '--status-socket', statusSocket]);
  let churn: Churn | null = null;
  try {
    topology(ns, routes);
    await agent.waitLog('first sync converged', undefined, 120_000);
    const hwRoutes = async () => {
      const t = (await sim.stats()).tables ?? [];
      return t.filter((u) => u.table === Table.TABLE_IPV4_ROUTES || u.table === Table.TABLE_IPV6_ROUTES).reduce((n, u) => n + Number(u.used ?? 0), 0);
    };
    const before = await hwStats(hw.address);
    churn = new Churn(ns, { perRound: o.perRound ?? 200, pauseMs: o.pauseMs ?? 40, replaceBelow: routes });
    const warmS = Math.max(10, o.seconds / 4);
    const samples: { t: number; kb: number }[] = [];
    let warmRoutes = 0;
    const t0 = Date.now();
    for (let s = 0; s < o.seconds; s++) {
      await sleep(Math.max(0, t0 + (s + 1) * 1000 - Date.now()));
      if (agent.proc.exitCode !== null) throw new Error(`the agent exited (${agent.proc.exitCode}) during the soak`);
      samples.push({ t: s, kb: rssKb(agent.proc.pid!) });
      if (s === Math.floor(warmS)) warmRoutes = await hwRoutes();
      if (s > 0 && s % 60 === 0) {
        const st = await agentStatus(statusSocket);
        log(`${s / 60} min: rss ${(samples.at(-1)!.kb / MiB).toFixed(0)} MiB, ${churn.commands} churn commands, lag p50 ${st.lag?.p50Ms} ms p99 ${st.lag?.p99Ms} ms`);
      }
    }
    await churn.stop();
    // Settled: the hardware equals the kernel.
    await waitFor('the agent to settle', async () => ((await agentStatus(statusSocket)).state === 'SYNC_STATE_IN_SYNC' ? true : undefined), 60_000, 200);
    const check = await vrfsyncCheck(ns, hw.address);
    const st = await vrfsyncStatus(ns, statusSocket);
    const after = await hwStats(hw.address);
    const endRoutes = await hwRoutes();
    // Warm: the median over the few seconds after warm-up; end: over the last tenth of the run.
    const warm = median(samples, warmS, warmS + Math.max(3, o.seconds / 20));
    const end = median(samples, o.seconds * 0.9, o.seconds + 1);
    const peak = Math.max(...samples.filter((s) => s.t >= warmS).map((s) => s.kb));
    return {
      seconds: o.seconds,
      churnCommands: churn.commands,
      churnSeed: churn.seed,
      hwUpdates: after.updates - before.updates,
      hwWrites: after.writes - before.writes,
      lag: { updates: st.lag?.updates ?? 0, p50Ms: st.lag?.p50Ms ?? 0, p99Ms: st.lag?.p99Ms ?? 0, maxMs: st.lag?.maxMs ?? 0 },
      rss: {
        warmMiB: warm / MiB, endMiB: end / MiB, peakMiB: peak / MiB, growthMiB: (end - warm) / MiB,
        allowedMiB: allowedGrowthMiB(endRoutes - warmRoutes),
      },
      routes: { warm: warmRoutes, end: endRoutes },
      overruns: st.netlinkOverruns ?? 0,
      consistent: check.code === 0 && check.report.consistent,
      checkEntries: check.report.checked.entries,
      checkProbes: check.report.checked.probes,
    };
  } finally {
    await churn?.stop();
    await agent.stop('SIGKILL');
    sim.close();
    await hw.stopOrKill();
    ns.destroy();
  }
}

/** The figures as the soak prints them. */
export function formatSoak(f: SoakFigures): string {
  const r = f.rss;
  return [
    `soak ${f.seconds} s: ${f.churnCommands} churn commands (seed ${f.churnSeed}), ${f.hwUpdates} updates in ${f.hwWrites} Writes to hwsim`,
    `  lag kernel -> hardware over ${f.lag.updates} updates: p50 ${f.lag.p50Ms} ms, p99 ${f.lag.p99Ms} ms, max ${f.lag.maxMs} ms`,
    `  agent RSS: ${r.warmMiB.toFixed(1)} MiB after warm-up, ${r.endMiB.toFixed(1)} MiB at the end (growth ${r.growthMiB.toFixed(1)} MiB, allowed ${r.allowedMiB.toFixed(1)}), peak ${r.peakMiB.toFixed(1)} MiB`,
    `  hardware routes ${f.routes.warm} after warm-up, ${f.routes.end} at the end; netlink overruns ${f.overruns}`,
    `  vrfsync check: ${f.consistent ? 'consistent' : 'INCONSISTENT'} (${f.checkEntries} entries, ${f.checkProbes} probes)`,
  ].join('\n');
}
