// The structural consistency check: the desired hardware state computed from a fresh kernel
// mirror against what the driver holds (its Read), entry by entry. Ids are adopted from the
// driver first, as a restarted agent would, so an entry that is right under another id is not
// reported: only what would have to be written is.
import type { KernelMirror } from '../kernel/mirror.ts';
import { hardwareFromEntities } from '../translate/read-back.ts';
import type { HardwareState } from '../translate/hardware-state.ts';
import type { DriverFacts, TranslateConfig } from '../translate/inputs.ts';
import { planAll } from '../translate/plan.ts';
import { describeValue } from '../translate/route-value.ts';
import { Translator } from '../translate/translator.ts';
import type { HwEntity, HwUpdate } from '../translate/updates.ts';
import type { v1 } from '../driver/wire.ts';
import { dstText } from '../netlink/route-record.ts';

export interface Mismatch {
  kind: 'missing' | 'extra' | 'different' | 'forwarding';
  vrf: string;
  key: string;
  kernel: unknown;
  hardware: unknown;
}

export interface StructuralResult {
  /** Entries compared: desired and installed, each counted once. */
  entries: number;
  mismatches: Mismatch[];
  desired: HardwareState;
  installed: HardwareState;
}

function vrfName(id: number, facts: DriverFacts, desired: HardwareState, installed: HardwareState): string {
  if (id === facts.defaultVrfId) return 'default';
  return desired.vrfs.get(id)?.name ?? installed.vrfs.get(id)?.name ?? String(id);
}

function describeEntity(e: HwEntity): { vrfId: number | null; key: string; value: unknown } {
  switch (e.kind) {
    case 'vrf': return { vrfId: e.vrf.id, key: `vrf ${e.vrf.id}`, value: e.vrf };
    case 'rif': return { vrfId: e.rif.vrfId, key: `router-interface ${e.rif.id}`, value: e.rif };
    case 'neighbor': return { vrfId: null, key: `neighbor ${e.neighbor.ip} rif ${e.neighbor.rifId}`, value: e.neighbor };
    case 'nextHop': return { vrfId: null, key: `next-hop ${e.nextHop.id}`, value: e.nextHop };
    case 'group': return { vrfId: null, key: `group ${e.group.id}`, value: e.group };
    case 'route': {
      const r = e.route;
      return { vrfId: r.vrfId, key: `${dstText(r.family, r.d0, r.d1, r.d2, r.d3)}/${r.dstLen}`, value: describeValue(r.value) };
    }
  }
}

export function structuralCheck(mirror: KernelMirror, config: TranslateConfig, facts: DriverFacts, entities: Iterable<v1.IEntity>): StructuralResult {
  const installed = hardwareFromEntities(entities);
  const t = new Translator(config, facts, mirror);
  t.adopt(installed);
  t.rebuild();
  const desired = t.desired;
  const mismatches: Mismatch[] = [];
  const updates: HwUpdate[] = planAll(installed, desired).flat();
  for (const u of updates) {
    const d = describeEntity(u.entity);
    const vrf = d.vrfId === null ? '' : vrfName(d.vrfId, facts, desired, installed);
    const inst = installedValue(installed, u);
    if (u.op === 'insert') mismatches.push({ kind: 'missing', vrf, key: d.key, kernel: d.value, hardware: null });
    else if (u.op === 'delete') mismatches.push({ kind: 'extra', vrf, key: d.key, kernel: null, hardware: d.value });
    else mismatches.push({ kind: 'different', vrf, key: d.key, kernel: d.value, hardware: inst });
  }
  const small = (s: HardwareState) => s.vrfs.size + s.rifs.size + s.neighbors.size + s.nexthops.size + s.groups.size;
  const entries = Math.max(small(desired), small(installed)) + Math.max(desired.routeCount, installed.routeCount);
  return { entries, mismatches, desired, installed };
}

function installedValue(installed: HardwareState, u: HwUpdate): unknown {
  const e = u.entity;
  switch (e.kind) {
    case 'vrf': return installed.vrfs.get(e.vrf.id) ?? null;
    case 'rif': return installed.rifs.get(e.rif.id) ?? null;
    case 'neighbor': return installed.neighbors.get(`${e.neighbor.rifId}|${e.neighbor.ip}`) ?? null;
    case 'nextHop': return installed.nexthops.get(e.nextHop.id) ?? null;
    case 'group': return installed.groups.get(e.group.id) ?? null;
    case 'route': {
      const r = e.route;
      const v = installed.routes(r.family).get(r.vrfId, r.dstLen, r.d0, r.d1, r.d2, r.d3);
      return v < 0 ? null : describeValue(v);
    }
  }
}
