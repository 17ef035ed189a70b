// node-gyp rebuild of a native addon's directory against the headers of the running node (no
// download: the machine may have no network). Shared by the postinstall build scripts.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function nodeGypRebuild(dir, what) {
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..'), '/usr'].filter(Boolean);
  const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  if (!nodedir) {
    console.error(`${what}: no Node.js headers (include/node/node_api.h) under ${candidates.join(', ')}`);
    process.exit(1);
  }
  execFileSync(process.execPath, [nodeGyp, 'rebuild', '--loglevel=warn', `--nodedir=${nodedir}`], { cwd: dir, stdio: 'inherit' });
}
