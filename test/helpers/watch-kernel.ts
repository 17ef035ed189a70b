// Run inside a network namespace: subscribes through src/netlink, dumps everything, prints
// "ready <n dumped>" and then one JSON line per change ("overrun" on ENOBUFS).
//   watch-kernel.ts [RCVBUF_BYTES]
import { NetlinkSubscription } from '../../src/netlink/subscription.ts';

const rcvbuf = process.argv[2] ? Number(process.argv[2]) : undefined;
const sub = new NetlinkSubscription({ recvBufferSize: rcvbuf });
sub.on('changes', (changes) => {
  for (const c of changes) process.stdout.write(`${JSON.stringify(c)}\n`);
});
sub.on('overrun', () => process.stdout.write('overrun\n'));
sub.start();
const dumped = await sub.dumpAll();
process.stdout.write(`ready ${dumped.length} ${sub.stats.recvBufferSize}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  process.stdout.write(`stats ${JSON.stringify(sub.stats)}\n`);
  sub.close();
  process.exit(0);
});
