#!/usr/bin/env node
// Builds this repository's native addons (native/*: malloc-tuning, route-scan), run by `npm ci`
// (postinstall). Each has a fallback in the agent (src/common/native-addon.ts), but the tests
// require them built: a failed build fails the install.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypRebuild } from './node-gyp-rebuild.mjs';

const native = join(fileURLToPath(new URL('..', import.meta.url)), 'native');
for (const name of readdirSync(native).sort()) {
  nodeGypRebuild(join(native, name), `${name} addon`);
  console.log(`${name} addon built: native/${name}/build/Release`);
}
