// The scripted kernels behind the golden captures (test/replay/captures/): a topology built
// before recording starts, then steps applied while it records. The last step removes the marker
// address, whose silent IPv4 flush makes the recorder re-dump: once it says so, every step
// before has been recorded (the kernel's events arrive in order).
export const MARKER = '192.0.2.1';

export interface Scenario {
  name: string;
  /** hwsim --ports: the recorded netdevs that are front-panel ports. */
  ports: string;
  /** `ip -batch` lines before recording. */
  setup: string[];
  /** `ip -batch` batches applied one after the other while recording. */
  steps: string[][];
}

function veths(n: number): string[] {
  const out: string[] = [];
  for (let p = 1; p <= n; p++) out.push(`link add swp${p} type veth peer name peer${p}`, `link set swp${p} up`, `link set peer${p} up`);
  return out;
}

const marker = [`addr add ${MARKER}/32 dev lo`];
const end = [[`addr del ${MARKER}/32 dev lo`]];

export const SCENARIOS: Scenario[] = [
  {
    name: 'routes',
    ports: 'swp1,swp2,swp3',
    setup: [
      ...veths(3), ...marker,
      'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
      'addr add 2001:db8:1::1/64 dev swp1 nodad', 'addr add 2001:db8:2::1/64 dev swp2 nodad',
      'neigh add 10.0.1.2 lladdr 02:aa:00:00:01:02 dev swp1 nud permanent',
      'neigh add 10.0.2.2 lladdr 02:aa:00:00:02:02 dev swp2 nud permanent',
      'neigh add 10.0.3.2 lladdr 02:aa:00:00:03:02 dev swp3 nud permanent',
      'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:01:02 dev swp1 nud permanent',
      'neigh add 2001:db8:2::2 lladdr 02:aa:00:00:02:02 dev swp2 nud permanent',
      'route add 10.10.0.0/16 via 10.0.1.2',
      'route add 10.11.0.0/16 nexthop via 10.0.1.2 weight 3 nexthop via 10.0.2.2 nexthop via 10.0.3.2',
      'route add blackhole 10.12.0.0/16', 'route add unreachable 10.13.0.0/16', 'route add prohibit 10.14.0.0/16',
      'route add 10.15.0.0/16 via 10.0.2.2 metric 10', 'route add 10.15.0.0/16 via 10.0.3.2 metric 20',
      'route add 2001:db8:10::/48 via 2001:db8:1::2',
      'route add 2001:db8:11::/48 nexthop via 2001:db8:1::2 nexthop via 2001:db8:2::2',
      'route add 10.20.0.0/16 via 10.0.1.2 table 100', 'route add 10.21.0.0/16 via 10.0.2.2 table 200',
      'route add 2001:db8:20::/48 via 2001:db8:2::2 table 100',
      'rule add pref 100 from 10.0.3.0/24 table 100',
    ],
    steps: [
      ['route add 10.30.0.0/16 via 10.0.3.2', 'route replace 10.10.0.0/16 via 10.0.2.2', 'route del 10.13.0.0/16'],
      ['route append 10.11.0.0/16 via 10.0.1.2 metric 5', 'route del 10.15.0.0/16 via 10.0.2.2 metric 10'],
      ['neigh replace 10.0.2.2 lladdr 02:bb:00:00:02:02 dev swp2 nud permanent', 'neigh add 10.0.1.3 lladdr 02:aa:00:00:01:03 dev swp1 nud permanent'],
      ['route add 10.31.0.0/16 nexthop via 10.0.1.3 nexthop via 10.0.2.2', 'route add 2001:db8:30::/48 via 2001:db8:2::2'],
      ['route append 2001:db8:10::/48 via 2001:db8:2::2', 'route del 2001:db8:11::/48'],
      ['route add 10.22.0.0/16 via 10.0.3.2 table 200', 'route del 10.20.0.0/16 table 100', 'rule del pref 100'],
      ['neigh del 10.0.3.2 dev swp3', 'route del 10.30.0.0/16', 'addr add 10.0.4.1/24 dev swp3'],
      ...end,
    ],
  },
  {
    name: 'nexthops',
    ports: 'swp1,swp2,swp3',
    setup: [
      ...veths(3), ...marker,
      'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
      'addr add 2001:db8:1::1/64 dev swp1 nodad',
      'neigh add 10.0.1.2 lladdr 02:aa:00:00:01:02 dev swp1 nud permanent',
      'neigh add 10.0.2.2 lladdr 02:aa:00:00:02:02 dev swp2 nud permanent',
      'neigh add 10.0.3.2 lladdr 02:aa:00:00:03:02 dev swp3 nud permanent',
      'neigh add 2001:db8:1::2 lladdr 02:aa:00:00:01:02 dev swp1 nud permanent',
      'nexthop add id 1 via 10.0.1.2 dev swp1', 'nexthop add id 2 via 10.0.2.2 dev swp2', 'nexthop add id 3 via 10.0.3.2 dev swp3',
      'nexthop add id 6 via 2001:db8:1::2 dev swp1',
      'nexthop add id 10 group 1/2', 'nexthop add id 11 group 1,3/2,1',
      'nexthop add id 20 blackhole',
      'route add 10.40.0.0/16 nhid 10', 'route add 10.41.0.0/16 nhid 11', 'route add 10.42.0.0/16 nhid 3',
      'route add 10.43.0.0/16 nhid 20', 'route add 2001:db8:40::/48 nhid 6',
    ],
    steps: [
      ['nexthop replace id 10 group 1/2/3', 'route add 10.44.0.0/16 nhid 10'],
      ['nexthop add id 4 via 10.0.1.2 dev swp1', 'nexthop add id 12 group 4/3', 'route replace 10.42.0.0/16 nhid 12'],
      // Removing a nexthop takes its IPv4 routes silently and shrinks the groups holding it.
      ['nexthop del id 3'],
      ['route del 10.44.0.0/16', 'route del 10.43.0.0/16', 'nexthop del id 20'],
      ['route replace 10.40.0.0/16 via 10.0.2.2', 'nexthop del id 6'],
      ...end,
    ],
  },
  {
    name: 'link-down',
    ports: 'swp1,swp2,swp3',
    setup: [
      ...veths(3), ...marker,
      'addr add 10.0.1.1/24 dev swp1', 'addr add 10.0.2.1/24 dev swp2', 'addr add 10.0.3.1/24 dev swp3',
      'addr add 2001:db8:2::1/64 dev swp2 nodad',
      'neigh add 10.0.1.2 lladdr 02:aa:00:00:01:02 dev swp1 nud permanent',
      'neigh add 10.0.2.2 lladdr 02:aa:00:00:02:02 dev swp2 nud permanent',
      'neigh add 10.0.3.2 lladdr 02:aa:00:00:03:02 dev swp3 nud permanent',
      'neigh add 2001:db8:2::2 lladdr 02:aa:00:00:02:02 dev swp2 nud permanent',
      'nexthop add id 2 via 10.0.2.2 dev swp2',
      'route add 10.50.0.0/16 via 10.0.2.2', 'route add 10.51.0.0/16 nexthop via 10.0.1.2 nexthop via 10.0.2.2',
      'route add 10.52.0.0/16 nhid 2', 'route add 10.53.0.0/16 via 10.0.3.2',
      'route add 10.54.0.0/16 via 10.0.2.2 table 100', 'route add 2001:db8:50::/48 via 2001:db8:2::2',
    ],
    steps: [
      // swp2 down: its IPv4 routes and nexthop 2 go without a word; the recorder re-dumps.
      ['link set swp2 down'],
      ['route add 10.55.0.0/16 via 10.0.1.2'],
      ['link set swp2 up', 'route add 10.56.0.0/16 via 10.0.2.2'],
      // The last address of swp3 goes: its routes are flushed silently too.
      ['addr del 10.0.3.1/24 dev swp3'],
      ['link del swp1'],
      ...end,
    ],
  },
];
