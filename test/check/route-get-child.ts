// Run inside a network namespace: looks addresses up with RouteGetter and prints
// {"answers":[...],"overruns":N,"window":N}. Args: thread|here SMALL_BUFFER(0|1) ADDRESS...
// With SMALL_BUFFER 1 the receive buffer is 64 KiB and the window 1,000: replies overflow it.
import type { RouteQuery } from '../../src/netlink/route-get.ts';
import { RouteGetter } from '../../src/netlink/route-getter.ts';
import { ipBytes } from '../../src/common/ip-text.ts';

const [where, small, ...addresses] = process.argv.slice(2);
const queries: RouteQuery[] = addresses.map((a) => {
  const family = a.includes(':') ? 6 : 4;
  const b = ipBytes(family, a);
  const w = (k: number) => (family === 4 && k > 0 ? 0 : b.readUInt32BE(k * 4));
  return { family, d0: w(0), d1: w(1), d2: w(2), d3: w(3), oif: 0 };
});
const getter = new RouteGetter({
  threaded: where === 'thread',
  ...(small === '1' ? { recvBufferSize: 64 * 1024, window: 1000, replyBudget: 1 } : {}),
});
const answers = await getter.lookup(queries);
process.stdout.write(JSON.stringify({ answers, overruns: getter.overruns, window: getter.windowSize }));
await getter.close();
