// Building blocks of the scenarios' topologies. Port N is a veth swpN (an hwsim port; its peer
// peerN is not one) with 192.168.N.1/24 and 2001:db8:N::1/64; its neighbour ("the gateway") is
// 192.168.N.2 and 2001:db8:N::2 with MAC 02:aa:00:00:00:NN.
import type { Hop } from '../spec.ts';

export const mac = (n: number) => `02:aa:00:00:00:${n.toString(16).padStart(2, '0')}`;
export const gw4 = (n: number) => `192.168.${n}.2`;
export const gw6 = (n: number) => `2001:db8:${n}::2`;

/** A VRF device on `table`, up, with the unreachable default the kernel's VRF docs recommend. */
export const vrf = (name: string, table: number) => [
  `link add ${name} type vrf table ${table}`, `link set ${name} up`,
  `route add unreachable default metric 4278198272 vrf ${name}`,
  `route add unreachable ::/0 metric 4278198272 vrf ${name}`,
];

/** Port n (in VRF `master` when given), up, with its addresses. */
export const port = (n: number, master?: string) => [
  `link add swp${n} type veth peer name peer${n}`,
  ...(master ? [`link set swp${n} master ${master}`] : []),
  `link set swp${n} up`, `link set peer${n} up`,
  `addr add 192.168.${n}.1/24 dev swp${n}`, `addr add 2001:db8:${n}::1/64 dev swp${n} nodad`,
];

/** Port n's IPv6 address again: the kernel removes IPv6 addresses when a port goes down (enslaving cycles it). */
export const address6 = (n: number) => `addr replace 2001:db8:${n}::1/64 dev swp${n} nodad`;

/** Port n's gateway as permanent neighbours, IPv4 and IPv6. */
export const gateway = (n: number) => [
  `neigh replace ${gw4(n)} lladdr ${mac(n)} dev swp${n} nud permanent`,
  `neigh replace ${gw6(n)} lladdr ${mac(n)} dev swp${n} nud permanent`,
];

/** Out of port n to its gateway (IPv4 or IPv6). */
export const via4 = (n: number): Hop => ({ port: `swp${n}`, via: gw4(n), mac: mac(n) });
export const via6 = (n: number): Hop => ({ port: `swp${n}`, via: gw6(n), mac: mac(n) });
