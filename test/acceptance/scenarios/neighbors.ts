// Neighbours: routes through a gateway with no neighbour entry trap (the kernel resolves it);
// they forward once the neighbour resolves, statically or learned from a real ARP/ND exchange
// with a host in another network namespace; and trap again when it fails.
import type { Scenario } from '../spec.ts';
import { port, vrf } from './topology.ts';

const FAR = 'ip -n far';

export const neighbors: Scenario = {
  name: 'neighbors',
  steps: [
    {
      name: 'routes via unresolved gateways trap',
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), 'netns add far', 'link set peer1 netns far',
        'route add 10.40.0.0/16 via 192.168.1.2 vrf red', 'route add 10.41.0.0/16 via 192.168.1.3 vrf red',
        'route add 2001:db8:40::/48 via 2001:db8:1::2 vrf red', 'route add 2001:db8:41::/48 via 2001:db8:1::3 vrf red',
      ],
      sh: [
        `${FAR} link set lo up`, `${FAR} link set peer1 up`,
        `${FAR} addr add 192.168.1.2/24 dev peer1`, `${FAR} addr add 2001:db8:1::2/64 dev peer1 nodad`,
      ],
      lookups: [
        { vrf: 'red', dst: '10.40.0.1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '10.41.0.1', expect: 'trap', kernel: 'unicast' },
        { vrf: 'red', dst: '2001:db8:40::1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '2001:db8:41::1', expect: 'trap', kernel: 'unicast' },
      ],
    },
    {
      name: 'static neighbours: their routes forward',
      ip: [
        'neigh add 192.168.1.3 lladdr 02:aa:00:00:00:33 dev swp1 nud permanent',
        'neigh add 2001:db8:1::3 lladdr 02:aa:00:00:00:33 dev swp1 nud permanent',
      ],
      lookups: [
        { vrf: 'red', dst: '10.41.0.1', expect: { port: 'swp1', via: '192.168.1.3', mac: '02:aa:00:00:00:33' } },
        { vrf: 'red', dst: '2001:db8:41::1', expect: { port: 'swp1', via: '2001:db8:1::3', mac: '02:aa:00:00:00:33' } },
        { vrf: 'red', dst: '10.40.0.1', expect: 'trap' },
      ],
    },
    {
      name: 'learned neighbours (ARP and ND with a host behind swp1): their routes forward',
      sh: ['busybox ping -c 1 -W 3 -I swp1 192.168.1.2', 'busybox ping6 -c 1 -W 3 -I swp1 2001:db8:1::2'],
      lookups: [
        // The MAC is peer1's, learned: the lookup's agreement with the kernel checks it.
        { vrf: 'red', dst: '10.40.0.1', expect: { port: 'swp1', via: '192.168.1.2' } },
        { vrf: 'red', dst: '2001:db8:40::1', expect: { port: 'swp1', via: '2001:db8:1::2' } },
        { vrf: 'red', dst: '192.168.1.2', expect: { port: 'swp1', via: '192.168.1.2' } },
      ],
    },
    {
      name: 'the host gone: the neighbours fail and their routes trap again',
      sh: [
        `${FAR} addr flush dev peer1`, 'ip neigh del 192.168.1.2 dev swp1', 'ip neigh del 2001:db8:1::2 dev swp1',
        'busybox ping -c 1 -W 4 -I swp1 192.168.1.2 || true', 'busybox ping6 -c 1 -W 4 -I swp1 2001:db8:1::2 || true',
        // The kernel gave up on them (FAILED or INCOMPLETE, never valid).
        'ip neigh show dev swp1 192.168.1.2 | grep -Eq "FAILED|INCOMPLETE"',
      ],
      lookups: [
        { vrf: 'red', dst: '10.40.0.1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '2001:db8:40::1', expect: 'trap', kernel: 'unicast' },
        { vrf: 'red', dst: '10.41.0.1', expect: { port: 'swp1', via: '192.168.1.3', mac: '02:aa:00:00:00:33' } },
      ],
    },
    {
      name: 'a static neighbour deleted: its routes trap',
      ip: ['neigh del 192.168.1.3 dev swp1', 'neigh del 2001:db8:1::3 dev swp1'],
      lookups: [{ vrf: 'red', dst: '10.41.0.1', expect: 'trap' }, { vrf: 'red', dst: '2001:db8:41::1', expect: 'trap' }],
    },
  ],
};
