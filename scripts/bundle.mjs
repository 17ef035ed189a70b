// One esbuild bundle of this repository's TypeScript for Node (ESM, node_modules left external),
// with the dump worker copied beside it: it is loaded by URL next to the code that starts it.
// Shared by scripts/build.mjs (dist/) and test/acceptance/build-guest.mjs (the VRF-kernel runners).
import { build } from 'esbuild';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');

export async function bundle(entryPoints, outdir, extra = {}) {
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    ...extra,
  });
  copyFileSync(join(root, 'src', 'netlink', 'dump-thread.mjs'), join(outdir, 'dump-thread.mjs'));
}
