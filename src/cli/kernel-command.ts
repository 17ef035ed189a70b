// `vrfsync kernel [--json]`: what the kernel mirror holds, for humans and scripts.
import type { Command } from 'commander';
import { KernelSession } from '../kernel/kernel-session.ts';
import { summarize, type KernelSummary } from '../kernel/summary.ts';

export function formatSummary(s: KernelSummary): string {
  const lines: string[] = [];
  lines.push(`VRFs: ${s.vrfs.length}`);
  for (const v of s.vrfs) lines.push(`  ${v.name.padEnd(16)} table ${String(v.table).padEnd(10)} ifindex ${String(v.ifindex).padEnd(6)} members ${v.members.join(' ') || '-'}`);
  lines.push(`links ${s.links}  addresses ${s.addresses}  neighbors ${s.neighbors}  nexthops ${s.nexthops}  rules ${s.rules}`);
  lines.push('routes:');
  lines.push(`  ${'table'.padEnd(12)} ${'ipv4'.padStart(10)} ${'ipv6'.padStart(10)}`);
  for (const [table, c] of Object.entries(s.routes)) lines.push(`  ${table.padEnd(12)} ${String(c.ipv4).padStart(10)} ${String(c.ipv6).padStart(10)}`);
  return lines.join('\n');
}

export async function runKernel(opts: { json?: boolean }): Promise<number> {
  const session = new KernelSession();
  session.on('warning', (msg: string) => process.stderr.write(`warning: ${msg}\n`));
  try {
    await session.start();
    const s = summarize(session.mirror);
    process.stdout.write(`${opts.json ? JSON.stringify(s) : formatSummary(s)}\n`);
    return 0;
  } finally {
    session.close();
  }
}

export function registerKernelCommand(program: Command): void {
  program
    .command('kernel')
    .description("dump what the kernel mirror holds: VRFs, links, neighbours, nexthops, routes per table")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await runKernel(opts);
    });
}
