// The forwarding check: for each probe address (probes.ts), the kernel's answer (a batched
// route lookup in the address's VRF, src/netlink/route-get.ts) against the simulator's
// (LookupBatch), compared by agreement.ts. It sees what the structural check cannot: a
// decision the tables do not show (a port down, a wrong longest-prefix match), and whether the
// desired state itself forwards as the kernel does.
//
// Both sides run at once, a block of probes at a time: the simulator answers in its own process
// and the kernel through a worker thread while this one compares.
import type { KernelMirror } from '../kernel/mirror.ts';
import type { SimulatorClient } from '../driver/client.ts';
import { Action, type simv1 } from '../driver/wire.ts';
import { dstText } from '../netlink/route-record.ts';
import type { RouteGetter } from '../netlink/route-getter.ts';
import type { HardwareState } from '../translate/hardware-state.ts';
import type { DriverFacts, TranslateConfig } from '../translate/inputs.ts';
import { disagreement } from './agreement.ts';
import { KernelAnswers, hardwareView } from './answers.ts';
import { probeAddresses, type Probe } from './probes.ts';
import type { Mismatch } from './structural.ts';

export interface ProbeVrf {
  id: number;
  name: string;
  /** The kernel VRF device's ifindex; 0 for the default VRF. */
  oif: number;
}

/** Probes per block (one LookupBatch, a few route lookup datagrams), and blocks in flight. */
const BLOCK = 5000;
const IN_FLIGHT = 4;
/** Forwarding mismatches listed at most (all are counted): one port down can fail most probes. */
export const MAX_LISTED = 1000;

/**
 * The VRFs to probe: those of the desired state (`only`: just that one, by name), each with
 * its kernel device. One the hardware does not have is not probed (every lookup in it would
 * fail); the structural check reports it missing.
 */
export function probeVrfs(mirror: KernelMirror, desired: HardwareState, installed: HardwareState, facts: DriverFacts, only?: string): { vrfs: ProbeVrf[]; notes: string[] } {
  const devices = new Map(mirror.vrfs().map((v) => [v.name, v.ifindex]));
  const all: ProbeVrf[] = [{ id: facts.defaultVrfId, name: 'default', oif: 0 }];
  for (const v of desired.vrfs.values()) all.push({ id: v.id, name: v.name, oif: devices.get(v.name) ?? 0 });
  const vrfs: ProbeVrf[] = [];
  const notes: string[] = [];
  for (const v of all) {
    if (only !== undefined && v.name !== only) continue;
    if (v.id !== facts.defaultVrfId && !installed.vrfs.has(v.id)) notes.push(`VRF ${v.name} not probed: the hardware has no VRF ${v.id}`);
    else if (v.id !== facts.defaultVrfId && !v.oif) notes.push(`VRF ${v.name} not probed: the kernel has no VRF device of that name`);
    else vrfs.push(v);
  }
  if (only !== undefined && !all.some((v) => v.name === only)) notes.push(`VRF ${only} not probed: the kernel has no such VRF to offload`);
  return { vrfs, notes };
}

export interface ForwardingInput {
  mirror: KernelMirror;
  desired: HardwareState;
  config: TranslateConfig;
  vrfs: readonly ProbeVrf[];
  /** Random addresses per VRF, besides three per route. */
  perVrf: number;
  seed: number;
}

export interface ForwardingResult {
  probes: number;
  /** The first MAX_LISTED mismatches. */
  mismatches: Mismatch[];
  /** Every mismatch, counted. */
  count: number;
}

export async function forwardingCheck(input: ForwardingInput, sim: SimulatorClient, getter: RouteGetter): Promise<ForwardingResult> {
  const { mirror, desired, config, vrfs } = input;
  const probes = probeAddresses(desired, vrfs, input.perVrf, input.seed);
  const names = new Map(vrfs.map((v) => [v.id, v.name]));
  const answers = new KernelAnswers(mirror);
  const portOf = (dev: string) => config.portMap.get(dev) ?? dev;
  const found: { at: number; m: Mismatch }[] = [];
  let count = 0;

  /** Both sides' answers for probes[from, to), compared, then let go. */
  const block = async (from: number, to: number) => {
    const lookups: simv1.ILookupRequest[] = [];
    for (let i = from; i < to; i++) lookups.push(lookupRequest(probes[i]!));
    // A probe is its own route query: family, address words and the VRF device.
    const [{ results }, kernel] = await Promise.all([sim.lookupBatch({ lookups }), getter.lookup(probes.slice(from, to))]);
    if (results.length !== to - from) throw new Error(`LookupBatch answered ${results.length} of ${to - from} lookups`);
    for (let i = from; i < to; i++) {
      const r = results[i - from]!;
      // A trap agrees with any kernel answer (agreement.ts): no need to read the kernel's.
      if (r.action === Action.ACTION_TRAP) continue;
      const p = probes[i]!;
      const dst = dstText(p.family, p.d0, p.d1, p.d2, p.d3);
      const h = hardwareView(r);
      const k = answers.view(dst, kernel[i - from]!);
      const reason = disagreement(dst, k, h, portOf);
      if (!reason) continue;
      count++;
      found.push({ at: i, m: { kind: 'forwarding', vrf: names.get(p.vrfId)!, key: dst, kernel: k, hardware: h, reason } });
    }
  };
  // Blocks in flight: the simulator answers one while the kernel answers another and this
  // thread compares a third. Nothing is kept of a block but its mismatches.
  let next = 0;
  const lane = async () => {
    while (next < probes.length) {
      const from = next;
      await block(from, (next = Math.min(probes.length, from + BLOCK)));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  found.sort((a, b) => a.at - b.at);
  return { probes: probes.length, mismatches: found.slice(0, MAX_LISTED).map((f) => f.m), count };
}

function lookupRequest(p: Probe): simv1.ILookupRequest {
  if (p.family === 4) return { vrfId: p.vrfId, destination: { ipv4: p.d0 } };
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(p.d0, 0);
  b.writeUInt32BE(p.d1, 4);
  b.writeUInt32BE(p.d2, 8);
  b.writeUInt32BE(p.d3, 12);
  return { vrfId: p.vrfId, destination: { ipv6: b } };
}
