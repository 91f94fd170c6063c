import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder of @hotplug/data's package.json, found from this module (works from src/ and dist/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@hotplug/data') {
      root = dir;
      return root;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the @hotplug/data package folder above this module');
    dir = up;
  }
}
