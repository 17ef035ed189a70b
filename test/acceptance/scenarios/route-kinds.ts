// Route kinds and the active route: blackhole (drop), unreachable, prohibit, local and
// broadcast (trap); replace, append and prepend; metrics (the lowest wins, the next takes over
// when it goes); tos routes, which a packet without tos never matches.
import type { Scenario } from '../spec.ts';
import { gateway, port, via4, via6, vrf } from './topology.ts';

export const routeKinds: Scenario = {
  name: 'route-kinds',
  steps: [
    {
      name: 'blackhole, unreachable, prohibit, local and broadcast routes',
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), ...port(4, 'red'), ...port(5, 'red'), ...gateway(1), ...gateway(4), ...gateway(5),
        'route add blackhole 10.50.0.0/16 vrf red', 'route add unreachable 10.51.0.0/16 vrf red', 'route add prohibit 10.52.0.0/16 vrf red',
        'route add local 10.53.0.1 dev swp1 table 10', 'route add broadcast 10.54.255.255 dev swp1 table 10',
        'route add 10.54.0.0/16 via 192.168.1.2 vrf red',
        'route add blackhole 2001:db8:50::/48 vrf red', 'route add unreachable 2001:db8:51::/48 vrf red',
        'route add prohibit 2001:db8:52::/48 vrf red', 'route add local 2001:db8:53::1 dev swp1 table 10',
      ],
      lookups: [
        { vrf: 'red', dst: '10.50.3.3', expect: 'drop', kernel: 'blackhole' }, { vrf: 'red', dst: '10.51.3.3', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '10.52.3.3', expect: 'trap', kernel: 'prohibit' }, { vrf: 'red', dst: '10.53.0.1', expect: 'trap', kernel: 'local' },
        { vrf: 'red', dst: '10.54.255.255', expect: 'trap', kernel: 'broadcast' }, { vrf: 'red', dst: '10.54.1.1', expect: via4(1) },
        { vrf: 'red', dst: '2001:db8:50::3', expect: 'drop', kernel: 'blackhole' }, { vrf: 'red', dst: '2001:db8:51::3', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '2001:db8:52::3', expect: 'trap', kernel: 'prohibit' }, { vrf: 'red', dst: '2001:db8:53::1', expect: 'trap', kernel: 'local' },
      ],
    },
    {
      name: 'reject routes replaced by unicast and back',
      ip: [
        'route replace 10.50.0.0/16 via 192.168.4.2 vrf red', 'route replace unreachable 10.54.0.0/16 vrf red',
        'route replace 2001:db8:50::/48 via 2001:db8:4::2 vrf red', 'route replace blackhole 2001:db8:51::/48 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.50.3.3', expect: via4(4) }, { vrf: 'red', dst: '10.54.1.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '2001:db8:50::3', expect: via6(4) }, { vrf: 'red', dst: '2001:db8:51::3', expect: 'drop', kernel: 'blackhole' },
      ],
    },
    {
      name: 'replace',
      ip: [
        'route add 10.55.0.0/16 via 192.168.1.2 vrf red', 'route replace 10.55.0.0/16 via 192.168.4.2 vrf red',
        'route add 2001:db8:55::/48 via 2001:db8:1::2 vrf red', 'route replace 2001:db8:55::/48 via 2001:db8:4::2 vrf red',
      ],
      lookups: [{ vrf: 'red', dst: '10.55.1.1', expect: via4(4) }, { vrf: 'red', dst: '2001:db8:55::1', expect: via6(4) }],
    },
    {
      name: 'append (IPv4: an alias behind the active route; IPv6: another sibling)',
      ip: ['route append 10.55.0.0/16 via 192.168.1.2 vrf red', 'route append 2001:db8:55::/48 via 2001:db8:5::2 vrf red'],
      lookups: [{ vrf: 'red', dst: '10.55.1.1', expect: via4(4) }, { vrf: 'red', dst: '2001:db8:55::1', expect: { any: [via6(4), via6(5)] } }],
    },
    {
      name: 'prepend (IPv4: the new route is active)',
      ip: ['route prepend 10.55.0.0/16 via 192.168.5.2 vrf red'],
      lookups: [{ vrf: 'red', dst: '10.55.1.1', expect: via4(5) }],
    },
    {
      name: 'the active alias deleted: the next one takes over',
      ip: ['route del 10.55.0.0/16 via 192.168.5.2 vrf red', 'route del 2001:db8:55::/48 via 2001:db8:4::2 vrf red'],
      lookups: [{ vrf: 'red', dst: '10.55.1.1', expect: via4(4) }, { vrf: 'red', dst: '2001:db8:55::1', expect: via6(5) }],
    },
    {
      name: 'metrics: the lowest wins',
      ip: [
        'route add 10.56.0.0/16 via 192.168.1.2 metric 20 vrf red', 'route add 10.56.0.0/16 via 192.168.4.2 metric 10 vrf red',
        'route add 2001:db8:56::/48 via 2001:db8:1::2 metric 20 vrf red', 'route add 2001:db8:56::/48 via 2001:db8:4::2 metric 10 vrf red',
      ],
      lookups: [{ vrf: 'red', dst: '10.56.1.1', expect: via4(4) }, { vrf: 'red', dst: '2001:db8:56::1', expect: via6(4) }],
    },
    {
      name: 'metrics: a lower one added, then the lowest deleted',
      ip: [
        'route add 10.56.0.0/16 via 192.168.5.2 metric 5 vrf red', 'route add 2001:db8:56::/48 via 2001:db8:5::2 metric 5 vrf red',
        'route del 10.56.0.0/16 metric 10 vrf red', 'route del 2001:db8:56::/48 metric 10 vrf red',
      ],
      lookups: [{ vrf: 'red', dst: '10.56.1.1', expect: via4(5) }, { vrf: 'red', dst: '2001:db8:56::1', expect: via6(5) }],
    },
    {
      name: 'metrics: the active one deleted, the highest takes over',
      ip: ['route del 10.56.0.0/16 metric 5 vrf red', 'route del 2001:db8:56::/48 metric 5 vrf red'],
      lookups: [{ vrf: 'red', dst: '10.56.1.1', expect: via4(1) }, { vrf: 'red', dst: '2001:db8:56::1', expect: via6(1) }],
    },
    {
      name: 'tos routes: packets without tos follow the tos 0 route, or none',
      ip: [
        'route add 10.57.0.0/16 tos 0x10 via 192.168.4.2 vrf red', 'route add 10.57.0.0/16 via 192.168.1.2 vrf red',
        'route add 10.58.0.0/16 tos 0x10 via 192.168.4.2 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.57.1.1', expect: via4(1) },
        { vrf: 'red', dst: '10.58.1.1', expect: 'trap', kernel: 'unreachable' },
      ],
    },
    {
      name: 'the tos 0 route deleted: the tos route alone is never used',
      ip: ['route del 10.57.0.0/16 tos 0 via 192.168.1.2 vrf red'],
      lookups: [{ vrf: 'red', dst: '10.57.1.1', expect: 'trap', kernel: 'unreachable' }],
    },
  ],
};
