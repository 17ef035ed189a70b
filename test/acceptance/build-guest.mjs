#!/usr/bin/env node
// Bundles the runners that run inside the VRF kernel (scripts/vrf-vm) into tmp/ with esbuild:
// through tsx, the guest (emulated, no KVM) spends up to a minute transpiling before a runner
// starts. Each bundle sits two folders below the repository, as its source does, so its paths
// to bin/ and node_modules resolve the same; the dump worker it loads by URL is copied next to it.
//   test/acceptance/guest.ts  -> tmp/acceptance/guest.mjs  (the acceptance scenarios)
//   test/vrf/guest-mirror.ts  -> tmp/vrf/guest-mirror.mjs
//   test/vrf/guest-agent.ts   -> tmp/vrf/guest-agent.mjs
//   test/check/guest-check.ts -> tmp/check/guest-check.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, root } from '../../scripts/bundle.mjs';

const GUESTS = {
  acceptance: { guest: 'test/acceptance/guest.ts' },
  vrf: { 'guest-mirror': 'test/vrf/guest-mirror.ts', 'guest-agent': 'test/vrf/guest-agent.ts' },
  check: { 'guest-check': 'test/check/guest-check.ts' },
};
for (const [folder, entryPoints] of Object.entries(GUESTS)) {
  const out = join(root, 'tmp', folder);
  mkdirSync(out, { recursive: true });
  await bundle(entryPoints, out);
}
