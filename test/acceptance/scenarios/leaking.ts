// Route leaking both ways: a route in one VRF through a port of another (red to blue, blue to
// red), to and from the default VRF, and through another VRF's device (a second lookup in that
// VRF, which hardware cannot do: it traps).
import type { Scenario } from '../spec.ts';
import { gateway, port, via4, via6, vrf } from './topology.ts';

export const leaking: Scenario = {
  name: 'route-leaking',
  steps: [
    {
      name: 'leaks between red, blue and the default VRF',
      ip: [
        ...vrf('red', 10), ...vrf('blue', 20), ...port(1, 'red'), ...port(2, 'blue'), ...port(3),
        ...gateway(1), ...gateway(2), ...gateway(3),
        'route add 10.8.0.0/16 via 192.168.2.2 dev swp2 vrf red', 'route add 10.9.0.0/16 via 192.168.1.2 dev swp1 vrf blue',
        'route add 10.7.0.0/16 via 192.168.3.2 dev swp3 vrf red', 'route add 10.6.0.0/16 via 192.168.1.2 dev swp1',
        'route add 2001:db8:8::/48 via 2001:db8:2::2 dev swp2 vrf red', 'route add 2001:db8:9::/48 via 2001:db8:1::2 dev swp1 vrf blue',
        'route add 2001:db8:7::/48 via 2001:db8:3::2 dev swp3 vrf red', 'route add 2001:db8:6::/48 via 2001:db8:1::2 dev swp1',
        'route add 10.10.0.0/16 dev blue vrf red', 'route add 2001:db8:10::/48 dev blue vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.8.0.1', expect: via4(2) }, { vrf: 'blue', dst: '10.9.0.1', expect: via4(1) },
        { vrf: 'red', dst: '10.7.0.1', expect: via4(3) }, { vrf: 'default', dst: '10.6.0.1', expect: via4(1) },
        { vrf: 'red', dst: '2001:db8:8::1', expect: via6(2) }, { vrf: 'blue', dst: '2001:db8:9::1', expect: via6(1) },
        { vrf: 'red', dst: '2001:db8:7::1', expect: via6(3) }, { vrf: 'default', dst: '2001:db8:6::1', expect: via6(1) },
        { vrf: 'red', dst: '10.10.0.1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '2001:db8:10::1', expect: 'trap' },
        { vrf: 'blue', dst: '10.8.0.1', expect: 'trap', kernel: 'unreachable' }, { vrf: 'default', dst: '10.9.0.1', expect: 'trap' },
      ],
    },
    {
      name: "the leaked-to port's neighbour goes: the leaks trap",
      ip: ['neigh del 192.168.2.2 dev swp2', 'neigh del 2001:db8:2::2 dev swp2'],
      lookups: [
        { vrf: 'red', dst: '10.8.0.1', expect: 'trap', kernel: 'unicast' }, { vrf: 'red', dst: '2001:db8:8::1', expect: 'trap' },
        { vrf: 'blue', dst: '10.9.0.1', expect: via4(1) },
      ],
    },
    {
      name: 'leaks deleted',
      ip: [
        ...gateway(2), 'route del 10.8.0.0/16 vrf red', 'route del 10.9.0.0/16 vrf blue', 'route del 10.6.0.0/16',
        'route del 2001:db8:9::/48 vrf blue', 'route del 10.10.0.0/16 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.8.0.1', expect: 'trap', kernel: 'unreachable' }, { vrf: 'blue', dst: '10.9.0.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'default', dst: '10.6.0.1', expect: 'trap' }, { vrf: 'red', dst: '2001:db8:8::1', expect: via6(2) },
        { vrf: 'blue', dst: '2001:db8:9::1', expect: 'trap' }, { vrf: 'red', dst: '10.7.0.1', expect: via4(3) },
      ],
    },
  ],
};
