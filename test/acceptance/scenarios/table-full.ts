// A full route table: hwsim's IPv4 and IPv6 route tables shrunk to a little room, then more
// routes than fit. Under the safe policy the routes that do not fit are missing from hardware
// and hwsim never forwards a packet where the kernel sends it elsewhere (the nearest installed
// cover traps: here red's default, which forwards out of swp2); with room again, all installed.
import type { Lookup, Scenario } from '../spec.ts';
import { gateway, port, via4, via6, vrf } from './topology.ts';

const MORE = 200;
const subnets = (orTrap: boolean): Lookup[] => Array.from({ length: MORE }, (_, i) => [
  { vrf: 'red', dst: `10.90.${i}.7`, expect: { any: [via4(1)], orTrap } },
  { vrf: 'red', dst: `2001:db8:90:${i.toString(16)}::7`, expect: { any: [via6(1)], orTrap } },
]).flat();

export const tableFull: Scenario = {
  name: 'table-full',
  steps: [
    {
      name: "red with a default route out of swp2",
      ip: [
        ...vrf('red', 10), ...port(1, 'red'), ...port(2, 'red'), ...gateway(1), ...gateway(2),
        'route add default via 192.168.2.2 vrf red', 'route add ::/0 via 2001:db8:2::2 vrf red',
        'route add 10.90.0.0/16 via 192.168.2.2 vrf red', 'route add 2001:db8:90::/48 via 2001:db8:2::2 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.90.9.7', expect: via4(2) }, { vrf: 'red', dst: '2001:db8:90:9::7', expect: via6(2) },
        { vrf: 'red', dst: '172.16.0.1', expect: via4(2) },
      ],
    },
    {
      name: `route tables with room for 20, then ${MORE} more specifics of each family`,
      shrink: [{ family: 4, room: 20 }, { family: 6, room: 20 }],
      ip: [
        ...Array.from({ length: MORE }, (_, i) => `route add 10.90.${i}.0/24 via 192.168.1.2 vrf red`),
        ...Array.from({ length: MORE }, (_, i) => `route add 2001:db8:90:${i.toString(16)}::/64 via 2001:db8:1::2 vrf red`),
      ],
      tableFull: true,
      lookups: subnets(true),
    },
    {
      name: 'room again: every route installed',
      clearFaults: true,
      lookups: [...subnets(false), { vrf: 'red', dst: '172.16.0.1', expect: via4(2) }],
    },
  ],
};
