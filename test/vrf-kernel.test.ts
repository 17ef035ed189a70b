// The kernel mirror in a real VRF kernel (the host kernel has none): VRF lifecycle, shared
// tables, ports moving between VRFs, VRF deletion with routes left in its table, recreation
// with another table, 200 VRFs created and deleted; the mirror equals the kernel after each.
// Then the agent over real VRFs (test/vrf/guest-agent.ts): hwsim and vrfsync run in the guest.
// Boots Debian's kernel under qemu with scripts/vrf-vm: under CI it must run.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inVrfKernel } from './helpers/vrf-kernel.ts';

describe('VRF kernel (qemu)', () => {
  // The guest runners bundled (tmp/vrf/): transpiling them in the emulated guest costs most of a minute.
  beforeAll(() => {
    execFileSync(process.execPath, [join(import.meta.dirname, 'acceptance', 'build-guest.mjs')], { stdio: 'inherit' });
  });

  it('keeps the mirror equal to a real VRF kernel through the VRF lifecycle', async () => {
    const r = await inVrfKernel(['node', 'tmp/vrf/guest-mirror.mjs']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('STEP '));
    expect(steps.length).toBe(8);
    for (const s of steps) expect(s).toMatch(/: ok$/);
    const summary = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('SUMMARY '))!.slice(8));
    expect(summary.vrfs).toEqual([
      { name: 'blue', ifindex: expect.any(Number), table: 20, members: [] },
      { name: 'red', ifindex: expect.any(Number), table: 30, members: ['a0'] },
    ]);
    const stats = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('STATS '))!.slice(6));
    expect(stats.malformed).toBe(0);
  }, 600_000);

  it('syncs real VRFs into hwsim with vrfsync run: hardware equal to the kernel and packets where the kernel sends them', async () => {
    const r = await inVrfKernel(['node', 'tmp/vrf/guest-agent.mjs']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('STEP '));
    expect(steps.length, r.stdout).toBe(8);
    for (const s of steps) expect(s).toMatch(/: ok$/);
    expect(r.stdout).toContain('DONE');
  }, 600_000);
});
