import { InputError, Rng } from '@hotplug/runtime';

/** A sample that cannot be drawn (more images than the split has, a negative count, bad labels). */
export class SamplingError extends InputError {
  override name = 'SamplingError';
}

/**
 * How many items each class contributes to a sample of `n` from classes of sizes `sizes`:
 * an equal share per class (a class smaller than its share gives all it has and the rest is
 * shared out again), then the remainder (fewer items than classes still open) spread in
 * proportion to the items each class has left, by largest remainder, ties to the lower class.
 */
export function stratifiedCounts(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!Number.isInteger(n) || n < 0) throw new SamplingError(`sample size must be a whole number >= 0, got ${n}`);
  if (n > total) throw new SamplingError(`cannot sample ${n} items from ${total}; ask for at most ${total} (or use the whole split)`);
  const take = sizes.map(() => 0);
  let left = n;
  let open = sizes.map((_, c) => c).filter((c) => sizes[c]! > 0);
  while (open.length > 0 && left >= open.length) {
    const share = Math.floor(left / open.length);
    for (const c of open) {
      const add = Math.min(share, sizes[c]! - take[c]!);
      take[c]! += add;
      left -= add;
    }
    open = open.filter((c) => take[c]! < sizes[c]!);
  }
  if (left > 0) {
    const avail = open.map((c) => sizes[c]! - take[c]!);
    const sum = avail.reduce((a, b) => a + b, 0);
    const quota = avail.map((a) => (left * a) / sum);
    const base = quota.map(Math.floor);
    let rest = left - base.reduce((a, b) => a + b, 0);
    const order = open.map((_, i) => i).sort((a, b) => quota[b]! - base[b]! - (quota[a]! - base[a]!) || a - b);
    for (const i of order) {
      if (rest === 0) break;
      base[i]!++;
      rest--;
    }
    open.forEach((c, i) => {
      take[c]! += base[i]!;
    });
  }
  return take;
}

/**
 * The benchmark's one test-image sampling policy: `n` indices into a split with these
 * labels, stratified by class (stratifiedCounts: equal share per class, proportional
 * remainder), the images of each class chosen by a seeded shuffle, returned in ascending
 * order (the split's own order). The same labels, n and seed always give the same indices;
 * test splits stored by class (MNIST's) still give every class. n = labels.length returns
 * every index.
 */
export function sampleTestIndices(labels: ArrayLike<number>, n: number, seed: number | string = 0): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0) throw new SamplingError(`label ${i} is ${l}; labels must be class indices (whole numbers >= 0)`);
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const counts = stratifiedCounts(
    classes.map((c) => byClass.get(c)!.length),
    n,
  );
  const out: number[] = [];
  classes.forEach((c, k) => {
    // One stream per class: a class's pick does not depend on how many images the others have.
    const members = new Rng(`test-sample/${seed}/${c}`).shuffle([...byClass.get(c)!]);
    for (let i = 0; i < counts[k]!; i++) out.push(members[i]!);
  });
  return Int32Array.from(out).sort();
}
