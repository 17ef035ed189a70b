// Both sides' forwarding answers in readable form (agreement.ts compares them): the kernel's
// route lookup with device names, gateways and the neighbour MACs it holds, and the simulator's
// Lookup as `hwsim lookup --json` prints it.
import { constants } from 'node:os';
import type { KernelMirror } from '../kernel/mirror.ts';
import type { RouteAnswer } from '../netlink/route-get.ts';
import { RouteType, RTNH_F_DEAD, type RouteNextHop } from '../netlink/route-codec.ts';
import { NUD_VALID } from '../netlink/neigh-codec.ts';
import { Action, type simv1 } from '../driver/wire.ts';
import { formatIp, formatMac, formatPrefix } from '../driver/text.ts';
import type { HardwareAnswer, KernelAnswer, KernelHop } from './agreement.ts';

const TYPE_NAME = new Map(Object.entries(RouteType).map(([name, n]) => [n as number, name.toLowerCase()]));
const ERRNO_NAME = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));
/** What a failed lookup means: fib_props' error of each reject route type, and no route. */
const ERRNO_MEANING: Record<string, string> = {
  ENETUNREACH: 'no route', EHOSTUNREACH: 'unreachable', EACCES: 'prohibit', EINVAL: 'blackhole',
};

export class KernelAnswers {
  private readonly names = new Map<number, string>();
  /** Views of answers that do not depend on the destination (no connected next hop). */
  private readonly views = new WeakMap<RouteAnswer, KernelAnswer>();

  constructor(private readonly mirror: KernelMirror) {
    for (const l of mirror.links.values()) this.names.set(l.index, l.name);
  }

  /** The kernel's answer for destination `dst` (text), readable. Shared: never modify one. */
  view(dst: string, a: RouteAnswer): KernelAnswer {
    let v = this.views.get(a);
    if (!v) {
      v = this.make(dst, a);
      if (!v.nexthops?.some((h) => h.via === undefined)) this.views.set(a, v);
    }
    return v;
  }

  private make(dst: string, a: RouteAnswer): KernelAnswer {
    if (a.kind === 'error') {
      const errno = ERRNO_NAME.get(a.errno) ?? `errno ${a.errno}`;
      return { type: ERRNO_MEANING[errno] ?? 'error', errno };
    }
    const r = a.route;
    return {
      type: TYPE_NAME.get(r.type) ?? `type ${r.type}`,
      prefix: `${r.dst}/${r.dstLen}`,
      table: r.table,
      nexthops: this.hops(r.nexthops, r.nhId).map((h) => this.hop(dst, h)),
    };
  }

  /** A route's next hops; from its nexthop object when the kernel gave none (nexthop_compat_mode off). */
  private hops(listed: readonly RouteNextHop[], nhId: number | undefined): readonly RouteNextHop[] {
    if (listed.length || nhId === undefined) return listed;
    const obj = this.mirror.nexthops.get(String(nhId));
    if (!obj) return [];
    const one = (n: typeof obj) => ({ ifindex: n.ifindex, gateway: n.gateway, weight: 1, flags: n.flags });
    if (!obj.group) return obj.blackhole ? [] : [one(obj)];
    return obj.group.flatMap((m) => {
      const n = this.mirror.nexthops.get(String(m.id));
      return n && !n.blackhole && !n.group ? [one(n)] : [];
    });
  }

  private hop(dst: string, h: RouteNextHop): KernelHop {
    const out: KernelHop = { dev: this.names.get(h.ifindex) ?? `ifindex ${h.ifindex}` };
    if (h.gateway !== undefined) out.via = h.gateway;
    const n = this.mirror.neighbors.get(`${h.ifindex}|${h.gateway ?? dst}`);
    if (n && n.state & NUD_VALID && n.mac) out.mac = n.mac;
    if (h.flags & RTNH_F_DEAD) out.dead = true;
    return out;
  }
}

const ACTION_NAME: Record<number, HardwareAnswer['action']> = {
  [Action.ACTION_FORWARD]: 'forward',
  [Action.ACTION_DROP]: 'drop',
  [Action.ACTION_TRAP]: 'trap',
};

/**
 * The simulator's answer, as `hwsim lookup --json` prints it. An action outside the contract's
 * three is shown as a drop that says so: it must never pass for a trap, which agrees with all.
 */
export function hardwareView(r: simv1.ILookupResponse): HardwareAnswer {
  const action = ACTION_NAME[r.action ?? 0];
  return {
    action: action ?? 'drop',
    prefix: r.prefix ? formatPrefix(r.prefix) : null,
    interface: r.interface || null,
    nexthop: r.nextHop ? formatIp(r.nextHop) : null,
    mac: r.mac?.length ? formatMac(r.mac) : null,
    reason: r.reason || (action ? null : `action ${r.action ?? 0} outside the contract`),
  };
}
