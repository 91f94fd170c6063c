import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, type Clip, type Tokenizer } from '@hotplug/backbones';
import type { ImageRetrievalData, MultiLabelData } from '@hotplug/data';
import { averagePrecision, featureMatrix, type FeatureMatrix } from '@hotplug/heads';
import {
  evaluateTask,
  marginInterval,
  meanAveragePrecision,
  resampledMarginInterval,
  taskVerdicts,
  type TaskModuleEvaluation,
  type TaskPart,
  type TaskSystem,
} from '../src/index';

let clip: Clip;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await initBackend();
  tokenizer = buildTokenizer(['a scene.'], { contextLength: 8, vocabSize: 600 });
  const config = configForTokenizer(
    resolveConfig({
      base: 'hotplug-old',
      name: 'tiny',
      embedDim: 2,
      vision: { imageSize: 4, patchSize: 2, width: 8, depth: 1, heads: 2 },
      text: { width: 8, depth: 1, heads: 2, contextLength: 8 },
    }),
    tokenizer,
  );
  clip = createClip(config, { seed: 1 });
});

const unit = (rows: number[][], id: string): FeatureMatrix => {
  const data = new Float32Array(
    rows.flatMap((r) => {
      const n = Math.hypot(...r);
      return r.map((v) => v / n);
    }),
  );
  return featureMatrix(data, rows.length, rows[0]!.length, id);
};

/** A system whose features are given per task part (the features an encoder would compute). */
const fixed = (id: string, parts: Partial<Record<TaskPart, number[][]>>): TaskSystem => ({
  id,
  features: async (part) => unit(parts[part]!, id),
});

const batch = (size: number) => ({ size, height: 4, width: 4, channels: 1, images: new Uint8Array(size * 16) });

describe('image→image retrieval (hand-worked, 3 items)', () => {
  it('recall@1 is the share of queries whose nearest gallery image is their own; the verdict pairs queries', async () => {
    const data: ImageRetrievalData = {
      kind: 'image-retrieval',
      task: 'toy-retrieval',
      gallery: batch(3),
      queries: batch(3),
      targets: Int32Array.of(0, 1, 2),
      galleryScenes: [],
      queryScenes: [],
    };
    // Gallery directions 0°, 90°, 180°.
    const gallery = [
      [1, 0],
      [0, 1],
      [-1, 0],
    ];
    // old: every query nearest its own item. upgraded: query 1 at 170° lands on item 2 (a miss).
    const old = fixed('old', {
      gallery,
      queries: [
        [1, 0.1],
        [0.1, 1],
        [-1, 0.1],
      ],
    });
    const upgraded = fixed('up', {
      gallery: [
        [0, 1],
        [1, 0],
        [0, -1],
      ],
      queries: [
        [1, 0.2],
        [-1, 0.17],
        [-1, -0.1],
      ],
    });
    const [e] = await evaluateTask(data, { system: 'old', model: { id: 'old', clip, tokenizer } }, [old, upgraded]);
    expect(e!.metric).toBe('recall@1');
    expect(e!.systems[0]!.value).toBeCloseTo(1, 10);
    // The upgraded queries are searched in the OLD gallery (its own gallery features are not used).
    expect(e!.systems[1]!.perItem).toEqual([1, 0, 1]);
    expect(e!.systems[1]!.value).toBeCloseTo(2 / 3, 10);
    const [v] = taskVerdicts([e!], { resamples: 200 });
    expect(v!.verdict.margin).toBeCloseTo(-1 / 3, 10);
    // Per-item differences are 0, −1, 0: every resample's mean lies in [−1, 0].
    expect(v!.verdict.interval!.low).toBeGreaterThanOrEqual(-1);
    expect(v!.verdict.interval!.high).toBeLessThanOrEqual(0);
    // The same interval as pairing the per-item hits directly (the row's seed names task, module, metric and systems).
    const direct = marginInterval([{ old: [1, 1, 1], upgraded: [1, 0, 1] }], { resamples: 200, seed: '0/task/toy-retrieval/retrieval/recall@1/old/up' });
    expect([v!.verdict.interval!.low, v!.verdict.interval!.high]).toEqual([direct.low, direct.high]);
    expect(v!.verdict.verdict).toBe(direct.high < 0 ? 'not compatible' : 'inconclusive');
  });

  it('a system of another width cannot run', async () => {
    const data: ImageRetrievalData = {
      kind: 'image-retrieval',
      task: 't',
      gallery: batch(2),
      queries: batch(2),
      targets: Int32Array.of(0, 1),
      galleryScenes: [],
      queryScenes: [],
    };
    const old = fixed('old', {
      gallery: [
        [1, 0],
        [0, 1],
      ],
      queries: [
        [1, 0],
        [0, 1],
      ],
    });
    const wide = fixed('wide', {
      queries: [
        [1, 0, 0],
        [0, 1, 0],
      ],
    });
    const [e] = await evaluateTask(data, { system: 'old', model: { id: 'old', clip, tokenizer } }, [old, wide]);
    expect(e!.systems[1]!.value).toBeNull();
    expect(e!.systems[1]!.reason).toMatch(/3-d features.*2-d/);
    expect(taskVerdicts([e!])[0]!.verdict.verdict).toBe('cannot run');
  });
});

describe('class-wise mAP (hand-worked, 2 classes, 4 items)', () => {
  // Class 0: targets 1,0,1,0, ranked 0,1,2,3: hits at ranks 1 and 3, AP = (1 + 2/3) / 2.
  // Class 1: targets 0,1,0,1, ranked 1,2,0,3: hits at ranks 1 and 4, AP = (1 + 2/4) / 2.
  const s = { rows: 4, classes: 2, scores: [0.9, 0.2, 0.8, 0.6, 0.3, 0.4, 0.1, 0.1], targets: [1, 0, 0, 1, 1, 0, 0, 1] };
  it('is the mean of the per-class APs', () => {
    expect(meanAveragePrecision(s)).toBeCloseTo(((1 + 2 / 3) / 2 + (1 + 2 / 4) / 2) / 2, 12);
  });
  it('counts a weight-w item as w adjacent copies (a bootstrap resample)', () => {
    // Items 0,0,2,3 drawn. Class 0 ranks 0,0,2,3 (hits 1,2,3 of 4) -> AP 1; class 1 ranks 2,0,0,3 -> hit at rank 4 -> AP 1/4.
    expect(meanAveragePrecision(s, undefined, [2, 0, 1, 1])).toBeCloseTo((1 + 0.25) / 2, 12);
    // The same by expanding the copies and ranking them with @hotplug/heads' averagePrecision.
    expect((averagePrecision([true, true, true, false]) + averagePrecision([false, false, false, true])) / 2).toBeCloseTo((1 + 0.25) / 2, 12);
  });
  it('a class without positives is left out of the mean', () => {
    expect(meanAveragePrecision({ rows: 2, classes: 2, scores: [1, 0, 0, 1], targets: [1, 0, 0, 0] })).toBe(1);
  });
});

describe('multi-label evaluation', () => {
  it('zero-shot scores are image·class similarities of the old text encoder, mAP per module, verdicts by resampling items', async () => {
    const n = 8;
    const data: MultiLabelData = {
      kind: 'multi-label',
      task: 'toy-presence',
      name: 'toy-presence',
      split: 'test',
      ...batch(n),
      classNames: ['a', 'b'],
      targets: Uint8Array.from({ length: n * 2 }, (_, i) => ((i >> 1) + (i & 1)) % 2),
      prompts: { classNames: ['a', 'b'], templates: ['a {}.'], prompts: [['a scene.'], ['a a.']] },
      // Object counts 1 and 2 alternate: the stratified halves take 2 of each.
      scenes: Array.from({ length: n }, (_, i) => ({ objects: Array.from({ length: 1 + (i % 2) }) })) as unknown as MultiLabelData['scenes'],
    };
    const rows = Array.from({ length: n }, (_, i) => [Math.cos(i), Math.sin(i)]);
    const old = fixed('old', { images: rows });
    const same = fixed('same', { images: rows });
    const evals = await evaluateTask(data, { system: 'old', model: { id: 'old', clip, tokenizer } }, [old, same], { probe: { epochs: 5 } });
    expect(evals.map((e) => e.module)).toEqual(['linear-probe', 'zero-shot']);
    for (const e of evals) {
      expect(e.items).toBe(4);
      expect(e.systems[1]!.value).toBe(e.systems[0]!.value);
      expect(e.systems[0]!.value).toBeCloseTo(meanAveragePrecision({ rows: 4, classes: 2, scores: e.systems[0]!.scores!, targets: e.targets! }), 12);
    }
    // Identical features: margin 0 on every resample, so the interval is [0, 0]: inconclusive.
    for (const v of taskVerdicts(evals, { resamples: 50 })) {
      expect(v.verdict.margin).toBe(0);
      expect([v.verdict.interval!.low, v.verdict.interval!.high]).toEqual([0, 0]);
      expect(v.verdict.verdict).toBe('inconclusive');
    }
  });
});

describe('resampledMarginInterval', () => {
  it('for a mean of per-item differences it equals marginInterval (same draws, same percentiles)', () => {
    const old = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
    const up = [1, 1, 1, 1, 1, 1, 0, 1, 1, 1];
    const mean = (items: Int32Array | null) => {
      const idx = items ?? Int32Array.from(old, (_, i) => i);
      let s = 0;
      for (const i of idx) s += up[i]! - old[i]!;
      return s / idx.length;
    };
    const a = resampledMarginInterval(old.length, mean, { resamples: 300, seed: 'x' });
    const b = marginInterval([{ old, upgraded: up }], { resamples: 300, seed: 'x' });
    expect(a.margin).toBeCloseTo(b.margin, 12);
    expect(a.low).toBeCloseTo(b.low, 12);
    expect(a.high).toBeCloseTo(b.high, 12);
  });
  it('with several training runs it draws the runs first, as marginInterval does', () => {
    const old = [1, 0, 1, 1, 0, 1];
    const ups = [
      [1, 1, 1, 0, 1, 1],
      [0, 1, 1, 1, 1, 0],
    ];
    const runMean = (k: number, items: Int32Array) => {
      let s = 0;
      for (const i of items) s += ups[k]![i]! - old[i]!;
      return s / items.length;
    };
    const all = Int32Array.from(old, (_, i) => i);
    const a = resampledMarginInterval(
      old.length,
      (items, runs) => {
        const picked = runs ? Array.from(runs) : [0, 1];
        return picked.reduce((acc, k) => acc + runMean(k, items ?? all), 0) / picked.length;
      },
      { resamples: 300, seed: 'y', runs: 2 },
    );
    const b = marginInterval(
      ups.map((u) => ({ old, upgraded: u })),
      { resamples: 300, seed: 'y' },
    );
    expect([a.margin, a.low, a.high, a.runs]).toEqual([b.margin, b.low, b.high, b.runs].map((v, i) => (i < 3 ? expect.closeTo(v as number, 12) : v)));
  });

  it('rejects bad arguments with a named error', () => {
    expect(() => resampledMarginInterval(0, () => 0)).toThrow(/at least one test item/);
    expect(() => resampledMarginInterval(3, () => NaN)).toThrow(/undefined/);
  });
});

describe('taskVerdicts', () => {
  it('pools replicates (adapter seeds) into one row: mean figure, the runs resampled like the grid verdicts', () => {
    const e: TaskModuleEvaluation = {
      task: 't',
      kind: 'classification',
      module: 'linear-probe',
      metric: 'accuracy',
      reference: 'old',
      items: 4,
      chance: 0.5,
      systems: [
        { system: 'old', value: 0.5, perItem: [1, 0, 1, 0] },
        { system: 'a', value: 0.75, perItem: [1, 1, 1, 0] },
        { system: 'a-seed1', value: 1, perItem: [1, 1, 1, 1] },
      ],
    };
    const rows = taskVerdicts([e], { resamples: 100 }, { a: ['a-seed1'] });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.replicates).toEqual(['a', 'a-seed1']);
    expect(rows[0]!.upgradedOld).toBeCloseTo(0.875, 12);
    const direct = marginInterval(
      [
        { old: [1, 0, 1, 0], upgraded: [1, 1, 1, 0] },
        { old: [1, 0, 1, 0], upgraded: [1, 1, 1, 1] },
      ],
      { resamples: 100, seed: '0/task/t/linear-probe/accuracy/old/a' },
    );
    expect(rows[0]!.verdict.interval).toEqual({ low: direct.low, high: direct.high, level: 0.95 });
    expect(() => taskVerdicts([e], {}, { a: ['a-seed2'] })).toThrow(/replicate "a-seed2" of "a" was not evaluated/);
  });
});

// Keeps the evaluation JSON-shaped: a cache stores it as it is.
it('an evaluation survives a JSON round trip', async () => {
  const data: ImageRetrievalData = {
    kind: 'image-retrieval',
    task: 't',
    gallery: batch(2),
    queries: batch(2),
    targets: Int32Array.of(0, 1),
    galleryScenes: [],
    queryScenes: [],
  };
  const old = fixed('old', {
    gallery: [
      [1, 0],
      [0, 1],
    ],
    queries: [
      [1, 0],
      [0, 1],
    ],
  });
  const evals = await evaluateTask(data, { system: 'old', model: { id: 'old', clip, tokenizer } }, [old]);
  expect(JSON.parse(JSON.stringify(evals)) as TaskModuleEvaluation[]).toEqual(evals);
});
