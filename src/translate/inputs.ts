// What translation needs besides the kernel mirror: the operator's configuration and the facts
// the driver reported about itself.
import type { v1 } from '../driver/wire.ts';

export interface TranslateConfig {
  /** Kernel netdev name -> driver port name. A netdev not listed matches the port of its name. */
  portMap: ReadonlyMap<string, string>;
  /** VRF device names never offloaded (a management VRF): no VRF, no router interfaces, no routes. */
  excludedVrfs: ReadonlySet<string>;
}

export const DEFAULT_TRANSLATE_CONFIG: TranslateConfig = { portMap: new Map(), excludedVrfs: new Set() };

export interface DriverFacts {
  ports: readonly { id: number; name: string }[];
  defaultVrfId: number;
  maxMembersPerGroup: number;
  maxMemberWeight: number;
}

export function driverFacts(caps: v1.ICapabilitiesResponse): DriverFacts {
  return {
    ports: (caps.ports ?? []).map((p) => ({ id: p.id ?? 0, name: p.name ?? '' })),
    defaultVrfId: caps.defaultVrfId ?? 0,
    maxMembersPerGroup: caps.ecmp?.maxMembersPerGroup || 64,
    maxMemberWeight: caps.ecmp?.maxMemberWeight || 256,
  };
}
