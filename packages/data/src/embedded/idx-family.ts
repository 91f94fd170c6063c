import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@hotplug/runtime';
import { idxPairToDataset, parseIdx, readMaybeGzip } from '../sources/idx';
import type { EmbeddedDataset } from './registry';

/** A split stored as a pair of IDX files, with the sha256 of their decompressed bytes. */
export interface IdxSplitFiles {
  images: { file: string; sha256: string };
  labels: { file: string; sha256: string };
}

/** Configuration of a dataset read from canonical IDX files (official split). */
export interface IdxFamilyConfig {
  name: string;
  description: string;
  classNames: readonly string[];
  /** Folder holding the files; `dirEnv` overrides it. */
  defaultDir: string;
  dirEnv: string;
  /** Debian package that installs the files, for the error message. */
  aptPackage: string;
  splits: Record<string, IdxSplitFiles>;
}

/** Factory for datasets that come as canonical IDX files with an official split (Fashion-MNIST). */
export function idxFamily(config: IdxFamilyConfig): EmbeddedDataset {
  const dir = () => process.env[config.dirEnv] || config.defaultDir;
  // Accept both the gzipped files Debian installs and decompressed copies.
  const locate = (file: string): string => {
    for (const candidate of [join(dir(), `${file}.gz`), join(dir(), file)]) if (existsSync(candidate)) return candidate;
    throw new Error(
      `${config.name}: ${file}(.gz) not found in ${dir()}. Install it with ` +
        `\`sudo apt-get install ${config.aptPackage}\` (Debian/Ubuntu; listed in tools/apt-packages.txt), ` +
        `or set ${config.dirEnv} to a folder holding the canonical IDX files.`,
    );
  };
  const readChecked = (entry: { file: string; sha256: string }): Uint8Array => {
    const path = locate(entry.file);
    const bytes = readMaybeGzip(path);
    const got = sha256(bytes);
    if (got !== entry.sha256) {
      throw new Error(`${config.name}: ${path} is corrupt or not the canonical file (sha256 of its contents ${got}, expected ${entry.sha256}); reinstall ${config.aptPackage}`);
    }
    return bytes;
  };
  return {
    name: config.name,
    description: config.description,
    classNames: config.classNames,
    splits: Object.keys(config.splits),
    splitProvenance: 'official split of the canonical IDX files',
    sourceId() {
      for (const s of Object.values(config.splits)) for (const e of [s.images, s.labels]) locate(e.file);
      return sha256(JSON.stringify(['idx', config.splits]));
    },
    build(split) {
      const files = config.splits[split];
      if (!files) throw new Error(`${config.name} has no split '${split}'; splits: ${Object.keys(config.splits).join(', ')}`);
      const images = parseIdx(readChecked(files.images), files.images.file);
      const labels = parseIdx(readChecked(files.labels), files.labels.file);
      return idxPairToDataset(images, labels, { name: config.name, split, classNames: config.classNames, images: files.images.file, labels: files.labels.file });
    },
  };
}
