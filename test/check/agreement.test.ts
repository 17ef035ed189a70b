// The agreement rules of the forwarding check, one row per case: a kernel answer and a
// hardware answer made by hand, and whether they agree.
import { describe, expect, it } from 'vitest';
import { disagreement, type HardwareAnswer, type KernelAnswer } from '../../src/check/agreement.ts';

const DST = '11.0.0.7';
const ports = new Map([['eth1', 'swp1']]);
const portOf = (dev: string) => ports.get(dev) ?? dev;

const k = {
  gateway: { type: 'unicast', prefix: '11.0.0.0/24', table: 254, nexthops: [{ dev: 'swp1', via: '10.0.1.2', mac: '02:aa:00:00:00:01' }] },
  ecmp: {
    type: 'unicast', prefix: '11.0.0.0/24', table: 254,
    nexthops: [{ dev: 'swp1', via: '10.0.1.2' }, { dev: 'swp2', via: '10.0.2.2', mac: '02:aa:00:00:00:02' }],
  },
  deadHop: { type: 'unicast', prefix: '11.0.0.0/24', table: 254, nexthops: [{ dev: 'swp1', via: '10.0.1.2', dead: true }, { dev: 'swp2', via: '10.0.2.2' }] },
  connected: { type: 'unicast', prefix: '11.0.0.0/24', table: 254, nexthops: [{ dev: 'swp1', mac: '02:aa:00:00:00:07' }] },
  mapped: { type: 'unicast', prefix: '11.0.0.0/24', table: 254, nexthops: [{ dev: 'eth1', via: '10.0.1.2' }] },
  noPort: { type: 'unicast', prefix: '11.0.0.0/24', table: 254, nexthops: [{ dev: 'dummy0', via: '10.0.1.2' }] },
  local: { type: 'local', prefix: '11.0.0.7/32', table: 255, nexthops: [{ dev: 'lo' }] },
  blackhole: { type: 'blackhole', errno: 'EINVAL' },
  blackholeRoute: { type: 'blackhole', prefix: '11.0.0.0/24', table: 254, nexthops: [] },
  unreachable: { type: 'unreachable', errno: 'EHOSTUNREACH' },
  prohibit: { type: 'prohibit', errno: 'EACCES' },
  noRoute: { type: 'no route', errno: 'ENETUNREACH' },
  error: { type: 'error', errno: 'EBADMSG' },
} satisfies Record<string, KernelAnswer>;

const hw = (action: HardwareAnswer['action'], more: Partial<HardwareAnswer> = {}): HardwareAnswer => ({
  action, prefix: '11.0.0.0/24', interface: null, nexthop: null, mac: null, reason: null, ...more,
});
const fwd = (iface: string, nexthop: string, mac = '02:aa:00:00:00:01') => hw('forward', { interface: iface, nexthop, mac });
const h = {
  trap: hw('trap', { reason: 'route trap' }),
  miss: hw('trap', { reason: 'neighbor miss', interface: 'swp1', nexthop: '10.0.1.2' }),
  noRoute: hw('trap', { prefix: null, reason: 'no route' }),
  drop: hw('drop', { reason: 'route drop' }),
  portDown: hw('drop', { reason: 'port down', interface: 'swp1', nexthop: '10.0.1.2' }),
  viaSwp1: fwd('swp1', '10.0.1.2'),
  viaSwp2: fwd('swp2', '10.0.2.2', '02:aa:00:00:00:02'),
  wrongGateway: fwd('swp1', '10.0.1.9'),
  wrongPort: fwd('swp2', '10.0.1.2'),
  wrongMac: fwd('swp1', '10.0.1.2', '02:bb:00:00:00:01'),
  direct: fwd('swp1', DST, '02:aa:00:00:00:07'),
  directWrongMac: fwd('swp1', DST, '02:aa:00:00:00:08'),
  dummy: fwd('dummy0', '10.0.1.2'),
};

type Row = [string, KernelAnswer, HardwareAnswer, RegExp | null];
const rows: Row[] = [
  // A trap agrees with anything: the kernel forwards the packet itself.
  ['trap / unicast', k.gateway, h.trap, null],
  ['trap / no route', k.noRoute, h.noRoute, null],
  ['trap / unreachable', k.unreachable, h.trap, null],
  ['trap / prohibit', k.prohibit, h.trap, null],
  ['trap / blackhole', k.blackhole, h.trap, null],
  ['trap / local', k.local, h.trap, null],
  ['trap / lookup error', k.error, h.trap, null],
  ['neighbour miss / unicast', k.gateway, h.miss, null],
  ['neighbour miss / connected', k.connected, h.miss, null],
  // A drop agrees only with a blackhole.
  ['drop / blackhole (errno)', k.blackhole, h.drop, null],
  ['drop / blackhole (route)', k.blackholeRoute, h.drop, null],
  ['drop / unicast', k.gateway, h.drop, /hardware drops it \(route drop\); the kernel forwards it/],
  ['port down drop / unicast', k.gateway, h.portDown, /hardware drops it \(port down\)/],
  ['drop / unreachable', k.unreachable, h.drop, /the kernel has an unreachable route \(EHOSTUNREACH\)/],
  ['drop / prohibit', k.prohibit, h.drop, /the kernel has a prohibit route \(EACCES\)/],
  ['drop / no route', k.noRoute, h.drop, /the kernel has no route \(ENETUNREACH\)/],
  ['drop / local', k.local, h.drop, /receives it itself \(local 11.0.0.7\/32\)/],
  // A forward agrees only with a unicast route, out of one of its live next hops.
  ['forward / gateway', k.gateway, h.viaSwp1, null],
  ['forward / one ECMP member', k.ecmp, h.viaSwp1, null],
  ['forward / another ECMP member', k.ecmp, h.viaSwp2, null],
  ['forward / connected, to the destination', k.connected, h.direct, null],
  ['forward / netdev mapped to its port', k.mapped, h.viaSwp1, null],
  ['forward / live member next to a dead one', k.deadHop, h.viaSwp2, null],
  ['forward / dead member', k.deadHop, h.viaSwp1, /not one of the kernel's next hops \(via 10.0.1.2 dev swp1 dead, via 10.0.2.2 dev swp2\)/],
  ['forward / other gateway', k.gateway, h.wrongGateway, /out of swp1 to 10.0.1.9, which is not one of the kernel's next hops/],
  ['forward / gateway on another port', k.gateway, h.wrongPort, /out of swp2 to 10.0.1.2/],
  ['forward / connected, to a gateway', k.connected, h.viaSwp1, /not one of the kernel's next hops \(dev swp1\)/],
  ['forward / a netdev is the port of its name', k.noPort, h.dummy, null],
  ['forward / unmapped netdev name', k.mapped, fwd('eth1', '10.0.1.2'), /not one of the kernel's next hops/],
  ['forward / MAC not the neighbour\'s', k.gateway, h.wrongMac, /MAC 02:bb:00:00:00:01; the kernel's neighbour 10.0.1.2 on swp1 is 02:aa:00:00:00:01/],
  ['forward / connected, MAC not the neighbour\'s', k.connected, h.directWrongMac, /the kernel's neighbour 11.0.0.7 on swp1 is 02:aa:00:00:00:07/],
  ['forward / no MAC known to the kernel', k.ecmp, fwd('swp1', '10.0.1.2', '02:cc:00:00:00:00'), null],
  ['forward / no route', k.noRoute, h.viaSwp1, /hardware forwards it out of swp1; the kernel has no route \(ENETUNREACH\)/],
  ['forward / unreachable', k.unreachable, h.viaSwp1, /unreachable route/],
  ['forward / prohibit', k.prohibit, h.viaSwp1, /prohibit route/],
  ['forward / blackhole', k.blackhole, h.viaSwp1, /blackhole route \(EINVAL\)/],
  ['forward / local', k.local, h.viaSwp1, /receives it itself/],
  ['forward / lookup error', k.error, h.viaSwp1, /fails the lookup \(EBADMSG\)/],
];

describe('forwarding agreement', () => {
  it.each(rows)('%s', (_name, kernel, hardware, expected) => {
    const why = disagreement(DST, kernel, hardware, portOf);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });
});
