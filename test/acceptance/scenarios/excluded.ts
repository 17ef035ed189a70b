// What is not offloaded: a management VRF excluded by the agent's configuration (excludeVrfs),
// and a port with no hardware port (a veth to the host): routes through it trap.
import type { Scenario } from '../spec.ts';
import { address6, gateway, port, via4, via6, vrf } from './topology.ts';

export const excluded: Scenario = {
  name: 'excluded',
  steps: [
    {
      name: 'a management VRF is left out of hardware',
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), ...gateway(1), 'route add 10.1.0.0/16 via 192.168.1.2 vrf red',
        ...vrf('mgmt', 99), ...port(9, 'mgmt'), ...gateway(9),
        'route add default via 192.168.9.2 vrf mgmt', 'route add ::/0 via 2001:db8:9::2 vrf mgmt',
      ],
      absentVrfs: ['mgmt'],
      lookups: [{ vrf: 'red', dst: '10.1.0.1', expect: via4(1) }, { vrf: 'red', dst: '10.9.0.1', expect: 'trap' }],
    },
    {
      name: 'a port of no hardware port: its routes and neighbours trap',
      ip: [
        'link add host0 type veth peer name host0p', 'link set host0 master red', 'link set host0 up', 'link set host0p up',
        'addr add 192.168.77.1/24 dev host0', 'addr add 2001:db8:77::1/64 dev host0 nodad',
        'neigh add 192.168.77.2 lladdr 02:aa:00:00:00:77 dev host0 nud permanent',
        'neigh add 2001:db8:77::2 lladdr 02:aa:00:00:00:77 dev host0 nud permanent',
        'route add 10.77.0.0/16 via 192.168.77.2 vrf red', 'route add 2001:db8:a77::/48 via 2001:db8:77::2 vrf red',
        'route add 10.78.0.0/16 vrf red nexthop via 192.168.77.2 dev host0 nexthop via 192.168.1.2 dev swp1',
        'route add 10.79.0.0/16 via 192.168.77.2 dev host0',
      ],
      absentVrfs: ['mgmt'],
      lookups: [
        { vrf: 'red', dst: '10.77.0.1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '192.168.77.2', expect: 'trap', kernel: 'unicast' },
        { vrf: 'red', dst: '2001:db8:a77::1', expect: 'trap', kernel: 'unicast' }, { vrf: 'default', dst: '10.79.0.1', expect: 'trap', kernel: 'unicast' },
        // A multipath route with one member the hardware cannot reach: never forwarded there.
        { vrf: 'red', dst: '10.78.0.1', expect: { any: [via4(1)], orTrap: true } },
        { vrf: 'red', dst: '10.1.0.1', expect: via4(1) }, { vrf: 'red', dst: '2001:db8:1::2', expect: via6(1) },
      ],
    },
    {
      name: 'the management VRF changes: still nothing of it in hardware',
      ip: ['route add 10.99.0.0/16 via 192.168.9.2 vrf mgmt', 'link set swp9 nomaster', address6(9), ...gateway(9), 'link set swp9 master mgmt', address6(9), ...gateway(9)],
      absentVrfs: ['mgmt'],
      lookups: [{ vrf: 'red', dst: '10.1.0.1', expect: via4(1) }],
    },
  ],
};
