// `vrfsync check` without the command line: is what the driver holds, and how it forwards,
// what this kernel asks for? Independent of any running agent: it dumps the kernel and reads the
// driver itself, computes the desired state as the agent would (same translation, same port map
// and excluded VRFs), then runs the structural check and, on a driver that serves hwsim's
// Simulator, the forwarding check.
import * as grpc from '@grpc/grpc-js';
import { DriverClient, SimulatorClient } from '../driver/client.ts';
import type { TlsOptions } from '../driver/address.ts';
import { KernelSession } from '../kernel/kernel-session.ts';
import { RouteGetter } from '../netlink/route-getter.ts';
import { driverFacts, type TranslateConfig } from '../translate/inputs.ts';
import { forwardingCheck, probeVrfs } from './forwarding.ts';
import { structuralCheck, type Mismatch } from './structural.ts';

export interface CheckOptions {
  address: string;
  tls?: TlsOptions;
  translate: TranslateConfig;
  /** Report on this VRF only (by name; "default" is the default VRF). */
  vrf?: string;
  /** Random probe addresses per VRF, besides three per route. */
  probes: number;
  seed: number;
}

export interface CheckReport {
  consistent: boolean;
  checked: { entries: number; probes: number };
  mismatches: Mismatch[];
  forwardingChecked: boolean;
  /** Forwarding mismatches found; only the first MAX_LISTED are in `mismatches`. */
  forwardingMismatches: number;
  /** Why the forwarding check did not run, or what it left out. */
  notes: string[];
  seed: number;
}

/** The check cannot run as asked. */
export class CheckError extends Error {
  readonly code = 'VRFSYNC_CHECK';
}

/** How long the driver has to answer Capabilities (it is not there, else). */
const READY_MS = 10_000;

/** The driver does not serve the Simulator service (any vendor driver): structural check only. */
async function hasSimulator(sim: SimulatorClient): Promise<boolean> {
  try {
    await sim.lookupBatch({ lookups: [] });
    return true;
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
    throw err;
  }
}

export async function runCheck(o: CheckOptions): Promise<CheckReport> {
  const session = new KernelSession();
  const client = new DriverClient(o.address, { tls: o.tls });
  const sim = new SimulatorClient(o.address, { tls: o.tls });
  const getter = new RouteGetter();
  try {
    const [, caps, entities] = await Promise.all([session.start(), client.capabilities(READY_MS), client.readAll()]);
    const facts = driverFacts(caps);
    const structural = structuralCheck(session.mirror, o.translate, facts, entities);
    // A full table's Read is the largest thing held: let it go before the probes.
    entities.length = 0;
    const known = ['default', ...[...structural.desired.vrfs.values(), ...structural.installed.vrfs.values()].map((v) => v.name)];
    if (o.vrf !== undefined && !known.includes(o.vrf)) {
      throw new CheckError(`no VRF named ${JSON.stringify(o.vrf)} in the kernel's desired state or the hardware (there are: ${[...new Set(known)].join(', ')})`);
    }
    const inVrf = (m: Mismatch) => o.vrf === undefined || m.vrf === o.vrf;
    const mismatches = structural.mismatches.filter(inVrf);
    const entries = o.vrf === undefined ? structural.entries : structural.entriesByVrf.get(o.vrf) ?? 0;
    const notes: string[] = [];
    let probes = 0;
    let forwardingChecked = false;
    let forwardingMismatches = 0;
    if (await hasSimulator(sim)) {
      const { vrfs, notes: skipped } = probeVrfs(session.mirror, structural.desired, structural.installed, facts, o.vrf);
      notes.push(...skipped);
      const f = await forwardingCheck({
        mirror: session.mirror, desired: structural.desired, config: o.translate, vrfs, perVrf: o.probes, seed: o.seed,
      }, sim, getter);
      probes = f.probes;
      forwardingChecked = true;
      forwardingMismatches = f.count;
      if (f.count > f.mismatches.length) notes.push(`${f.count} forwarding mismatches, the first ${f.mismatches.length} listed`);
      mismatches.push(...f.mismatches);
    } else {
      notes.push('forwarding not checked: the driver does not serve vrfsync.hwsim.v1.Simulator/LookupBatch (structural check only)');
    }
    return {
      consistent: mismatches.length === 0, checked: { entries, probes }, mismatches, forwardingChecked, forwardingMismatches, notes, seed: o.seed,
    };
  } finally {
    await getter.close();
    sim.close();
    client.close();
    session.close();
  }
}
