// The forwarding decision for one packet, as the ASIC's pipeline makes it: longest-prefix
// match in the VRF, ECMP member by flow hash, then the neighbour's MAC. Misses trap to the
// CPU, so the kernel can resolve them; this is SAI's default miss action.
import { Action, type simv1 } from '../src/driver/wire.ts';
import type { AsicConfig } from './config.ts';
import { flowHash, pickWeighted } from './flow-hash.ts';
import { addrToProto, prefixFromWords, prefixToProto, word6, type Addr, type Prefix } from './ip.ts';
import { NO_ROUTE, TargetKind } from './route-table.ts';
import type { Tables } from './tables.ts';

export interface Decision {
  action: Action;
  prefix: Prefix | null;
  reason: string;
  rifId?: number;
  portId?: number;
  nextHop?: Addr;
  nextHopId?: number;
  mac?: Uint8Array;
}

interface Match { prefix: Prefix; action: number; kind: TargetKind; target: number }

function matchRoute(t: Tables, vrfId: number, dst: Addr): Match | null {
  const table = dst.family === 4 ? t.routes4 : t.routes6;
  const s = dst.family === 4 ? table.lookup(vrfId, dst.v4) : table.lookup(vrfId, word6(dst.v6, 0), word6(dst.v6, 1), word6(dst.v6, 2), word6(dst.v6, 3));
  if (s === NO_ROUTE) return null;
  const prefix = prefixFromWords(table.family, table.lenOf(s), table.word(s, 0), table.word(s, 1), table.word(s, 2), table.word(s, 3));
  return { prefix, action: table.actionOf(s), kind: table.kindOf(s), target: table.targetOf(s) };
}

export function decide(t: Tables, config: AsicConfig, vrfId: number, dst: Addr, src: Addr | null): Decision {
  const match = matchRoute(t, vrfId, dst);
  if (!match) return { action: Action.ACTION_TRAP, prefix: null, reason: 'no route' };
  const { prefix, action, kind, target } = match;
  if (action === Action.ACTION_DROP) return { action, prefix, reason: 'route drop' };
  if (action === Action.ACTION_TRAP) return { action, prefix, reason: 'route trap' };

  let rifId: number;
  let gateway: Addr;
  let nextHopId: number | undefined;
  if (kind === TargetKind.Rif) {
    rifId = target;
    gateway = dst;
  } else {
    let nhId = target;
    if (kind === TargetKind.Group) {
      const g = t.groups.get(target)!;
      const i = pickWeighted(flowHash(dst, src), g.members.map((m) => m.weight));
      if (i < 0) return { action: Action.ACTION_DROP, prefix, reason: 'empty group' };
      nhId = g.members[i]!.nextHopId;
    }
    const nh = t.nexthops.get(nhId)!;
    rifId = nh.rifId;
    gateway = nh.ip;
    nextHopId = nhId;
  }
  const rif = t.rifs.get(rifId)!;
  const base = { prefix, rifId, nextHop: gateway, nextHopId };
  if (rif.portId === null) return { action: Action.ACTION_TRAP, reason: 'loopback', ...base };
  const port = config.ports[rif.portId - 1]!;
  if (!rif.adminUp) return { action: Action.ACTION_DROP, reason: 'interface down', ...base };
  if (!port.operUp) return { action: Action.ACTION_DROP, reason: 'port down', ...base, portId: rif.portId };
  const neigh = t.neighbor(rifId, gateway);
  if (!neigh) return { action: Action.ACTION_TRAP, reason: 'neighbor miss', ...base, portId: rif.portId };
  return { action: Action.ACTION_FORWARD, reason: '', ...base, portId: rif.portId, mac: neigh.mac };
}

export function decisionToProto(d: Decision, vrfId: number, config: AsicConfig): simv1.ILookupResponse {
  const out: simv1.ILookupResponse = { action: d.action, reason: d.reason, vrfId };
  if (d.prefix) out.prefix = prefixToProto(d.prefix);
  if (d.portId) {
    out.portId = d.portId;
    out.interface = config.ports[d.portId - 1]!.name;
  }
  if (d.rifId !== undefined) out.rifId = d.rifId;
  if (d.nextHop) out.nextHop = addrToProto(d.nextHop);
  if (d.nextHopId !== undefined) out.nextHopId = d.nextHopId;
  if (d.mac) out.mac = Buffer.from(d.mac);
  return out;
}
