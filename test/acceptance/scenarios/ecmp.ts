// ECMP: multipath routes with weights, nexthop objects and a group shared by 200 routes, a
// member's link going down (IPv4 drops dead next hops without telling anyone) and coming
// back, and the group replaced.
import type { Lookup, Scenario } from '../spec.ts';
import { address6, gateway, port, via4, via6, vrf } from './topology.ts';

const SHARED = 200;
const v4 = (...ports: number[]) => ({ any: ports.map(via4) });
const v6 = (...ports: number[]) => ({ any: ports.map(via6) });
/** Lookups spread over the shared group's routes. */
const shared = (...ports: number[]): Lookup[] => [0, 1, 77, 150, SHARED - 1].flatMap((i) => [
  { vrf: 'red', dst: `10.30.${i}.9`, expect: v4(...ports) },
  { vrf: 'red', dst: `2001:db8:30:${i.toString(16)}::9`, expect: v6(...ports) },
]);

export const ecmp: Scenario = {
  name: 'ecmp',
  steps: [
    {
      name: 'multipath routes with weights',
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), ...port(4, 'red'), ...port(5, 'red'), ...gateway(1), ...gateway(4), ...gateway(5),
        'route add 10.20.0.0/16 vrf red nexthop via 192.168.1.2 dev swp1 weight 1 nexthop via 192.168.4.2 dev swp4 weight 3',
        'route add 10.21.0.0/16 vrf red nexthop via 192.168.1.2 dev swp1 nexthop via 192.168.5.2 dev swp5',
        'route add 10.22.0.0/16 via 192.168.5.2 dev swp5 vrf red',
        'route add 2001:db8:20::/48 vrf red nexthop via 2001:db8:1::2 dev swp1 weight 2 nexthop via 2001:db8:4::2 dev swp4',
        'route add 2001:db8:21::/48 vrf red nexthop via 2001:db8:1::2 dev swp1 nexthop via 2001:db8:5::2 dev swp5',
      ],
      lookups: [
        ...['10.20.0.1', '10.20.77.1', '10.20.255.254'].map((dst) => ({ vrf: 'red', dst, expect: v4(1, 4) })),
        ...['10.21.0.1', '10.21.9.9'].map((dst) => ({ vrf: 'red', dst, expect: v4(1, 5) })),
        { vrf: 'red', dst: '10.22.0.1', expect: via4(5) },
        ...['2001:db8:20::1', '2001:db8:20:ff::1'].map((dst) => ({ vrf: 'red', dst, expect: v6(1, 4) })),
        { vrf: 'red', dst: '2001:db8:21::1', expect: v6(1, 5) },
      ],
    },
    {
      name: `nexthop objects and a group shared by ${SHARED} routes of each family`,
      ip: [
        'nexthop add id 1 via 192.168.1.2 dev swp1', 'nexthop add id 4 via 192.168.4.2 dev swp4', 'nexthop add id 5 via 192.168.5.2 dev swp5',
        'nexthop add id 61 via 2001:db8:1::2 dev swp1', 'nexthop add id 64 via 2001:db8:4::2 dev swp4', 'nexthop add id 65 via 2001:db8:5::2 dev swp5',
        'nexthop add id 100 group 1/4/5', 'nexthop add id 160 group 61/64/65',
        ...Array.from({ length: SHARED }, (_, i) => `route add 10.30.${i}.0/24 nhid 100 vrf red`),
        ...Array.from({ length: SHARED }, (_, i) => `route add 2001:db8:30:${i.toString(16)}::/64 nhid 160 vrf red`),
      ],
      lookups: shared(1, 4, 5),
    },
    {
      name: 'swp5 down: its next hops leave the routes and groups (IPv4 silently)',
      ip: ['link set swp5 down'],
      lookups: [
        ...shared(1, 4),
        ...['10.21.0.1', '10.21.9.9', '10.21.200.1'].map((dst) => ({ vrf: 'red', dst, expect: v4(1) })),
        { vrf: 'red', dst: '10.22.0.1', expect: 'trap' },
        { vrf: 'red', dst: '2001:db8:21::1', expect: v6(1) },
        ...['10.20.0.1', '10.20.77.1'].map((dst) => ({ vrf: 'red', dst, expect: v4(1, 4) })),
      ],
    },
    {
      name: 'swp5 up again, its neighbours and next hops restored',
      ip: [
        'link set swp5 up', address6(5), ...gateway(5),
        'nexthop replace id 5 via 192.168.5.2 dev swp5', 'nexthop replace id 65 via 2001:db8:5::2 dev swp5',
        'nexthop replace id 100 group 1/4/5', 'nexthop replace id 160 group 61/64/65',
        'route replace 2001:db8:21::/48 vrf red nexthop via 2001:db8:1::2 dev swp1 nexthop via 2001:db8:5::2 dev swp5',
      ],
      lookups: [
        ...shared(1, 4, 5),
        ...['10.21.0.1', '10.21.9.9'].map((dst) => ({ vrf: 'red', dst, expect: v4(1, 5) })),
        { vrf: 'red', dst: '2001:db8:21::1', expect: v6(1, 5) },
      ],
    },
    {
      name: `the shared group replaced: all ${SHARED} routes move at once`,
      ip: ['nexthop replace id 100 group 4/5', 'nexthop replace id 160 group 64/65'],
      lookups: shared(4, 5),
    },
    {
      name: 'the shared group weighted, then a member removed from it',
      ip: ['nexthop replace id 100 group 1,3/4,1', 'nexthop replace id 160 group 61,2/65,5', 'nexthop del id 4', 'nexthop del id 65'],
      lookups: shared(1),
    },
  ],
};
