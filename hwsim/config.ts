// What a simulated device is: table capacities, front-panel ports and limits.
// Defaults are those of a modern switch ASIC (Spectrum-2 class: 256k IPv4 and 128k IPv6 routes
// at most, 4k VRFs, 1k ECMP groups of up to 64 members).

export interface Capacity {
  vrfs: number;
  rifs: number;
  neighbors: number;
  nexthops: number;
  groups: number;
  groupMembers: number;
  ipv4Routes: number;
  ipv6Routes: number;
}

export const DEFAULT_CAPACITY: Capacity = {
  vrfs: 4096,
  rifs: 4096,
  neighbors: 65536,
  nexthops: 32768,
  groups: 1024,
  groupMembers: 32768,
  ipv4Routes: 262144,
  ipv6Routes: 131072,
};

/** The names `--capacity` takes, as the issue and users spell them. */
const CAPACITY_NAMES: Record<string, keyof Capacity> = {
  vrfs: 'vrfs',
  rifs: 'rifs',
  neighbors: 'neighbors',
  nexthops: 'nexthops',
  groups: 'groups',
  'group-members': 'groupMembers',
  'ipv4-routes': 'ipv4Routes',
  'ipv6-routes': 'ipv6Routes',
};

export class ConfigError extends Error {
  readonly code = 'HWSIM_BAD_CONFIG';
}

/** Parses `ipv4-routes=N,ipv6-routes=N,...` into capacities. */
export function parseCapacity(text: string): Partial<Capacity> {
  const out: Partial<Capacity> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(\d+)$/.exec(part);
    const key = m && CAPACITY_NAMES[m[1]!];
    if (!m || !key) {
      throw new ConfigError(`bad capacity ${JSON.stringify(part)}: expected NAME=N with NAME one of ${Object.keys(CAPACITY_NAMES).join(', ')}`);
    }
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n) || n > 2 ** 32) throw new ConfigError(`capacity ${part} is out of range`);
    out[key] = n;
  }
  return out;
}

export interface PortSpec {
  name: string;
  speedMbps: number;
  /** 6 bytes. */
  mac: Uint8Array;
  operUp: boolean;
}

export interface AsicConfig {
  capacity: Capacity;
  ports: PortSpec[];
  maxMembersPerGroup: number;
  maxMemberWeight: number;
  maxUpdatesPerWrite: number;
  maxMessageBytes: number;
  device: { vendor: string; model: string; serial: string; softwareVersion: string };
}

/** swp1..swpN with locally administered MACs 02:00:00:00:00:NN. */
export function defaultPorts(count = 32): PortSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `swp${i + 1}`,
    speedMbps: 100_000,
    mac: Uint8Array.of(0x02, 0, 0, 0, (i + 1) >> 8, (i + 1) & 0xff),
    operUp: true,
  }));
}

export function makeConfig(over: Partial<Omit<AsicConfig, 'capacity'>> & { capacity?: Partial<Capacity> } = {}): AsicConfig {
  return {
    ports: over.ports ?? defaultPorts(),
    maxMembersPerGroup: over.maxMembersPerGroup ?? 64,
    maxMemberWeight: over.maxMemberWeight ?? 65536,
    maxUpdatesPerWrite: over.maxUpdatesPerWrite ?? 20_000,
    maxMessageBytes: over.maxMessageBytes ?? 16 * 1024 * 1024,
    device: over.device ?? { vendor: 'vrfsync', model: 'hwsim', serial: 'HWSIM0001', softwareVersion: '0.1.0' },
    capacity: { ...DEFAULT_CAPACITY, ...over.capacity },
  };
}
