#!/usr/bin/env node
// Bundles the acceptance runner (test/acceptance/guest.ts) into tmp/acceptance/guest.mjs with
// esbuild, for the VRF kernel: through tsx, the guest (emulated, no KVM) spends a minute
// transpiling before the first scenario. The bundle sits two folders below the repository, as
// guest.ts does, so its paths to bin/ and node_modules resolve the same; the dump worker it
// loads by URL is copied next to it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const out = join(root, 'tmp', 'acceptance');
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { guest: 'test/acceptance/guest.ts' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
copyFileSync(join(root, 'src', 'netlink', 'dump-thread.mjs'), join(out, 'dump-thread.mjs'));
