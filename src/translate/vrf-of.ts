// Which VRF a hardware entry belongs to, for reports that count or list entries per VRF (the
// status API, the metrics, `vrfsync check`). The contract gives only routes and router
// interfaces a VRF; everything else takes it from what it hangs on: neighbours and next hops
// their router interface's, groups their first member's. A group whose members span VRFs (a
// route leaking into another VRF's next hops) is still one entry, counted once, in the VRF of
// its first member as the translator lists them.
import type { HardwareState } from './hardware-state.ts';
import type { HwEntity } from './updates.ts';

/** The VRF id of an entry, from either state (null when neither knows its router interface). */
export class VrfOf {
  constructor(private readonly desired: HardwareState, private readonly installed: HardwareState) {}

  rif(rifId: number): number | null {
    return (this.desired.rifs.get(rifId) ?? this.installed.rifs.get(rifId))?.vrfId ?? null;
  }

  nextHop(id: number): number | null {
    const nh = this.desired.nexthops.get(id) ?? this.installed.nexthops.get(id);
    return nh ? this.rif(nh.rifId) : null;
  }

  entity(e: HwEntity): number | null {
    switch (e.kind) {
      case 'vrf': return e.vrf.id;
      case 'rif': return e.rif.vrfId;
      case 'neighbor': return this.rif(e.neighbor.rifId);
      case 'nextHop': return this.rif(e.nextHop.rifId);
      case 'group': return e.group.members.length ? this.nextHop(e.group.members[0]!.nextHopId) : null;
      case 'route': return e.route.vrfId;
    }
  }
}
