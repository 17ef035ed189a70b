// Starts a command from dist/ (bundled by scripts/build.mjs at install) when the bundle is
// newer than every source file, else from the TypeScript sources through tsx: an edited tree
// never runs stale code, an installed one runs without a transpiler.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const SOURCES = ['src', 'hwsim', 'drivers'];

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|js|mjs)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export async function launch(bundle, source) {
  const built = join(root, 'dist', 'BUILT');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= Math.max(...SOURCES.map((d) => newestSource(join(root, d))));
  if (fresh && !process.env.VRFSYNC_FROM_SOURCE) {
    await import(pathToFileURL(join(root, 'dist', bundle)).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(join(root, source)).href);
  }
}
