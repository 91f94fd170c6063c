import { DimensionMismatchError } from './errors';
import { l2NormalizeRows, toFeatureMatrix, type FeatureInput, type FeatureMatrix } from './features';
import type { HeadInfo } from './head';

/** Converts features for use by a fitted head: checks it is fitted, checks the dimension, normalises. */
export function inputFor(info: HeadInfo | undefined, what: string, features: FeatureInput): FeatureMatrix {
  if (!info) throw new Error(`${what} is not fitted: call fit(features, labels) or load a saved one first`);
  const m = toFeatureMatrix(features);
  if (m.dim !== info.dim) throw new DimensionMismatchError(what, info.dim, m.dim, info.modelId, m.modelId);
  return info.normalize ? l2NormalizeRows(m) : m;
}

/** Number of classes from labels, or the given count after checking the labels fit in it. */
export function classCount(labels: Int32Array, given: number | undefined): number {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  if (given === undefined) return max + 1;
  if (max >= given) throw new Error(`label ${max} does not fit numClasses=${given}: raise numClasses or fix the labels`);
  return given;
}

/** Checks that an option is a positive integer, with a message naming it. */
export function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`option ${name} must be a positive integer, got ${v}`);
  return v;
}

/** Checks that an option is a finite positive number. */
export function positiveNumber(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`option ${name} must be a positive number, got ${v}`);
  return v;
}
