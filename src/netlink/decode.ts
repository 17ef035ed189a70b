// One entry point from netlink bytes to typed changes, shared by dumps and events. Malformed
// messages are counted and skipped: one bad message never loses the rest of a datagram.
import { MalformedMessage } from './attributes.ts';
import { decodeAddress } from './addr-codec.ts';
import { decodeLink } from './link-codec.ts';
import { decodeNeighbor } from './neigh-codec.ts';
import { decodeNexthop } from './nexthop-codec.ts';
import { RTM_F_CLONED } from './route-codec.ts';
import { decodeRoute } from './route-record.ts';
import { decodeRule } from './rule-codec.ts';
import { NLM_F, RTM } from './messages.ts';

const AF_BRIDGE = 7;

/**
 * Routes and rules of other families share the message types: multicast routing
 * (RTNL_FAMILY_IPMR 128, IP6MR 129, whose rules every VRF adds), MPLS (28). Not ours.
 */
function isIpFamily(buf: Buffer, start: number, end: number): boolean {
  return end <= start || buf[start] === 2 || buf[start] === 10;
}
import type { KernelChange } from './changes.ts';

export interface DecodeStats {
  malformed: number;
  /** The last malformed message's reason, for logs. */
  lastError: string;
}

export function newDecodeStats(): DecodeStats {
  return { malformed: 0, lastError: '' };
}

/**
 * Decodes one message body of rtnetlink type `type`. Returns null for messages that are not
 * state (cloned routes, bridge FDB entries, unknown types) and for malformed ones, which it
 * counts in `stats`.
 */
export function decodeChange(type: number, flags: number, buf: Buffer, start: number, end: number, stats: DecodeStats): KernelChange | null {
  try {
    switch (type) {
      case RTM.NEWROUTE:
      case RTM.DELROUTE: {
        if (!isIpFamily(buf, start, end)) return null;
        const route = decodeRoute(buf, start, end);
        if (route.flags & RTM_F_CLONED) return null;
        return {
          kind: 'route', op: type === RTM.NEWROUTE ? 'new' : 'del', route,
          replace: (flags & NLM_F.REPLACE) !== 0, append: (flags & NLM_F.APPEND) !== 0,
        };
      }
      case RTM.NEWLINK:
      case RTM.DELLINK:
        // The bridge announces its ports' state in AF_BRIDGE link messages that carry only a
        // few attributes: they are not the link's state.
        if (end > start && buf[start] === AF_BRIDGE) return null;
        return { kind: 'link', op: type === RTM.NEWLINK ? 'new' : 'del', link: decodeLink(buf, start, end) };
      case RTM.NEWADDR:
      case RTM.DELADDR:
        return { kind: 'address', op: type === RTM.NEWADDR ? 'new' : 'del', address: decodeAddress(buf, start, end) };
      case RTM.NEWNEIGH:
      case RTM.DELNEIGH: {
        const neighbor = decodeNeighbor(buf, start, end);
        return neighbor && { kind: 'neighbor', op: type === RTM.NEWNEIGH ? 'new' : 'del', neighbor };
      }
      case RTM.NEWNEXTHOP:
      case RTM.DELNEXTHOP:
        return { kind: 'nexthop', op: type === RTM.NEWNEXTHOP ? 'new' : 'del', nexthop: decodeNexthop(buf, start, end) };
      case RTM.NEWRULE:
      case RTM.DELRULE:
        if (!isIpFamily(buf, start, end)) return null;
        return { kind: 'rule', op: type === RTM.NEWRULE ? 'new' : 'del', rule: decodeRule(buf, start, end) };
      default:
        return null;
    }
  } catch (err) {
    if (!(err instanceof MalformedMessage) && !(err instanceof RangeError)) throw err;
    stats.malformed++;
    stats.lastError = `type ${type}: ${(err as Error).message}`;
    return null;
  }
}
