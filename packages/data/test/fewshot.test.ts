import { describe, expect, it } from 'vitest';
import { COOP_SEEDS, COOP_SHOTS, classCounts, coopFewShotIndices, fewShotIndices, fewShotSplit, fewShotTask, loadDataset } from '../src/index';

describe('few-shot sampling', () => {
  const train = loadDataset('mnist', 'train');

  it('takes exactly k shots of every class, for every CoOp shot count and seed', () => {
    expect(COOP_SHOTS).toEqual([1, 2, 4, 8, 16]);
    expect(COOP_SEEDS).toEqual([1, 2, 3]);
    for (const shots of COOP_SHOTS) {
      for (const seed of COOP_SEEDS) {
        const ds = fewShotSplit(train, { shots, seed });
        expect(classCounts(ds)).toEqual(new Array(10).fill(shots));
        expect(ds.split).toBe(`train-${shots}shot-seed${seed}`);
        const idx = fewShotIndices(train.labels, { shots, seed });
        expect(new Set(idx).size).toBe(idx.length);
        idx.forEach((j, i) => {
          expect(train.labels[j]).toBe(ds.labels[i]);
        });
      }
    }
  });

  it('is deterministic per seed, differs across seeds, and nests smaller shot counts', () => {
    const a = fewShotIndices(train.labels, { shots: 8, seed: 1 });
    expect(Array.from(fewShotIndices(train.labels, { shots: 8, seed: 1 }))).toEqual(Array.from(a));
    expect(Array.from(fewShotIndices(train.labels, { shots: 8, seed: 2 }))).not.toEqual(Array.from(a));
    const four = new Set(fewShotIndices(train.labels, { shots: 4, seed: 1 }));
    const sixteen = new Set(fewShotIndices(train.labels, { shots: 16, seed: 1 }));
    for (const i of four) expect(a.includes(i)).toBe(true);
    for (const i of a) expect(sixteen.has(i)).toBe(true);
  });

  it('hand-worked small case: fewer images than shots is an error unless allowed', () => {
    const labels = [0, 1, 1, 0, 1];
    expect(() => fewShotIndices(labels, { shots: 3, seed: 0 })).toThrow(/class 0 has 2 images, fewer than 3 shots/);
    expect(Array.from(fewShotIndices(labels, { shots: 3, seed: 0, ifFewer: 'all' }))).toEqual([0, 3, 1, 2, 4]);
    expect(() => fewShotIndices(labels, { shots: 1, seed: 0, numClasses: 3 })).toThrow(/class 2 has 0 images/);
    expect(() => fewShotIndices(labels, { shots: 0, seed: 0 })).toThrow(/positive integer/);
  });

  it('adds a disjoint validation set of min(k, 4) per class, seeded', () => {
    for (const shots of [1, 16]) {
      const { train: t, val } = coopFewShotIndices(train.labels, { shots, seed: 2 });
      const v = Math.min(shots, 4);
      expect(classCounts({ labels: Int32Array.from(val, (i) => train.labels[i]!), classNames: train.classNames })).toEqual(new Array(10).fill(v));
      expect(Array.from(t)).toEqual(Array.from(fewShotIndices(train.labels, { shots, seed: 2 })));
      const inTrain = new Set(t);
      expect(Array.from(val).some((i) => inTrain.has(i))).toBe(false);
      expect(Array.from(coopFewShotIndices(train.labels, { shots, seed: 2 }).val)).toEqual(Array.from(val));
    }
  });

  it('builds a task: shots from train, validation, the whole test split for evaluation, zero-shot prompts', () => {
    const task = fewShotTask('mnist', { shots: 2, seed: 3 });
    expect(task.train.size).toBe(20);
    expect(task.val.size).toBe(20);
    expect(task.train.split).toBe('train-2shot-seed3');
    expect(task.test.size).toBe(loadDataset('mnist', 'test').size);
    expect(task.prompts.prompts).toHaveLength(10);
  });
});
