// The acceptance suite on a real VRF kernel: one guest boot (scripts/vrf-vm) runs every
// scenario of test/acceptance/scenarios against one hwsim and one `vrfsync run`
// (test/acceptance/guest.ts, bundled); each scenario is reported here as its own test, and a failure
// names its step and what differed. `npm run test:vrf -- NAME` runs one scenario alone.
// Under CI nothing skips: no qemu, no kernel or no FRR is a failure.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inVrfKernel, type GuestResult } from '../helpers/vrf-kernel.ts';
import { SCENARIOS } from './scenarios/index.ts';

/** The guest's lines of one scenario: its steps and its end. */
function report(stdout: string, name: string): { steps: { step: string; ok: boolean; detail: string }[]; end: string | undefined } {
  const lines = stdout.split('\n').map((l) => l.split('\t'));
  const steps = lines.filter((f) => f[0] === 'STEP' && f[1] === name).map((f) => ({ step: f[2]!, ok: f[3] === 'ok', detail: f[4] ?? '' }));
  const end = lines.find((f) => f[0] === 'SCENARIO' && f[1] === name && f[2] !== 'start')?.[2];
  return { steps, end };
}

describe('acceptance scenarios in a VRF kernel (qemu)', () => {
  let guest: GuestResult;
  beforeAll(async () => {
    // The runner bundled (tmp/acceptance/guest.mjs): transpiling it in the guest costs a minute.
    execFileSync(process.execPath, [join(import.meta.dirname, 'build-guest.mjs')], { stdio: 'inherit' });
    guest = await inVrfKernel(['node', 'tmp/acceptance/guest.mjs'], 1200);
  }, 1_400_000);

  it('ran every scenario to the end', () => {
    expect(guest.stdout, guest.stderr.slice(-4000)).toMatch(new RegExp(`^DONE\\t\\d+/${SCENARIOS.length}$`, 'm'));
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (name, scenario) => {
    const r = report(guest.stdout, name);
    // What the guest printed about a failed step (the agent's log lines, the scenario's debug
    // commands) goes to this test's output: the assertion alone does not say why.
    if (r.steps.some((s) => !s.ok)) {
      const said = guest.stdout.split('\n').filter((l) => /^(AGENT|DEBUG)\t/.test(l) && l.split('\t')[1] === name);
      if (said.length) console.log(said.join('\n'));
    }
    for (const s of r.steps) expect.soft(s.ok, `${name}: step "${s.step}": ${s.detail}`).toBe(true);
    // Every step reported (a failed reset before the first is reported too, as "(reset)").
    expect(r.steps.map((s) => s.step).filter((s) => s !== '(reset)'), guest.stderr.slice(-2000)).toEqual(scenario.steps.map((s) => s.name));
    expect(r.end).toBe('ok');
  });

  it('exited 0', () => {
    expect(guest.code, guest.stderr.slice(-4000)).toBe(0);
  });
});
