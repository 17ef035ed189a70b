// VRF lifecycle: create and enslave, delete a VRF with routes in its table, recreate it with
// the same name on another table (the old table's leftovers must not show through), and a
// thousand VRFs created and deleted.
import type { Scenario } from '../spec.ts';
import { address6, gateway, gw4, port, via4, via6, vrf } from './topology.ts';

const MANY = 1000;

export const vrfLifecycle: Scenario = {
  name: 'vrf-lifecycle',
  steps: [
    {
      name: 'two VRFs with ports, addresses, neighbours and routes',
      ip: [
        ...vrf('red', 10), ...vrf('blue', 20), ...port(1, 'red'), ...port(2, 'blue'), ...gateway(1), ...gateway(2),
        'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 2001:db8:a1::/48 via 2001:db8:1::2 vrf red',
        'route add 10.2.0.0/16 via 192.168.2.2 vrf blue', 'route add 2001:db8:a2::/48 via 2001:db8:2::2 vrf blue',
        'route add blackhole 10.66.0.0/16 vrf red', 'route add blackhole 2001:db8:66::/48 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.1.2.3', expect: via4(1), kernel: 'unicast' },
        { vrf: 'red', dst: '2001:db8:a1::5', expect: via6(1), kernel: 'unicast' },
        { vrf: 'blue', dst: '10.2.0.1', expect: via4(2) },
        { vrf: 'blue', dst: '2001:db8:a2:ffff::1', expect: via6(2) },
        // Connected: the gateway itself forwards; another host traps until the kernel resolves it.
        { vrf: 'red', dst: gw4(1), expect: via4(1) },
        { vrf: 'red', dst: '192.168.1.77', expect: 'trap', kernel: 'unicast' },
        { vrf: 'red', dst: '192.168.1.1', expect: 'trap', kernel: 'local' },
        { vrf: 'red', dst: '10.2.0.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'blue', dst: '10.1.2.3', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '10.66.1.1', expect: 'drop', kernel: 'blackhole' },
        { vrf: 'red', dst: '2001:db8:66::1', expect: 'drop' },
      ],
    },
    {
      name: 'red deleted with routes in its table',
      ip: ['link del red'],
      absentVrfs: ['red'],
      lookups: [
        // swp1 left red with its addresses: its subnet is now the default VRF's.
        { vrf: 'default', dst: '10.1.2.3', expect: 'trap' },
        { vrf: 'default', dst: '10.66.1.1', expect: 'trap' },
        { vrf: 'blue', dst: '10.2.0.1', expect: via4(2) },
      ],
    },
    {
      name: 'red recreated on another table: the old table stays out of it',
      ip: [
        ...vrf('red', 30), 'link set swp1 master red', 'link set swp1 up', address6(1), ...gateway(1),
        'route add 10.1.0.0/16 via 192.168.1.2 vrf red', 'route add 2001:db8:a1::/48 via 2001:db8:1::2 vrf red',
      ],
      lookups: [
        { vrf: 'red', dst: '10.1.2.3', expect: via4(1) },
        { vrf: 'red', dst: '2001:db8:a1::5', expect: via6(1) },
        // Table 10's blackhole is left in the kernel, but it is no VRF's table now.
        { vrf: 'red', dst: '10.66.1.1', expect: 'trap', kernel: 'unreachable' },
        { vrf: 'red', dst: '2001:db8:66::1', expect: 'trap' },
      ],
    },
    {
      name: `${MANY} VRFs created`,
      // In one device group, to be deleted at once: one by one, each deletion waits for an RCU
      // grace period, minutes under emulation.
      ip: Array.from({ length: MANY }, (_, i) => [`link add v${i} group 42 type vrf table ${1000 + i}`, `link set v${i} up`]).flat(),
      probes: 1,
      timeoutMs: 180_000,
      lookups: [
        { vrf: 'v0', dst: '10.1.2.3', expect: 'trap' },
        { vrf: `v${MANY - 1}`, dst: '2001:db8:a1::5', expect: 'trap' },
        { vrf: 'red', dst: '10.1.2.3', expect: via4(1) },
      ],
    },
    {
      name: `${MANY} VRFs deleted`,
      ip: ['link del group 42'],
      absentVrfs: ['v0', `v${MANY / 2}`, `v${MANY - 1}`],
      timeoutMs: 180_000,
      lookups: [{ vrf: 'red', dst: '10.1.2.3', expect: via4(1) }, { vrf: 'blue', dst: '10.2.0.1', expect: via4(2) }],
    },
  ],
};
