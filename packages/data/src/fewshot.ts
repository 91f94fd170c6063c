import { Rng, hashString } from '@hotplug/runtime';
import type { ImageDataset } from './types';
import { subset } from './dataset';
import { complement, indicesByClass } from './splits';

/** CoOp's protocol: these shot counts, each with these three seeds. */
export const COOP_SHOTS = [1, 2, 4, 8, 16] as const;
export const COOP_SEEDS = [1, 2, 3] as const;

export interface FewShotOptions {
  /** Images per class. */
  shots: number;
  seed: number;
  /** Number of classes (default: largest label + 1). */
  numClasses?: number;
  /** A class with fewer than `shots` images: 'error' (default) or 'all' (take what it has). */
  ifFewer?: 'error' | 'all';
}

/**
 * Indices of `shots` images per class, chosen by a per-class seeded permutation and sorted
 * by class then index. For one seed, smaller shot counts are prefixes of larger ones
 * (the 1-shot images are among the 2-shot images, and so on), as in nested CoOp runs.
 */
export function fewShotIndices(labels: ArrayLike<number>, options: FewShotOptions): Int32Array {
  const { shots, seed } = options;
  if (!Number.isInteger(shots) || shots < 1) throw new Error(`shots must be a positive integer, got ${shots}`);
  const root = new Rng(seed);
  const out: number[] = [];
  indicesByClass(labels, options.numClasses).forEach((members, c) => {
    const rng = root.fork(`shots-class-${c}`);
    if (members.length < shots && (options.ifFewer ?? 'error') === 'error') {
      throw new Error(`class ${c} has ${members.length} images, fewer than ${shots} shots; use fewer shots or ifFewer: 'all'`);
    }
    const order = rng.permutation(members.length);
    const picked = Array.from(order.subarray(0, Math.min(shots, members.length)), (p) => members[p]!).sort((a, b) => a - b);
    out.push(...picked);
  });
  return Int32Array.from(out);
}

/** A few-shot training set: `shots` images per class of `dataset`, seeded (see fewShotIndices). */
export function fewShotSplit(dataset: ImageDataset, options: Omit<FewShotOptions, 'numClasses'>): ImageDataset {
  const idx = fewShotIndices(dataset.labels, { ...options, numClasses: dataset.classNames.length });
  return subset(dataset, idx, `${dataset.split}-${options.shots}shot-seed${options.seed}`);
}

/** Few-shot train and validation indices drawn from one pool, disjoint. */
export interface CoopFewShotIndices {
  readonly train: Int32Array;
  /** min(shots, 4) per class from the images not in `train`, as CoOp samples its validation set. */
  readonly val: Int32Array;
}

/**
 * CoOp's sampling for datasets without a separate validation split: `shots` per class for
 * training, and min(shots, 4) more per class, disjoint from those, for validation.
 */
export function coopFewShotIndices(labels: ArrayLike<number>, options: Omit<FewShotOptions, 'ifFewer'>): CoopFewShotIndices {
  const train = fewShotIndices(labels, options);
  const rest = complement(labels.length, train);
  const restLabels = Int32Array.from(rest, (i) => labels[i]!);
  const numClasses = options.numClasses ?? indicesByClass(labels).length;
  const valLocal = fewShotIndices(restLabels, { shots: Math.min(options.shots, 4), seed: hashString(`val-${options.seed}`), numClasses });
  return { train, val: Int32Array.from(valLocal, (i) => rest[i]!) };
}
