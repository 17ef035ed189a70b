#!/usr/bin/env node
// Builds native/malloc-tuning (mallopt for the agent: src/common/malloc-tuning.ts says why),
// run by `npm ci` (postinstall).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypRebuild } from './node-gyp-rebuild.mjs';

const dir = join(fileURLToPath(new URL('..', import.meta.url)), 'native', 'malloc-tuning');
nodeGypRebuild(dir, 'malloc-tuning addon');
console.log('malloc-tuning addon built: native/malloc-tuning/build/Release/malloc_tuning.node');
