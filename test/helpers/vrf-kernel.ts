// Runs a command inside the VRF kernel rig (scripts/vrf-vm: Debian's kernel under qemu, the
// host's root read-only, this repository as the working folder) and gives its exit code and
// output. The guest is given `timeoutSec`; the host waits two minutes more for boot and teardown.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

export interface GuestResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function inVrfKernel(command: string[], timeoutSec = 400): Promise<GuestResult> {
  return new Promise((resolve) => {
    execFile(join(repo, 'scripts', 'vrf-vm'), command,
      { maxBuffer: 1 << 26, timeout: (timeoutSec + 120) * 1000, env: { ...process.env, VRF_VM_TIMEOUT: String(timeoutSec) } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
