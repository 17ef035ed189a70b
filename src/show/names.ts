// Names for the ids the contract speaks in, as iproute2 users know them: a VRF by its Vrf
// entity's name ("default" for Capabilities.default_vrf_id), a router interface by its port's
// name from Capabilities.ports ("swp1"; "swp1.100" for a VLAN sub-port, as Linux names VLAN
// devices; "loopbackN" for loopback interface N, which has no port). An id that no Read
// returned (written between two of our Reads) prints as "vrf#7", "port#3", "rif#12": the
// listing stays complete rather than failing.
import type { v1 } from '../driver/wire.ts';
import type { DriverTables } from './tables.ts';

export const DEFAULT_VRF_NAME = 'default';

const byName = new Intl.Collator('en', { numeric: true }).compare;

export class Names {
  readonly defaultVrfId: number;
  private readonly ports = new Map<number, string>();
  private readonly rank = new Map<number, number>();
  /** VRF ids in display order: the default VRF first, then by name (swp2 before swp10). */
  readonly vrfOrder: number[];

  constructor(caps: v1.ICapabilitiesResponse, private readonly tables: DriverTables) {
    this.defaultVrfId = caps.defaultVrfId ?? 0;
    for (const p of caps.ports ?? []) this.ports.set(p.id ?? 0, p.name ?? '');
    const others = [...tables.vrfs.keys()].filter((id) => id !== this.defaultVrfId);
    others.sort((a, b) => byName(tables.vrfs.get(a)!, tables.vrfs.get(b)!) || a - b);
    this.vrfOrder = [this.defaultVrfId, ...others];
    this.vrfOrder.forEach((id, i) => this.rank.set(id, i));
  }

  vrf(id: number): string {
    if (id === this.defaultVrfId) return DEFAULT_VRF_NAME;
    return this.tables.vrfs.get(id) ?? `vrf#${id}`;
  }

  /** The VRF named `name`, or undefined. */
  vrfId(name: string): number | undefined {
    if (name === DEFAULT_VRF_NAME) return this.defaultVrfId;
    for (const [id, n] of this.tables.vrfs) if (n === name) return id;
    return undefined;
  }

  /** Position in vrfOrder; VRFs no Read returned come after all others, by id. */
  vrfRank(id: number): number {
    return this.rank.get(id) ?? this.vrfOrder.length + id;
  }

  compareVrfs(a: number, b: number): number {
    return this.vrfRank(a) - this.vrfRank(b);
  }

  rif(id: number): string {
    const r = this.tables.rifs.get(id);
    if (!r) return `rif#${id}`;
    if (r.portId === null) return `loopback${id}`;
    const port = this.ports.get(r.portId) ?? `port#${r.portId}`;
    return r.vlanId ? `${port}.${r.vlanId}` : port;
  }

  /** The VRF a router interface is in, or null when no Read returned it. */
  rifVrf(id: number): number | null {
    return this.tables.rifs.get(id)?.vrfId ?? null;
  }

  /** The name of the VRF a router interface is in; "vrf#?" when no Read returned the interface. */
  rifVrfName(id: number): string {
    const vrf = this.rifVrf(id);
    return vrf === null ? 'vrf#?' : this.vrf(vrf);
  }

  /** Numeric-aware name order, for sorting listings by interface name. */
  static compare(a: string, b: string): number {
    return byName(a, b);
  }
}
