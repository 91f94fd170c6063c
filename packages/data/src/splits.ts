import { Rng } from '@hotplug/runtime';

/** Indices of a train/held-out partition, each sorted ascending. */
export interface IndexSplit {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** Indices of each label, in ascending index order. */
export function indicesByClass(labels: ArrayLike<number>, numClasses?: number): number[][] {
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(l >= 0 && l < k)) throw new Error(`label ${l} at index ${i} is outside 0..${k - 1}`);
    byClass[l]!.push(i);
  }
  return byClass;
}

/**
 * A seeded, stratified partition: from each class, round(n_c * testFraction) images go to
 * `test`, chosen by a per-class permutation (`Rng(seed).fork(class)`), the rest to `train`.
 * The same labels and seed give the same split on every platform.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: { testFraction: number; seed: number }): IndexSplit {
  const { testFraction, seed } = options;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  const root = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  indicesByClass(labels).forEach((members, c) => {
    const order = root.fork(`class-${c}`).permutation(members.length);
    const nTest = Math.round(members.length * testFraction);
    order.forEach((p, rank) => {
      (rank < nTest ? test : train).push(members[p]!);
    });
  });
  const sorted = (xs: number[]) => Int32Array.from(xs).sort();
  return { train: sorted(train), test: sorted(test) };
}

/** The indices 0..size-1 that are not in `taken` (sorted). */
export function complement(size: number, taken: ArrayLike<number>): Int32Array {
  const mark = new Uint8Array(size);
  for (let i = 0; i < taken.length; i++) {
    const j = taken[i]!;
    if (!(j >= 0 && j < size)) throw new Error(`index ${j} is outside 0..${size - 1}`);
    mark[j] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (!mark[i]) out.push(i);
  return Int32Array.from(out);
}
