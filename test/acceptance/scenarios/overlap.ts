// Overlapping prefixes: the same prefixes in three VRFs (red, blue, the default VRF) through
// different next hops; each VRF's lookups pick its own, more specifics included.
import type { Scenario } from '../spec.ts';
import { gateway, port, via4, via6, vrf } from './topology.ts';


export const overlap: Scenario = {
  name: 'overlapping-prefixes',
  steps: [
    {
      name: 'one prefix in three VRFs, each through its own port',
      ip: [
        ...vrf('red', 10), ...vrf('blue', 20), ...port(1, 'red'), ...port(2, 'blue'), ...port(3),
        ...gateway(1), ...gateway(2), ...gateway(3),
        'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 10.1.0.0/16 via 192.168.2.2 vrf blue', 'route add 10.1.0.0/16 via 192.168.3.2',
        'route add 2001:db8:100::/48 via 2001:db8:1::2 vrf red', 'route add 2001:db8:100::/48 via 2001:db8:2::2 vrf blue',
        'route add 2001:db8:100::/48 via 2001:db8:3::2',
        // A more specific in blue only.
        'route add 10.1.5.0/24 via 192.168.1.2 dev swp1 vrf blue', 'route add 2001:db8:100:5::/64 via 2001:db8:1::2 dev swp1 vrf blue',
      ],
      lookups: [
        { vrf: 'red', dst: '10.1.2.3', expect: via4(1) }, { vrf: 'blue', dst: '10.1.2.3', expect: via4(2) }, { vrf: 'default', dst: '10.1.2.3', expect: via4(3) },
        { vrf: 'red', dst: '10.1.5.3', expect: via4(1) }, { vrf: 'blue', dst: '10.1.5.3', expect: via4(1) }, { vrf: 'default', dst: '10.1.5.3', expect: via4(3) },
        { vrf: 'red', dst: '2001:db8:100::1', expect: via6(1) }, { vrf: 'blue', dst: '2001:db8:100::1', expect: via6(2) },
        { vrf: 'default', dst: '2001:db8:100::1', expect: via6(3) },
        { vrf: 'blue', dst: '2001:db8:100:5::1', expect: via6(1) }, { vrf: 'default', dst: '2001:db8:100:5::1', expect: via6(3) },
      ],
    },
    {
      name: "blue's /16 deleted: blue alone loses it",
      ip: ['route del 10.1.0.0/16 vrf blue', 'route del 2001:db8:100::/48 vrf blue'],
      lookups: [
        { vrf: 'blue', dst: '10.1.2.3', expect: 'trap', kernel: 'unreachable' }, { vrf: 'blue', dst: '10.1.5.3', expect: via4(1) },
        { vrf: 'red', dst: '10.1.2.3', expect: via4(1) }, { vrf: 'default', dst: '10.1.2.3', expect: via4(3) },
        { vrf: 'blue', dst: '2001:db8:100::1', expect: 'trap' }, { vrf: 'red', dst: '2001:db8:100::1', expect: via6(1) },
      ],
    },
    {
      name: "red's route replaced to another port: only red's changes",
      ip: [...port(4, 'red'), ...gateway(4), 'route replace 10.1.0.0/16 via 192.168.4.2 vrf red', 'route replace 2001:db8:100::/48 via 2001:db8:4::2 vrf red'],
      lookups: [
        { vrf: 'red', dst: '10.1.2.3', expect: via4(4) }, { vrf: 'default', dst: '10.1.2.3', expect: via4(3) },
        { vrf: 'red', dst: '2001:db8:100::1', expect: via6(4) }, { vrf: 'default', dst: '2001:db8:100::1', expect: via6(3) },
      ],
    },
  ],
};
