// Moving a port between VRFs with neighbours, next hops and routes on it: enslaving cycles the
// port, so the kernel drops its neighbours and routes (permanent ones too) and they are added
// again in the new VRF; the hardware's router interface moves with what hangs on it.
import type { Scenario } from '../spec.ts';
import { address6, gateway, port, via4, via6, vrf } from './topology.ts';

export const movePort: Scenario = {
  name: 'move-port',
  debug: [
    'ip nexthop', 'ip route show vrf blue', 'ip route show vrf red', 'ip neigh show dev swp1',
    `node bin/vrfsync.js show routes --driver unix:$(ls -d $TMPDIR/acceptance-*)/hwsim.sock`,
    `node bin/vrfsync.js show nexthops --driver unix:$(ls -d $TMPDIR/acceptance-*)/hwsim.sock`,
  ],
  steps: [
    {
      name: 'swp1 in red with a neighbour, a nexthop object, routes',
      ip: [
        ...vrf('red', 10), ...vrf('blue', 20), ...port(1, 'red'), ...port(2, 'blue'), ...gateway(1), ...gateway(2),
        'nexthop add id 11 via 192.168.1.2 dev swp1', 'route add 10.5.0.0/16 nhid 11 vrf red',
        'route add 10.6.0.0/16 via 192.168.1.2 vrf red', 'route add 2001:db8:5::/48 via 2001:db8:1::2 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.5.0.1', expect: via4(1) }, { vrf: 'red', dst: '10.6.0.1', expect: via4(1) },
        { vrf: 'red', dst: '2001:db8:5::1', expect: via6(1) }, { vrf: 'blue', dst: '10.5.0.1', expect: 'trap' },
      ],
    },
    {
      name: 'swp1 moved to blue, its neighbours and routes added there',
      ip: [
        'link set swp1 master blue', address6(1), ...gateway(1),
        'nexthop replace id 11 via 192.168.1.2 dev swp1', 'route add 10.5.0.0/16 nhid 11 vrf blue',
        'route add 2001:db8:5::/48 via 2001:db8:1::2 vrf blue',
      ],
      lookups: [
        { vrf: 'blue', dst: '10.5.0.1', expect: via4(1) }, { vrf: 'blue', dst: '2001:db8:5::1', expect: via6(1) },
        { vrf: 'blue', dst: '192.168.1.2', expect: via4(1) }, { vrf: 'blue', dst: '10.6.0.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '10.5.0.1', expect: 'trap', kernel: 'unreachable' }, { vrf: 'red', dst: '10.6.0.1', expect: 'trap' },
        { vrf: 'red', dst: '192.168.1.2', expect: 'trap' }, { vrf: 'red', dst: '2001:db8:5::1', expect: 'trap' },
        { vrf: 'blue', dst: '10.2.0.1', expect: 'trap' }, { vrf: 'blue', dst: '192.168.2.2', expect: via4(2) },
      ],
    },
    {
      name: 'swp1 back to red and swp2 to the default VRF in one batch, routes with them',
      ip: [
        'link set swp1 master red', 'link set swp2 nomaster', address6(1), address6(2), ...gateway(1), ...gateway(2),
        'route add 10.5.0.0/16 via 192.168.1.2 vrf red', 'route add 10.5.0.0/16 via 192.168.2.2',
        'route add 2001:db8:5::/48 via 2001:db8:2::2',
      ],
      lookups: [
        { vrf: 'red', dst: '10.5.0.1', expect: via4(1) }, { vrf: 'default', dst: '10.5.0.1', expect: via4(2) },
        { vrf: 'default', dst: '2001:db8:5::1', expect: via6(2) }, { vrf: 'blue', dst: '10.5.0.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'default', dst: '192.168.2.2', expect: via4(2) }, { vrf: 'red', dst: '192.168.1.2', expect: via4(1) },
      ],
    },
  ],
};
