#!/usr/bin/env node
// Bundles the two commands (vrfsync, hwsim) into dist/ with esbuild, run by `npm ci`
// (postinstall). Running TypeScript through tsx costs a loader thread (~37 MiB of RSS) and
// transpiling at every start; the bundle costs neither. bin/*.js use the bundle while it is
// newer than every source file and fall back to the sources through tsx otherwise, so an edit
// never runs stale code.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  absWorkingDir: root,
  entryPoints: { vrfsync: 'src/cli/vrfsync.ts', hwsim: 'hwsim/cli.ts' },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
// The dump worker is loaded by URL next to the code that starts it: plain JavaScript, copied.
copyFileSync(join(root, 'src', 'netlink', 'dump-thread.mjs'), join(dist, 'dump-thread.mjs'));
writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
console.log('vrfsync: bundled dist/vrfsync.mjs and dist/hwsim.mjs');
