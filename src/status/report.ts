// The agent's state as the status API and the metrics report it: sync state, entries per VRF
// and table (installed, pending, failed), failures with their reasons, resyncs and lag.
// Counting routes walks the route tables (a few tens of milliseconds for a full table): fine
// for a status request or a scrape, not for anything on the sync path.
import type { Agent, SyncState } from '../agent/agent.ts';
import { agentpb, codeName, type agentv1 } from '../driver/wire.ts';
import { dstText } from '../netlink/route-record.ts';
import { planSmall } from '../translate/plan.ts';
import { ABSENT } from '../translate/route-table.ts';
import type { HwEntity } from '../translate/updates.ts';
import { VrfOf } from '../translate/vrf-of.ts';

const STATE: Record<SyncState, agentv1.SyncState> = {
  starting: agentpb.SyncState.SYNC_STATE_STARTING,
  backup: agentpb.SyncState.SYNC_STATE_BACKUP,
  syncing: agentpb.SyncState.SYNC_STATE_SYNCING,
  'in-sync': agentpb.SyncState.SYNC_STATE_IN_SYNC,
  disconnected: agentpb.SyncState.SYNC_STATE_DISCONNECTED,
  stopped: agentpb.SyncState.SYNC_STATE_STOPPED,
};

export function syncStateOf(s: SyncState): agentv1.SyncState {
  return STATE[s];
}

type SmallKind = Exclude<HwEntity['kind'], 'route'>;
const SMALL_TABLE: Record<SmallKind, string> = {
  vrf: 'vrfs', rif: 'router-interfaces', neighbor: 'neighbors', nextHop: 'next-hops', group: 'next-hop-groups',
};

interface Row {
  vrf: string;
  table: string;
  installed: number;
  pending: number;
  failed: number;
}

/** VRF id -> name: "default" for the driver's default VRF, else the VRF entity's name. */
export function vrfNamer(agent: Agent): (id: number) => string {
  const defaultId = agent.driver.capabilities?.defaultVrfId ?? 0;
  return (id) => {
    if (id === defaultId) return 'default';
    return agent.translator?.desired.vrfs.get(id)?.name ?? agent.installed.vrfs.get(id)?.name ?? `vrf ${id}`;
  };
}

/** A hardware entry's VRF name: '' when its router interface is unknown to both states. */
function entryVrf(agent: Agent): (e: HwEntity) => string {
  const name = vrfNamer(agent);
  const vrfOf = new VrfOf(agent.translator?.desired ?? agent.installed, agent.installed);
  return (e) => {
    const id = vrfOf.entity(e);
    return id === null ? '' : name(id);
  };
}

/**
 * Entries per (VRF, table): installed, pending (desired, not acknowledged) and failed. Every
 * entry is counted in a VRF (see src/translate/vrf-of.ts): router interfaces in theirs, neighbours and next
 * hops in their router interface's, groups in their first member's.
 */
export function tableCounts(agent: Agent): Row[] {
  const rows = new Map<string, Row>();
  const at = (vrf: string, table: string) => {
    const k = `${vrf}\0${table}`;
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { vrf, table, installed: 0, pending: 0, failed: 0 }));
    return r;
  };
  const installed = agent.installed;
  const desired = agent.translator?.desired;
  const name = vrfNamer(agent);
  const vrfOfEntry = entryVrf(agent);
  const small = (e: Exclude<HwEntity, { kind: 'route' }>) => at(vrfOfEntry(e), SMALL_TABLE[e.kind]);
  for (const vrf of installed.vrfs.values()) small({ kind: 'vrf', vrf }).installed++;
  for (const rif of installed.rifs.values()) small({ kind: 'rif', rif }).installed++;
  for (const neighbor of installed.neighbors.values()) small({ kind: 'neighbor', neighbor }).installed++;
  for (const nextHop of installed.nexthops.values()) small({ kind: 'nextHop', nextHop }).installed++;
  for (const group of installed.groups.values()) small({ kind: 'group', group }).installed++;
  if (desired) {
    const plan = planSmall(installed, desired);
    for (const u of [...plan.before, ...plan.after].flat()) if (u.entity.kind !== 'route') small(u.entity).pending++;
  }
  agent.failures.forEachEntity((f) => {
    const r = small(f.entity);
    r.failed++;
    // A refused entry is counted as failed, not also as pending.
    if (r.pending > 0) r.pending--;
  });
  for (const family of [4, 6] as const) {
    const table = family === 4 ? 'ipv4-routes' : 'ipv6-routes';
    const have = installed.routes(family);
    have.forEach((s) => at(name(have.vrfOf(s)), table).installed++);
    if (!desired) continue;
    const want = desired.routes(family);
    want.forEach((s) => {
      const vrf = want.vrfOf(s);
      const len = want.dstLenOf(s);
      const [d0, d1, d2, d3] = [want.word(s, 0), want.word(s, 1), want.word(s, 2), want.word(s, 3)];
      const effective = agent.failures.effective(family, vrf, len, d0, d1, d2, d3, want.valueOf(s));
      if (have.get(vrf, len, d0, d1, d2, d3) !== effective) at(name(vrf), table).pending++;
    });
    have.forEach((s) => {
      if (want.get(have.vrfOf(s), have.dstLenOf(s), have.word(s, 0), have.word(s, 1), have.word(s, 2), have.word(s, 3)) === ABSENT) at(name(have.vrfOf(s)), table).pending++;
    });
  }
  agent.failures.forEach((family, vrf) => {
    const r = at(name(vrf), family === 4 ? 'ipv4-routes' : 'ipv6-routes');
    r.failed++;
    // A refused route is counted as failed, not also as pending.
    if (r.pending > 0) r.pending--;
  });
  return [...rows.values()].sort((a, b) => a.vrf.localeCompare(b.vrf) || a.table.localeCompare(b.table));
}

export function statusReport(agent: Agent, maxFailures = 100): agentv1.IStatusResponse {
  const name = vrfNamer(agent);
  const failures: agentv1.IFailure[] = [];
  // Refused entities first: they are few, and each one strands the routes that use it.
  const vrfOfEntry = entryVrf(agent);
  agent.failures.forEachEntity((f) => {
    if (failures.length < maxFailures) failures.push({ vrf: vrfOfEntry(f.entity), key: entityText(f.entity), code: codeName(f.code), message: f.message });
  });
  agent.failures.forEach((family, vrf, len, d0, d1, d2, d3, code) => {
    if (failures.length >= maxFailures) return;
    failures.push({ vrf: name(vrf), key: `${dstText(family, d0, d1, d2, d3)}/${len}`, code: codeName(code), message: agent.failures.messageOf(code) });
  });
  const d = agent.driver;
  const k = agent.kernel;
  const lag = agent.lag.summary();
  return {
    state: syncStateOf(agent.state),
    driver: { address: agent.driverAddress, connected: d.connected, role: d.role, bootEpoch: d.bootEpoch ?? 0, reconnects: d.stats.reconnects },
    counts: tableCounts(agent),
    failures,
    failuresTotal: agent.failures.size,
    lastKernelResync: { unixMs: k.stats.lastResyncAt, reason: k.stats.lastResyncReason },
    lastDriverRead: { unixMs: agent.stats.lastReadAt, reason: agent.stats.lastReadReason },
    lag: { updates: lag.updates, p50Ms: lag.p50, p99Ms: lag.p99, maxMs: lag.max },
    updatesSent: agent.stats.updates,
    writes: agent.stats.writes,
    netlinkOverruns: k.sub.stats.overruns,
    kernelResyncs: k.stats.resyncs,
    startedUnixMs: agent.stats.startedAt,
    firstSyncMs: agent.stats.firstSyncMs ?? 0,
    fallenBackGroups: agent.translator?.fallenBackGroups ?? 0,
    trappingCovers: agent.failures.coverCount,
    translate: { portMap: Object.fromEntries(agent.translateConfig.portMap), excludedVrfs: [...agent.translateConfig.excludedVrfs].sort() },
  };
}

/** An entity as the status API names it (as `vrfsync check` does): "next-hop 7", "neighbor 10.0.1.2 rif 1". */
function entityText(e: Exclude<HwEntity, { kind: 'route' }>): string {
  switch (e.kind) {
    case 'vrf': return `vrf ${e.vrf.id}`;
    case 'rif': return `router-interface ${e.rif.id}`;
    case 'neighbor': return `neighbor ${e.neighbor.ip} rif ${e.neighbor.rifId}`;
    case 'nextHop': return `next-hop ${e.nextHop.id} (${e.nextHop.ip} rif ${e.nextHop.rifId})`;
    case 'group': return `group ${e.group.id}`;
  }
}
