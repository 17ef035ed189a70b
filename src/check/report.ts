// What `vrfsync check` prints: one JSON object (--json), or a report per VRF for people.
import type { HardwareAnswer, KernelAnswer } from './agreement.ts';
import type { CheckReport } from './check.ts';
import type { Mismatch } from './structural.ts';

/** consistent, checked and mismatches first, in that order: scripts read those. */
export function formatJson(r: CheckReport): string {
  return `${JSON.stringify({
    consistent: r.consistent, checked: r.checked, mismatches: r.mismatches,
    forwardingChecked: r.forwardingChecked, forwardingMismatches: r.forwardingMismatches, notes: r.notes, seed: r.seed,
  })}\n`;
}

/** Mismatch lines shown per VRF in the text report; --json lists every one it has. */
const SHOWN_PER_VRF = 50;

export function formatText(r: CheckReport): string {
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  const found = r.mismatches.length + Math.max(0, r.forwardingMismatches - r.mismatches.filter((m) => m.kind === 'forwarding').length);
  lines.push(r.consistent ? 'consistent' : `INCONSISTENT: ${n(found)} mismatch${found === 1 ? '' : 'es'}`);
  lines.push(`checked ${n(r.checked.entries)} entries and ${n(r.checked.probes)} probe addresses`
    + (r.forwardingChecked ? ` (seed ${r.seed})` : ' (forwarding not checked)'));
  const byVrf = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) {
    let list = byVrf.get(m.vrf);
    if (!list) byVrf.set(m.vrf, (list = []));
    list.push(m);
  }
  for (const [vrf, list] of [...byVrf].sort(([a], [b]) => a.localeCompare(b))) {
    const kinds = ['missing', 'extra', 'different', 'forwarding'].map((k) => `${list.filter((m) => m.kind === k).length} ${k}`);
    lines.push('', `VRF ${vrf || '(none)'}: ${kinds.join(', ')}`);
    for (const m of list.slice(0, SHOWN_PER_VRF)) lines.push(...mismatchLines(m));
    if (list.length > SHOWN_PER_VRF) lines.push(`  ... and ${n(list.length - SHOWN_PER_VRF)} more (--json lists them)`);
  }
  if (r.notes.length) lines.push('', ...r.notes.map((x) => `note: ${x}`));
  return `${lines.join('\n')}\n`;
}

function mismatchLines(m: Mismatch): string[] {
  if (m.kind === 'forwarding') {
    return [
      `  forwarding ${m.key}: ${m.reason}`,
      `    kernel:   ${kernelText(m.kernel as KernelAnswer)}`,
      `    hardware: ${hardwareText(m.hardware as HardwareAnswer)}`,
    ];
  }
  return [`  ${m.kind.padEnd(10)} ${m.key}: kernel ${valueText(m.kernel)}, hardware ${valueText(m.hardware)}`];
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v !== 'object') return String(v);
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' ');
}

function kernelText(k: KernelAnswer): string {
  if (k.errno) return `${k.type} (${k.errno})`;
  const hops = (k.nexthops ?? []).map((h) => `${h.via ? `via ${h.via} ` : ''}dev ${h.dev}${h.mac ? ` lladdr ${h.mac}` : ''}${h.dead ? ' dead' : ''}`);
  return `${k.type} ${k.prefix} table ${k.table}${hops.length ? ` ${hops.join(', ')}` : ''}`;
}

function hardwareText(h: HardwareAnswer): string {
  const parts: string[] = [h.action];
  if (h.prefix) parts.push(h.prefix);
  if (h.nexthop) parts.push(`via ${h.nexthop}`);
  if (h.interface) parts.push(`dev ${h.interface}`);
  if (h.mac) parts.push(`mac ${h.mac}`);
  if (h.reason) parts.push(`(${h.reason})`);
  return parts.join(' ');
}
