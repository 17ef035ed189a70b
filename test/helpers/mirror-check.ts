// Run inside a network namespace: keeps a KernelMirror with a KernelSession and, for each
// "check" line on stdin, compares it with a mirror built from a fresh dump. Prints "ready",
// then "ok" or "diff <details>" per check, and "stats <json>" on "quit" (the session's and the
// subscription's counters, and the most object dumps that were ever in flight at once).
import { createInterface } from 'node:readline';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { compareWithKernel } from './mirror-compare.ts';

const rcvbuf = process.argv[2] ? Number(process.argv[2]) : undefined;
const session = new KernelSession({ recvBufferSize: rcvbuf });
session.on('error', (e) => process.stdout.write(`error ${String(e)}\n`));
// Object dumps are taken one at a time by design (one re-dump pass at a time): count overlaps.
let dumping = 0;
let maxConcurrentDumps = 0;
const dump = session.sub.dump.bind(session.sub);
session.sub.dump = async (kind) => {
  maxConcurrentDumps = Math.max(maxConcurrentDumps, ++dumping);
  try {
    return await dump(kind);
  } finally {
    dumping--;
  }
};
await session.start();
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'check') {
    process.stdout.write(`${await compareWithKernel(session)}\n`);
  } else if (line === 'quit') {
    process.stdout.write(`stats ${JSON.stringify({ ...session.stats, ...session.sub.stats, maxConcurrentDumps })}\n`);
    session.close();
    process.exit(0);
  }
}
