// IPv6 on its own terms: link-local gateways, multipath siblings added, appended and removed
// one by one, link-local destinations (fe80::/10 traps in every VRF), the default VRF too.
import type { Scenario } from '../spec.ts';
import { gateway, mac, port, via6, vrf } from './topology.ts';

const ll = (n: number) => ({ port: `swp${n}`, via: `fe80::${n}:2`, mac: mac(n) });

export const ipv6: Scenario = {
  name: 'ipv6',
  steps: [
    {
      name: 'routes via link-local gateways, in a VRF and in the default VRF',
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), ...port(4, 'red'), ...port(5, 'red'), ...port(3), ...gateway(1), ...gateway(4), ...gateway(5), ...gateway(3),
        ...[1, 3, 4, 5].map((n) => `neigh add fe80::${n}:2 lladdr ${mac(n)} dev swp${n} nud permanent`),
        'route add 2001:db8:60::/48 via fe80::1:2 dev swp1 vrf red', 'route add 2001:db8:62::/48 via fe80::3:2 dev swp3',
        'route add ::/0 via fe80::3:2 dev swp3',
      ],
      lookups: [
        { vrf: 'red', dst: '2001:db8:60::1', expect: ll(1) }, { vrf: 'default', dst: '2001:db8:62::1', expect: ll(3) },
        { vrf: 'default', dst: '2001:db8:77::1', expect: ll(3) }, { vrf: 'red', dst: '2001:db8:77::1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: 'fe80::1:2', expect: 'trap' }, { vrf: 'default', dst: 'fe80::3:2', expect: 'trap' },
        { vrf: 'red', dst: '2001:db8:1::2', expect: via6(1) }, { vrf: 'red', dst: '2001:db8:1::1', expect: 'trap', kernel: 'local' },
      ],
    },
    {
      name: 'multipath siblings: global and link-local gateways',
      ip: ['route add 2001:db8:61::/48 vrf red nexthop via 2001:db8:1::2 dev swp1 nexthop via fe80::4:2 dev swp4'],
      lookups: ['2001:db8:61::1', '2001:db8:61:1::1', '2001:db8:61:ffff::1'].map((dst) => ({ vrf: 'red', dst, expect: { any: [via6(1), ll(4)] } })),
    },
    {
      name: 'a sibling appended',
      ip: ['route append 2001:db8:61::/48 via 2001:db8:5::2 dev swp5 vrf red'],
      lookups: ['2001:db8:61::1', '2001:db8:61:1::1', '2001:db8:61:ffff::1'].map((dst) => ({ vrf: 'red', dst, expect: { any: [via6(1), ll(4), via6(5)] } })),
    },
    {
      name: 'siblings deleted one at a time',
      ip: ['route del 2001:db8:61::/48 via 2001:db8:1::2 dev swp1 vrf red', 'route del 2001:db8:61::/48 via fe80::4:2 dev swp4 vrf red'],
      lookups: ['2001:db8:61::1', '2001:db8:61:ffff::1'].map((dst) => ({ vrf: 'red', dst, expect: via6(5) })),
    },
    {
      name: "a link-local gateway's neighbour gone: its routes trap",
      ip: ['neigh del fe80::3:2 dev swp3'],
      lookups: [{ vrf: 'default', dst: '2001:db8:62::1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '2001:db8:60::1', expect: ll(1) }],
    },
  ],
};
