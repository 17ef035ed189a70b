#!/usr/bin/env node
// Bundles the two commands (vrfsync, hwsim) into dist/ with esbuild, run by `npm ci`
// (postinstall). Running TypeScript through tsx costs a loader thread (~37 MiB of RSS) and
// transpiling at every start; the bundle costs neither. bin/*.js use the bundle while it is
// newer than every source file and fall back to the sources through tsx otherwise, so an edit
// never runs stale code.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, root } from './bundle.mjs';

const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await bundle({ vrfsync: 'src/cli/vrfsync.ts', hwsim: 'hwsim/cli.ts' }, dist, { splitting: true, sourcemap: 'linked' });
writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
console.log('vrfsync: bundled dist/vrfsync.mjs and dist/hwsim.mjs');
