// When the hardware's forwarding decision for an address agrees with the kernel's, as plain
// data: the kernel's answer to a route lookup and the simulator's answer to a Lookup, both in
// the words people read (`ip route get` and `hwsim lookup --json`).
//
// The rules:
//  - hardware TRAP agrees with any kernel answer: the packet goes to the CPU and the kernel
//    forwards it itself (a route trap, no route, a neighbour miss, a loopback interface);
//  - hardware DROP agrees only with a kernel blackhole;
//  - hardware FORWARD agrees only with a kernel unicast route, out of one of that route's live
//    next hops: the egress port is the hop's device (mapped to a port by name) and the next hop
//    its gateway, or the destination itself for a connected route; and where the kernel holds a
//    valid neighbour entry for that next hop, the hardware's MAC is that entry's;
//  - so a kernel unreachable, prohibit or no route, or a local delivery, agrees only with TRAP.

export interface KernelHop {
  dev: string;
  /** The gateway; absent for a connected route (the destination is on the link). */
  via?: string;
  /** The kernel's neighbour entry for the next hop (gateway, or destination), when valid. */
  mac?: string;
  /** RTNH_F_DEAD: the kernel does not use it. */
  dead?: boolean;
}

export interface KernelAnswer {
  /**
   * The route type (unicast, local, broadcast, anycast, multicast, blackhole, unreachable,
   * prohibit, throw), or for a lookup that failed what its errno means: "no route"
   * (ENETUNREACH), "unreachable" (EHOSTUNREACH), "prohibit" (EACCES), "blackhole" (EINVAL),
   * "error" (anything else).
   */
  type: string;
  /** The matching route's prefix, table and next hops, for an answer that is a route. */
  prefix?: string;
  table?: number;
  nexthops?: KernelHop[];
  /** The errno's name, for a lookup that failed. */
  errno?: string;
}

export interface HardwareAnswer {
  action: 'forward' | 'drop' | 'trap';
  prefix: string | null;
  interface: string | null;
  nexthop: string | null;
  mac: string | null;
  reason: string | null;
}

const an = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

function kernelSays(k: KernelAnswer): string {
  if (k.errno) {
    if (k.type === 'error') return `fails the lookup (${k.errno})`;
    return `has ${k.type === 'no route' ? 'no route' : `${an(k.type)} route`} (${k.errno})`;
  }
  if (k.type === 'unicast') return `forwards it (${k.prefix})`;
  if (k.type === 'local' || k.type === 'broadcast' || k.type === 'anycast') return `receives it itself (${k.type} ${k.prefix})`;
  return `has ${an(k.type)} route (${k.prefix})`;
}

/**
 * Why the hardware's answer for destination `dst` does not agree with the kernel's, or null
 * when it does. `portOf` maps a kernel netdev name to the driver port name it is offloaded to.
 */
export function disagreement(dst: string, k: KernelAnswer, h: HardwareAnswer, portOf: (dev: string) => string): string | null {
  if (h.action === 'trap') return null;
  if (h.action === 'drop') {
    return k.type === 'blackhole' ? null : `hardware drops it (${h.reason ?? 'route drop'}); the kernel ${kernelSays(k)}`;
  }
  if (k.type !== 'unicast') return `hardware forwards it out of ${h.interface}; the kernel ${kernelSays(k)}`;
  const hop = (k.nexthops ?? []).find((x) => !x.dead && portOf(x.dev) === h.interface && (x.via ?? dst) === h.nexthop);
  if (!hop) {
    return `hardware forwards it out of ${h.interface} to ${h.nexthop}, which is not one of the kernel's next hops (${hopsText(k.nexthops ?? [])})`;
  }
  if (hop.mac !== undefined && hop.mac !== h.mac) {
    return `hardware sends it to MAC ${h.mac}; the kernel's neighbour ${h.nexthop} on ${hop.dev} is ${hop.mac}`;
  }
  return null;
}

function hopsText(hops: readonly KernelHop[]): string {
  if (!hops.length) return 'none';
  return hops.map((x) => `${x.via ? `via ${x.via} ` : ''}dev ${x.dev}${x.dead ? ' dead' : ''}`).join(', ');
}
