// What `vrfsync kernel` prints: the mirror summarized for humans and scripts.
import type { KernelMirror, VrfView } from './mirror.ts';

export interface KernelSummary {
  vrfs: VrfView[];
  links: number;
  addresses: number;
  neighbors: number;
  nexthops: number;
  rules: number;
  /** Per table id: every route `ip route show table all` would list, by family. */
  routes: Record<string, { ipv4: number; ipv6: number }>;
}

export function summarize(m: KernelMirror): KernelSummary {
  const routes: KernelSummary['routes'] = {};
  for (const [table, c] of [...m.routes.counts()].sort((a, b) => a[0] - b[0])) routes[String(table)] = c;
  return {
    vrfs: m.vrfs(),
    links: m.links.size,
    addresses: m.addresses.size,
    neighbors: m.neighbors.size,
    nexthops: m.nexthops.size,
    rules: m.rules.size,
    routes,
  };
}

/** JSON with object keys sorted, so equal values print equally whatever built them. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x);
}

/** A canonical text of everything the mirror holds, for comparing two mirrors. */
export function fingerprint(m: KernelMirror): string {
  const sorted = <T>(map: Map<string, T>, strip?: (v: T) => unknown) =>
    [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, strip ? strip(v) : v]);
  const routes = [...m.routes.routes()].map((r) => canonical({ ...r, nexthops: r.nexthops.map(canonical).sort() })).sort();
  return canonical({
    links: sorted(m.links),
    addresses: sorted(m.addresses),
    // Neighbour reachability ages by timer without notifications; what forwarding needs is the MAC.
    neighbors: sorted(m.neighbors, (n) => ({ ...n, state: undefined })),
    nexthops: sorted(m.nexthops),
    rules: sorted(m.rules),
    routes,
  });
}
