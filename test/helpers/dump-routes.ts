// Run inside a network namespace (ip netns exec NS node bin/run-ts.js ...): dumps every IPv4 and
// IPv6 route through src/netlink and prints them as JSON on stdout.
import { dump } from '../../src/netlink/dump.ts';
import { RTM } from '../../src/netlink/messages.ts';
import { AF_INET, AF_INET6, RTMSG_LEN, decodeRoute } from '../../src/netlink/route-codec.ts';

const routes = [];
for (const af of [AF_INET, AF_INET6]) {
  const req = Buffer.alloc(RTMSG_LEN);
  req[0] = af;
  for (const m of await dump(RTM.GETROUTE, req)) routes.push(decodeRoute(m.body, 0, m.body.length));
}
process.stdout.write(JSON.stringify(routes));
