// Does a KernelSession's mirror equal the kernel? Compared with a mirror built from a fresh dump
// (every object and route) and with iproute2's route counts per table (a reference that does
// not share our code). Runs inside the namespace or guest whose kernel it checks.
import { execFileSync } from 'node:child_process';
import type { KernelSession } from '../../src/kernel/kernel-session.ts';
import { KernelMirror } from '../../src/kernel/mirror.ts';
import { ALL_KINDS } from '../../src/netlink/subscription.ts';
import { fingerprint } from '../../src/kernel/summary.ts';

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

function mirrorCounts(session: KernelSession): string {
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

/**
 * "ok" once the mirror equals the kernel, else what differs after 15 s: the kernel finishes some
 * changes asynchronously (IPv6 DAD, for one), so the mirror must converge.
 */
export async function compareWithKernel(session: KernelSession): Promise<string> {
  let result = '';
  // Generous: on a loaded machine (CI runs test files side by side) resyncs take a while.
  for (let attempt = 0; attempt < 75; attempt++) {
    await new Promise((r) => setTimeout(r, attempt === 0 ? 100 : 200));
    await session.idle();
    const fresh = new KernelMirror();
    fresh.reconcile(ALL_KINDS, await session.sub.dumpAll());
    const a = fingerprint(session.mirror);
    const b = fingerprint(fresh);
    const [mc, ic] = [mirrorCounts(session), iprouteCounts()];
    result = a !== b ? `diff ${diff(a, b)}` : mc !== ic ? `counts mirror ${mc} iproute2 ${ic}` : 'ok';
    if (result === 'ok') break;
  }
  return result;
}
