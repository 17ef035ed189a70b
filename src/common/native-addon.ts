// Finds a native addon of this repository (native/NAME, built by `npm ci`), from src/ or from
// the bundle in dist/. Each addon has a JavaScript fallback or a warning: a machine where it did
// not build runs the same agent, slower or with a higher peak.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's exports, or null when it is not built. */
export function loadAddon<T>(dir: string, file: string): T | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const root of [join(here, '..', '..'), join(here, '..')]) {
    const p = join(root, 'native', dir, 'build', 'Release', file);
    if (existsSync(p)) return createRequire(import.meta.url)(p) as T;
  }
  return null;
}
