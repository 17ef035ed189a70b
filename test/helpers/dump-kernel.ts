// Run inside a network namespace (ip netns exec NS node bin/run-ts.js ...): dumps links,
// addresses, neighbours, nexthops and routes through src/netlink and prints them as JSON.
import { dump } from '../../src/netlink/dump.ts';
import { RTM } from '../../src/netlink/messages.ts';
import { AF_INET, AF_INET6, RTMSG_LEN } from '../../src/netlink/route-codec.ts';
import { decodeRoute } from '../../src/netlink/route-record.ts';
import { IFINFOMSG_LEN, decodeLink } from '../../src/netlink/link-codec.ts';
import { IFADDRMSG_LEN, decodeAddress } from '../../src/netlink/addr-codec.ts';
import { NDMSG_LEN, decodeNeighbor } from '../../src/netlink/neigh-codec.ts';
import { NHMSG_LEN, decodeNexthop } from '../../src/netlink/nexthop-codec.ts';
import { FIB_RULE_HDR_LEN, decodeRule } from '../../src/netlink/rule-codec.ts';

const all = async <T>(type: number, len: number, af: number, decode: (b: Buffer, s: number, e: number) => T) => {
  const req = Buffer.alloc(len);
  req[0] = af;
  const out: T[] = [];
  await dump(type, req, (_t, _f, buf, start, end) => out.push(decode(buf, start, end)));
  return out;
};
const both = async <T>(type: number, len: number, decode: (b: Buffer, s: number, e: number) => T) =>
  [...(await all(type, len, AF_INET, decode)), ...(await all(type, len, AF_INET6, decode))];

const out = {
  links: await all(RTM.GETLINK, IFINFOMSG_LEN, 0, decodeLink),
  addresses: await both(RTM.GETADDR, IFADDRMSG_LEN, decodeAddress),
  neighbors: (await both(RTM.GETNEIGH, NDMSG_LEN, decodeNeighbor)).filter(Boolean),
  nexthops: await all(RTM.GETNEXTHOP, NHMSG_LEN, 0, decodeNexthop),
  routes: await both(RTM.GETROUTE, RTMSG_LEN, decodeRoute),
  rules: await both(RTM.GETRULE, FIB_RULE_HDR_LEN, decodeRule),
};
process.stdout.write(JSON.stringify(out));
