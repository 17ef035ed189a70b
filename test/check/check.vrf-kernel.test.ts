// The check over real Linux VRFs (the host kernel has none): the kernel looked up in each VRF
// through its device (RTA_OIF), three VRFs with one prefix each, a leak, reject routes; then a
// route of VRF red deleted in hardware, which red's default route (leaking to swp3) forwards.
// Boots Debian's kernel under qemu with scripts/vrf-vm (test/check/guest-check.ts inside, bundled).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inVrfKernel } from '../helpers/vrf-kernel.ts';
import type { CheckReport } from '../../src/check/check.ts';

describe('vrfsync check in a VRF kernel (qemu)', () => {
  // The guest runner bundled (tmp/check/): transpiling it in the emulated guest costs most of a minute.
  beforeAll(() => {
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'acceptance', 'build-guest.mjs')], { stdio: 'inherit' });
  });

  it('probes each VRF in its own table and finds a route missing in one', async () => {
    const r = await inVrfKernel(['node', 'tmp/check/guest-check.mjs']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('DONE');
    const reports = new Map(r.stdout.split('\n').filter((l) => l.startsWith('CHECK ')).map((l) => {
      const [, name, json] = /^CHECK (\S+) (.*)$/.exec(l)!;
      return [name!, JSON.parse(json!) as CheckReport];
    }));
    expect(reports.get('clean')).toMatchObject({ consistent: true, mismatches: [], forwardingChecked: true });
    // Three VRFs: 200 random probes each, and three per route.
    expect(reports.get('clean')!.checked.probes).toBeGreaterThan(600);

    const deleted = reports.get('deleted')!;
    expect(deleted.consistent).toBe(false);
    expect(deleted.mismatches.filter((m) => m.kind !== 'forwarding')).toEqual([
      { kind: 'missing', vrf: 'red', key: '10.2.0.0/16', kernel: expect.stringMatching(/^nexthop \d+$/), hardware: null },
    ]);
    const fwd = deleted.mismatches.filter((m) => m.kind === 'forwarding');
    expect(fwd.length).toBeGreaterThanOrEqual(3);
    for (const m of fwd) {
      expect(m.vrf).toBe('red');
      expect(m.key).toMatch(/^10\.2\./);
      expect(m.kernel).toEqual({ type: 'unicast', prefix: '10.2.0.0/16', table: 10, nexthops: [{ dev: 'swp1', via: '192.168.1.2', mac: '02:aa:00:00:00:01' }] });
      expect(m.hardware).toMatchObject({ action: 'forward', prefix: '0.0.0.0/0', interface: 'swp3', nexthop: '192.168.3.2' });
    }
    // --vrf red: the same mismatches (other random probes: they are drawn for red alone).
    const red = reports.get('deleted-red')!;
    expect(red.mismatches.filter((m) => m.kind !== 'forwarding')).toEqual(deleted.mismatches.filter((m) => m.kind !== 'forwarding'));
    expect(red.mismatches.filter((m) => m.kind === 'forwarding').map((m) => m.key)).toEqual(expect.arrayContaining(['10.2.0.0', '10.2.255.255']));
    expect(red.mismatches.every((m) => m.vrf === 'red' && m.key.startsWith('10.2.'))).toBe(true);
    expect(red.checked.probes).toBeLessThan(deleted.checked.probes);
    expect(reports.get('deleted-blue')).toMatchObject({ consistent: true, mismatches: [] });
  }, 600_000);
});
