import type { ImageDataset } from '../types';

/** Where a dataset's files are read from: which source (an env variable, a package, a folder) and its folder. */
export interface DatasetLocation {
  readonly source: string;
  readonly dir: string;
}

/** One dataset that ships with (or installs alongside) the package. */
export interface EmbeddedDataset {
  readonly name: string;
  readonly description: string;
  readonly classNames: readonly string[];
  /** Split names this dataset has. */
  readonly splits: readonly string[];
  /** How the split is defined, for the README and for reports. */
  readonly splitProvenance: string;
  /** Identifies the exact source bytes and split definition of `split`; part of the cache key. Throws if the source is missing. */
  sourceId(split: string): string;
  /** Where the source files would be read from now; throws (DatasetNotFoundError) naming every place tried. */
  location?(): DatasetLocation;
  /** Parses the source (slow) and returns one split; verifies source checksums first. */
  build(split: string): ImageDataset;
}

const registry = new Map<string, EmbeddedDataset>();

/** Adds a dataset under its name (used by the built-in families; users may add their own). */
export function registerDataset(ds: EmbeddedDataset): void {
  if (registry.has(ds.name)) throw new Error(`dataset '${ds.name}' is already registered`);
  registry.set(ds.name, ds);
}

/** The registered dataset called `name`; the error lists the known names. */
export function getDataset(name: string): EmbeddedDataset {
  const ds = registry.get(name);
  if (!ds) throw new Error(`unknown dataset '${name}'; known: ${[...registry.keys()].join(', ')}`);
  return ds;
}

/** Names of every registered dataset. */
export function listDatasets(): string[] {
  return [...registry.keys()];
}
