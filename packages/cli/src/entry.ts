import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether the module at `importMetaUrl` is the script node was started with (`node dist/index.js`,
 * or a bin link to it): an app's index.ts runs its CLI only then, so importing the app as a
 * library starts nothing. Links are resolved on both sides, since npm's bin entries are symlinks.
 */
export function isEntryPoint(importMetaUrl: string, argv: readonly string[] = process.argv): boolean {
  const script = argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    // A script path or module URL that does not exist on disk (e.g. `node -e`, a bundled data: URL).
    return false;
  }
}
