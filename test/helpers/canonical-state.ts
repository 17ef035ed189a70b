// A hardware state with its ids replaced by what they stand for (a next hop by its interface
// and address, a group by its members): two translations of the same kernel state give equal
// canonical states whatever ids their histories handed out.
import type { HardwareState } from '../../src/translate/hardware-state.ts';
import { TargetKind, actionOf, kindOf, targetOf } from '../../src/translate/route-value.ts';

export function canonical(s: HardwareState) {
  const nh = (id: number) => { const n = s.nexthops.get(id)!; return `${n.rifId}|${n.ip}`; };
  const target = (v: number) => {
    if (actionOf(v) !== 1) return `a${actionOf(v)}`;
    const id = targetOf(v);
    switch (kindOf(v)) {
      case TargetKind.NextHop: return `nh ${nh(id)}`;
      case TargetKind.Group: return `group ${s.groups.get(id)!.members.map((m) => `${nh(m.nextHopId)}*${m.weight}`).join(',')}`;
      default: return `rif ${id}`;
    }
  };
  const routes: string[] = [];
  for (const f of [4, 6] as const) {
    const t = s.routes(f);
    t.forEach((slot) => routes.push(`${t.keyText(slot)} ${target(t.valueOf(slot))}`));
  }
  return {
    vrfs: [...s.vrfs.values()].sort((a, b) => a.id - b.id),
    rifs: [...s.rifs.values()].sort((a, b) => a.id - b.id),
    neighbors: [...s.neighbors.keys()].sort(),
    nexthops: [...s.nexthops.keys()].map(nh).sort(),
    groups: s.groups.size,
    routes: routes.sort(),
  };
}
