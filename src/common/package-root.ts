// This package's folder, found from the running file: the same answer from the TypeScript
// sources (src/...) and from the bundle built from them (dist/...).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vrfsync') return dir;
    if (dirname(dir) === dir) throw new Error(`no vrfsync package.json above ${from}`);
  }
}
