// Run inside a network namespace: keeps a KernelMirror with a KernelSession and, for each
// "check" line on stdin, compares it with a mirror built from a fresh dump. Prints "ready",
// then "ok" or "diff <details>" per check, and "stats <json>" on "quit".
import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KernelSession } from '../../src/kernel/kernel-session.ts';
import { KernelMirror } from '../../src/kernel/mirror.ts';
import { fingerprint } from '../../src/kernel/summary.ts';

const rcvbuf = process.argv[2] ? Number(process.argv[2]) : undefined;
const session = new KernelSession({ recvBufferSize: rcvbuf });
session.on('error', (e) => process.stdout.write(`error ${String(e)}\n`));
await session.start();
process.stdout.write('ready\n');

/** Route counts per table and family as iproute2 lists them: a reference independent of our store. */
function iprouteCounts(): string {
  const counts: Record<string, number> = {};
  for (const fam of ['-4', '-6']) {
    const routes = JSON.parse(execFileSync('ip', ['-j', fam, 'route', 'show', 'table', 'all'], { encoding: 'utf8', maxBuffer: 1 << 30 })) as { table?: string }[];
    for (const r of routes) {
      const t = r.table === undefined || r.table === 'main' ? '254' : r.table === 'local' ? '255' : r.table === 'default' ? '253' : r.table;
      const k = `${t}/${fam}`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return JSON.stringify(Object.fromEntries(Object.entries(counts).sort()));
}

function mirrorCounts(): string {
  const counts: Record<string, number> = {};
  for (const [t, c] of session.mirror.routes.counts()) {
    if (c.ipv4) counts[`${t}/-4`] = c.ipv4;
    if (c.ipv6) counts[`${t}/-6`] = c.ipv6;
  }
  return JSON.stringify(Object.fromEntries(Object.entries(counts).sort()));
}

function diff(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, unknown[]>;
  const y = JSON.parse(b) as Record<string, unknown[]>;
  const out: string[] = [];
  for (const k of Object.keys(x)) {
    const xs = new Set((x[k] ?? []).map((v) => JSON.stringify(v)));
    const ys = new Set((y[k] ?? []).map((v) => JSON.stringify(v)));
    for (const v of xs) if (!ys.has(v)) out.push(`mirror-only ${k} ${v}`);
    for (const v of ys) if (!xs.has(v)) out.push(`kernel-only ${k} ${v}`);
  }
  return out.slice(0, 10).join(' | ');
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'check') {
    // The kernel finishes some changes asynchronously (IPv6 DAD, for one): the mirror must
    // converge, so compare until equal or until 5 s have passed.
    let result = '';
    for (let attempt = 0; attempt < 25; attempt++) {
      await new Promise((r) => setTimeout(r, attempt === 0 ? 100 : 200));
      await session.idle();
      const fresh = new KernelMirror();
      fresh.reconcile(['links', 'addresses', 'neighbors', 'nexthops', 'routes', 'rules'], await session.sub.dumpAll());
      const a = fingerprint(session.mirror);
      const b = fingerprint(fresh);
      const [mc, ic] = [mirrorCounts(), iprouteCounts()];
      result = a !== b ? `diff ${diff(a, b)}` : mc !== ic ? `counts mirror ${mc} iproute2 ${ic}` : 'ok';
      if (result === 'ok') break;
    }
    process.stdout.write(`${result}\n`);
  } else if (line === 'quit') {
    process.stdout.write(`stats ${JSON.stringify({ ...session.stats, ...session.sub.stats })}\n`);
    session.close();
    process.exit(0);
  }
}
