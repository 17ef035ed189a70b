// Translation checked against an in-process hwsim: the planned updates are written stage by
// stage, every one must succeed, and what hwsim then holds must be exactly the desired state.
import { Asic } from '../../hwsim/asic.ts';
import { defaultPorts, makeConfig } from '../../hwsim/config.ts';
import { Code, codeName } from '../../src/driver/wire.ts';
import type { HardwareState } from '../../src/translate/hardware-state.ts';
import { driverFacts, type DriverFacts } from '../../src/translate/inputs.ts';
import { planAll, type Stage } from '../../src/translate/plan.ts';
import { hardwareFromEntities } from '../../src/translate/read-back.ts';
import { toProto } from '../../src/translate/updates.ts';

export function newAsic(ports = 8): { asic: Asic; facts: DriverFacts } {
  const asic = new Asic(makeConfig({ ports: defaultPorts(ports) }));
  return { asic, facts: driverFacts(asic.capabilities()) };
}

/** What hwsim holds now, read back through the contract's Read. */
export function installedOf(asic: Asic): HardwareState {
  return hardwareFromEntities(asic.read());
}

/**
 * Writes `stages` one update at a time (so every prefix of the list is checked), throwing at the
 * first update hwsim refuses. Returns the number of updates written.
 */
export function writeStages(asic: Asic, stages: Stage[]): number {
  let n = 0;
  for (const stage of stages) {
    for (const u of stage) {
      const [status] = asic.write([toProto(u)], false);
      if ((status!.code ?? Code.OK) !== Code.OK) {
        throw new Error(`update ${n} (${u.op} ${u.entity.kind} ${JSON.stringify(u.entity)}) failed: ${codeName(status!.code!)} ${status!.message}`);
      }
      n++;
    }
  }
  return n;
}

/** Plans from what hwsim holds to `desired`, writes it, and checks hwsim now equals `desired`. */
export function syncInto(asic: Asic, desired: HardwareState): number {
  const n = writeStages(asic, planAll(installedOf(asic), desired));
  const left = planAll(installedOf(asic), desired).flat();
  if (left.length) throw new Error(`after the sync hwsim still differs: ${left.slice(0, 5).map((u) => `${u.op} ${JSON.stringify(u.entity)}`).join('; ')}`);
  return n;
}
