// What `vrfsync show` tests write into a real hwsim: three VRFs (one empty), port, sub-port and
// loopback interfaces, IPv4 and IPv6 neighbours and next hops, two groups (one spanning VRFs),
// and routes of every action and target in the default VRF, red and blue, written out of order
// so that the listing's sorting shows.
import { DriverClient } from '../../src/driver/client.ts';
import { Action, Code, UpdateType, type v1 } from '../../src/driver/wire.ts';
import { parseIp, parseMac, parsePrefix } from '../../src/driver/text.ts';

export const RED = 1;
export const BLUE = 2;
export const GREEN = 3;
const DEFAULT = 0;

const rif = (id: number, vrfId: number, attach: { portId: number; vlanId?: number } | 'loopback', mac: string, mtu: number, adminUp: boolean): v1.IEntity => ({
  routerInterface: {
    id, vrfId, mac: parseMac(mac), mtu, adminUp,
    ...(attach === 'loopback' ? { loopback: {}, vlanId: 0 } : { portId: attach.portId, vlanId: attach.vlanId ?? 0 }),
  },
});
const neighbor = (rifId: number, ip: string, mac: string): v1.IEntity => ({ neighbor: { rifId, ip: parseIp(ip), mac: parseMac(mac) } });
const nextHop = (id: number, rifId: number, ip: string): v1.IEntity => ({ nextHop: { id, rifId, ip: parseIp(ip) } });
type Target = { nextHopId: number } | { groupId: number } | { rifId: number } | 'drop' | 'trap';
const route = (vrfId: number, prefix: string, target: Target): v1.IEntity => ({
  route: {
    vrfId,
    prefix: parsePrefix(prefix),
    ...(target === 'drop' ? { action: Action.ACTION_DROP } : target === 'trap' ? { action: Action.ACTION_TRAP } : { action: Action.ACTION_FORWARD, ...target }),
  },
});

export const ENTITIES: v1.IEntity[] = [
  { vrf: { id: RED, name: 'red' } },
  { vrf: { id: BLUE, name: 'blue' } },
  { vrf: { id: GREEN, name: 'green' } },
  rif(1, RED, { portId: 1 }, '02:00:00:00:01:01', 9000, true),
  rif(2, RED, { portId: 2 }, '02:00:00:00:01:02', 1500, false),
  rif(3, BLUE, { portId: 3 }, '02:00:00:00:01:03', 9000, true),
  rif(4, DEFAULT, { portId: 3, vlanId: 100 }, '02:00:00:00:01:04', 1500, true),
  rif(5, BLUE, 'loopback', '02:00:00:00:01:05', 65536, true),
  neighbor(1, '10.0.1.10', '02:aa:00:00:00:05'),
  neighbor(1, '2001:db8:1::2', '02:aa:00:00:00:03'),
  neighbor(1, '10.0.1.2', '02:aa:00:00:00:01'),
  neighbor(2, '10.0.2.2', '02:aa:00:00:00:02'),
  neighbor(3, '10.0.3.2', '02:aa:00:00:00:04'),
  neighbor(4, '10.0.4.2', '02:aa:00:00:00:06'),
  nextHop(10, 1, '10.0.1.2'),
  nextHop(11, 2, '10.0.2.2'),
  nextHop(12, 1, '2001:db8:1::2'),
  nextHop(13, 3, '10.0.3.2'),
  nextHop(14, 4, '10.0.4.2'),
  { nextHopGroup: { id: 20, members: [{ nextHopId: 10, weight: 3 }, { nextHopId: 11, weight: 1 }] } },
  { nextHopGroup: { id: 21, members: [{ nextHopId: 12, weight: 2 }, { nextHopId: 13, weight: 1 }] } },
  route(RED, '10.5.0.0/16', { nextHopId: 12 }),
  route(RED, '10.2.0.0/16', { groupId: 20 }),
  route(RED, '192.168.0.0/16', { nextHopId: 13 }),
  route(RED, '10.0.1.0/24', { rifId: 1 }),
  route(RED, '10.0.0.0/24', 'drop'),
  route(RED, '10.0.0.0/8', { nextHopId: 10 }),
  route(RED, '10.0.1.5/32', { nextHopId: 11 }),
  route(RED, '10.4.0.0/16', 'trap'),
  route(RED, '10.3.0.0/16', 'drop'),
  route(RED, 'fd00::1/128', 'trap'),
  route(RED, '2001:db8:1::/64', { rifId: 1 }),
  route(RED, '::/0', 'drop'),
  route(RED, '2001:db8::/32', { groupId: 21 }),
  route(BLUE, '10.0.3.0/24', { rifId: 3 }),
  route(BLUE, '2001:db8:3::/48', 'trap'),
  route(BLUE, '0.0.0.0/0', { nextHopId: 13 }),
  route(DEFAULT, '172.16.0.0/12', { nextHopId: 14 }),
  route(DEFAULT, '10.0.4.0/24', { rifId: 4 }),
];

/** Becomes primary on `address` and writes ENTITIES; every update must succeed. */
export async function writeFixture(address: string): Promise<void> {
  const client = new DriverClient(address);
  const stream = client.openStream();
  try {
    const arb = await stream.arbitrate(1, 'show-test');
    if ((arb.code ?? 0) !== Code.OK) throw new Error(`not primary: ${arb.message}`);
    const res = await client.write({ electionId: 1, updates: ENTITIES.map((entity) => ({ type: UpdateType.INSERT, entity })) });
    const failed = res.statuses.findIndex((s) => (s.code ?? 0) !== Code.OK);
    if (failed >= 0) throw new Error(`update ${failed} failed: ${res.statuses[failed]!.message}`);
  } finally {
    stream.close();
    client.close();
  }
}
