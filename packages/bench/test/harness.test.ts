import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { cellKey, gridSize, markdownReport, matrices, runExperiment, stableStringify, validateSpec, type ExperimentReport } from '../src/index';
import { smallSpec } from './spec-fixture';
import { world } from './world';

const quiet = { progress: false as const };

function cell(report: ExperimentReport, task: string, method: string, query: string, reference: string, seed: number | null = 1) {
  return report.cells.find((c) => c.task === task && c.method === method && c.query === query && c.reference === reference && c.seed === seed);
}

describe('cell keys', () => {
  it('do not depend on key order and change with any value', () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(cellKey({ a: 1, b: 2 })).toBe(cellKey({ b: 2, a: 1 }));
    expect(cellKey({ a: 1, b: 2 })).not.toBe(cellKey({ a: 1, b: 3 }));
  });
});

describe('experiment harness', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  let first: ExperimentReport;

  it('runs the whole grid with real steps and heads', async () => {
    const { steps, calls } = world();
    const spec = smallSpec();
    first = await runExperiment(spec, steps, { cacheDir, ...quiet });
    expect(first.cells).toHaveLength(gridSize(spec));
    // Per dataset: linear 9 pairs × 2 seeds, kNN (deterministic) 9 once, centroid 2 shots × 9 × 2 seeds, retrieval 9.
    expect(gridSize(spec)).toBe(9 * (2 + 1 + 2 * 2 + 1));
    // 3 systems × 2 splits, plus the adapter's base (new) features which are shared.
    expect(calls.extract).toBe(4);
    expect(calls.adapt).toBe(2);
    expect(first.stats.headsTrained).toBe(3 * 2 + 3); // linear per seed, kNN once
    expect(calls.learnerTrain).toBe(3 * 2 * 2);
    expect(first.stats.cellsCached).toBe(0);

    // A 12-dim old head cannot take 20-dim new features; the adapter makes them fit.
    const raw = cell(first, 'head', 'linear', 'new', 'old')!;
    expect(raw.status).toBe('incompatible');
    expect(raw.reason).toMatch(/12-dim features .* 20-dim/);
    expect(cell(first, 'head', 'linear', 'new+proj', 'old')!.status).toBe('ok');
    expect(cell(first, 'retrieval', 'retrieval', 'new', 'old', null)!.status).toBe('incompatible');

    // The synthetic new model sees less noise: retraining on it beats the old system, and the
    // adapted new model, plugged into the old head, beats the old model in the old head.
    const oldOld = cell(first, 'head', 'linear', 'old', 'old')!.metrics.accuracy!;
    expect(cell(first, 'head', 'linear', 'new', 'new')!.metrics.accuracy!).toBeGreaterThan(oldOld);
    // One verdict per module and upgrade, pooling the two seeds of the linear head.
    const verdict = first.verdicts.find((v) => v.task === 'head' && v.method === 'linear' && v.upgraded === 'new+proj')!;
    expect(first.verdicts.filter((v) => v.task === 'head' && v.method === 'linear' && v.upgraded === 'new+proj')).toHaveLength(1);
    expect(verdict.seeds).toEqual([1, 2]);
    expect(verdict.randomRuns).toBe(2);
    expect(verdict.items).toBe(100);
    const seed1 = verdict.runs.find((r) => r.seed === 1)!;
    expect(seed1.oldOld).toBe(oldOld);
    expect(seed1.upgradedOld).toBe(cell(first, 'head', 'linear', 'new+proj', 'old')!.metrics.accuracy);
    const both = (q: string) => [1, 2].map((s) => cell(first, 'head', 'linear', q, 'old', s)!.metrics.accuracy!);
    expect(verdict.oldOld).toBeCloseTo((both('old')[0]! + both('old')[1]!) / 2, 12);
    expect(verdict.verdict.margin).toBeCloseTo(verdict.upgradedOld! - verdict.oldOld, 12);
    const { low, high } = verdict.verdict.interval!;
    expect(low).toBeLessThan(verdict.verdict.margin);
    expect(high).toBeGreaterThan(verdict.verdict.margin);
    // kNN is deterministic: one measurement, no seeds.
    const knn = first.verdicts.find((v) => v.method === 'knn' && v.upgraded === 'new+proj')!;
    expect([knn.seeds, knn.randomRuns, knn.runs.length, knn.runs[0]!.seed]).toEqual([[], 0, 1, null]);
    for (const v of first.verdicts) {
      // Raw new features cannot enter 12-dim old modules; adapted ones can and score higher than old
      // everywhere, but on 100 test items only the large margins are clear of 0: a +4-point top-1
      // gain or a +2-point 1-shot gain is inconclusive.
      const clear = v.task === 'head' || v.metric === 'mAP';
      const what = `${v.method} ${v.shots ?? ''} ${v.metric} ${v.upgraded}`;
      if (v.upgraded === 'new') {
        expect(v.verdict.verdict, what).toBe('cannot run');
        expect(v.upgradedOld).toBeNull();
      } else {
        expect(v.upgradedOld!, what).toBeGreaterThan(v.oldOld);
        const { low: lo, high: hi } = v.verdict.interval!;
        expect(v.verdict.verdict, what).toBe(lo > 0 ? 'compatible' : hi < 0 ? 'not compatible' : 'inconclusive');
        if (clear) expect(v.verdict.verdict, what).toBe('compatible');
      }
    }
    expect(first.verdicts.find((v) => v.metric === 'top1' && v.upgraded === 'new+proj')!.verdict.verdict).toBe('inconclusive');
    expect(first.verdicts.find((v) => v.method === 'centroid' && v.shots === 1 && v.upgraded === 'new+proj')!.verdict.verdict).toBe('inconclusive');
    const flips = first.flips.filter((f) => f.method === 'linear' && f.seed === 1);
    expect(flips.map((f) => `${f.upgraded}/${f.mode}`).sort()).toEqual(['new+proj/hot-plug', 'new/retrained']);
    // The flip counts agree with the stored per-cell accuracies: new correct = old correct − negative + positive.
    for (const f of flips) {
      const up = cell(first, 'head', 'linear', f.upgraded, f.mode === 'hot-plug' ? 'old' : f.upgraded)!.metrics.accuracy!;
      expect((f.oldCorrect - f.negativeFlips + f.positiveFlips) / f.samples).toBeCloseTo(up, 12);
      expect(f.oldCorrect / f.samples).toBeCloseTo(oldOld, 12);
    }
    expect(first.cells.every((c) => typeof c.config === 'object' && c.key === cellKey(c.config))).toBe(true);
  });

  it('a rerun trains and extracts nothing and gives the same report', async () => {
    const { steps, calls } = world();
    const again = await runExperiment(smallSpec(), steps, { cacheDir, ...quiet });
    expect(calls).toEqual({ extract: 0, adapt: 0, learnerTrain: 0, learnerEval: 0 });
    expect(again.stats).toMatchObject({ headsTrained: 0, featuresExtracted: 0, learnersTrained: 0, cellsComputed: 0, cellsCached: first.cells.length });
    expect(again.cells).toEqual(first.cells);
    expect(again.verdicts).toEqual(first.verdicts);
    expect(again.flips).toEqual(first.flips);
  });

  it('changing one head recomputes only that head, from cached features', async () => {
    const { steps, calls } = world();
    const spec = smallSpec();
    spec.heads![0]!.options = { epochs: 10 };
    const r = await runExperiment(spec, steps, { cacheDir, ...quiet });
    expect(calls.extract + calls.adapt + calls.learnerTrain).toBe(0);
    expect(r.stats.headsTrained).toBe(3 * 2);
    expect(r.stats.cellsComputed).toBe(9 * 2);
  });

  it('a new model version recomputes what depends on it and nothing else', async () => {
    const { steps, calls } = world({ old: 'v2' });
    const r = await runExperiment(smallSpec(), steps, { cacheDir, ...quiet });
    expect(calls.extract).toBe(2); // old train + test; new's features are cached
    expect(calls.adapt).toBe(0);
    // Every cell with "old" on either side (5 of 9 pairs) is new.
    expect(r.stats.cellsComputed).toBe(5 * (2 + 1 + 2 * 2 + 1));
  });

  it('recomputes a damaged cached feature file instead of trusting it', async () => {
    const dir = join(cacheDir, 'features');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.bin'))) writeFileSync(join(dir, f), 'garbage');
    const dirCells = join(cacheDir, 'cells');
    for (const f of readdirSync(dirCells)) writeFileSync(join(dirCells, f), '{ torn');
    const { steps, calls } = world();
    const r = await runExperiment(smallSpec(), steps, { cacheDir, ...quiet });
    expect(calls.extract).toBe(4);
    expect(r.stats.headsTrained).toBe(0); // heads are intact and reused
    expect(r.cells.map((c) => c.metrics)).toEqual(first.cells.map((c) => c.metrics));
  });

  it('re-evaluates cached cells that lack per-item figures (older caches), from cached heads and features', async () => {
    const dirCells = join(cacheDir, 'cells');
    let stripped = 0;
    // Only the cells of this spec (the other versions' cells were torn by the test above and stay so).
    const keys = new Set(first.cells.filter((c) => c.status === 'ok').map((c) => c.key));
    for (const f of readdirSync(dirCells).filter((n) => keys.has(n.replace(/\.json$/, '')))) {
      const rec = JSON.parse(readFileSync(join(dirCells, f), 'utf8'));
      delete rec.items;
      writeFileSync(join(dirCells, f), JSON.stringify(rec));
      stripped++;
    }
    const { steps, calls } = world();
    const r = await runExperiment(smallSpec(), steps, { cacheDir, ...quiet });
    expect(stripped).toBe(keys.size);
    expect(r.stats.cellsComputed).toBe(stripped);
    expect(r.stats.headsTrained + calls.extract + calls.learnerTrain).toBe(0);
    expect(r.verdicts).toEqual(first.verdicts);
  });

  it('retrains a cached head whose weights were damaged', async () => {
    // The head behind the first head cell: its folder is the key of the cell's training config.
    const headCell = first.cells.find((c) => c.task === 'head')!;
    const victim = cellKey(headCell.config.train);
    writeFileSync(join(cacheDir, 'heads', victim, 'weights.bin'), 'garbage');
    rmSync(join(cacheDir, 'cells'), { recursive: true });
    const { steps } = world();
    const r = await runExperiment(smallSpec(), steps, { cacheDir, ...quiet });
    expect(r.stats.headsTrained).toBe(1);
    expect(r.cells.map((c) => c.metrics)).toEqual(first.cells.map((c) => c.metrics));
  });

  it('draws a progress bar across the grid', async () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _e, cb) {
        out += String(chunk);
        cb();
      },
    });
    const { steps } = world();
    await runExperiment(smallSpec(), steps, { cacheDir, progress: stream });
    expect(out).toMatch(/synthetic-upgrade \[#+\] 100% 72\/72/);
  });

  it('leaves no tensors behind', async () => {
    const { steps } = world();
    const before = tf.memory().numTensors;
    await runExperiment({ ...smallSpec(), seeds: [9] }, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-mem-')), ...quiet });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('spec validation', () => {
  const { steps } = world();
  const bad = (patch: object) => () => validateSpec({ ...smallSpec(), ...patch }, steps);
  it('names what is wrong and what is known', () => {
    expect(bad({ systems: [{ id: 'x', model: 'vit-h' }] })).toThrow(/unknown model "vit-h"; known: old, new/);
    expect(bad({ systems: [{ id: 'x', model: 'old', adapter: 'lora' }] })).toThrow(/unknown adapter "lora"; known: proj/);
    expect(bad({ heads: [{ id: 'h', kind: 'svm' }] })).toThrow(/unknown head kind "svm"/);
    expect(bad({ learners: [{ id: 'l', learner: 'centroid', shots: [-1] }] })).toThrow(/learners\[0\]\.shots\[0\]: Too small: expected number to be >=0/);
    expect(bad({ learners: [{ id: 'l', learner: 'centroid', shots: [0, 1] }] })).not.toThrow();
    expect(bad({ comparisons: [{ old: 'old', new: 'newer' }] })).toThrow(/unknown system in a comparison "newer"/);
    expect(
      bad({
        systems: [
          { id: 'a', model: 'old' },
          { id: 'a', model: 'new' },
        ],
      }),
    ).toThrow(/two systems are named "a"/);
    expect(bad({ heads: [], retrieval: undefined, learners: [] })).toThrow(/nothing to evaluate/);
    expect(() =>
      steps.model('old', {
        version: 'v9',
        extract: async () => {
          throw new Error('unused');
        },
      }),
    ).toThrow(/already registered/);
  });
});

describe('learners restricted to some systems', () => {
  it('trains and evaluates a learner only between its listed systems, and the grid size agrees', async () => {
    const { steps, calls } = world();
    const spec = smallSpec();
    spec.learners = spec.learners!.map((l) => ({ ...l, systems: ['old', 'new'] }));
    const report = await runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-learner-systems-')), progress: false });
    expect(report.cells).toHaveLength(gridSize(spec));
    const learnerCells = report.cells.filter((c) => c.task === 'learner');
    expect(learnerCells.length).toBeGreaterThan(0);
    expect(learnerCells.every((c) => ['old', 'new'].includes(c.query) && ['old', 'new'].includes(c.reference))).toBe(true);
    const shots = spec.learners!.reduce((n, l) => n + l.shots.length, 0);
    expect(calls.learnerTrain).toBe(2 * shots * spec.seeds.length * spec.datasets.length);
    // Reports only show the pairs that ran: no verdict or matrix row for the adapted system.
    expect(report.verdicts.filter((v) => v.task === 'learner').map((v) => v.upgraded)).not.toContain('new+proj');
    expect(report.verdicts.filter((v) => v.task === 'head').map((v) => v.upgraded)).toContain('new+proj');
    expect(
      matrices(report)
        .filter((m) => m.task === 'learner')
        .every((m) => m.systems.join() === 'old,new'),
    ).toBe(true);
  });

  it('trainOn: trained on old only, still evaluated on every system; the verdict of old prompts on new is the same as with the full grid', async () => {
    const { steps, calls } = world();
    const full = smallSpec();
    full.learners = full.learners!.map((l) => ({ ...l, systems: ['old', 'new+proj'] }));
    const lean = { ...full, learners: full.learners!.map((l) => ({ ...l, trainOn: ['old'] })) };
    const a = await runExperiment(full, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-train-on-full-')), progress: false });
    const trainedFull = calls.learnerTrain;
    const b = await runExperiment(lean, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-train-on-')), progress: false });
    expect(calls.learnerTrain - trainedFull).toBe(trainedFull / 2);
    const cells = b.cells.filter((c) => c.task === 'learner');
    expect(new Set(cells.map((c) => c.reference))).toEqual(new Set(['old']));
    expect(new Set(cells.map((c) => c.query))).toEqual(new Set(['old', 'new+proj']));
    expect(b.cells).toHaveLength(gridSize(lean, steps));
    const verdict = (r: ExperimentReport) => r.verdicts.find((v) => v.task === 'learner' && v.upgraded === 'new+proj')!.verdict;
    expect(verdict(b)).toEqual(verdict(a));
    expect(() => validateSpec({ ...lean, learners: [{ ...lean.learners[0]!, trainOn: ['new'] }] }, steps)).toThrow(
      /unknown system learner "centroid" trains on "new"; known: old, new\+proj/,
    );
  });

  it('rejects a learner system the spec does not define', () => {
    const { steps } = world();
    const spec = smallSpec();
    spec.learners = spec.learners!.map((l) => ({ ...l, systems: ['old', 'newest'] }));
    expect(() => validateSpec(spec, steps)).toThrow(/unknown system of learner ".*" "newest"; known: old, new/);
  });
});

describe('deterministic modules and training seeds', () => {
  it('a deterministic module evaluated with 3 seeds is run once and counts as one measurement', async () => {
    const { steps, calls } = world();
    // The centroid learner with its seed fixed: declared deterministic, it must not be repeated per seed.
    const centroid = steps.learners.get('centroid')!;
    steps.learner('centroid-fixed', {
      version: 'v1',
      seeded: false,
      train: (r) => centroid.train({ ...r, seed: 0 }),
      evaluate: (r) => centroid.evaluate({ ...r, seed: 0 }),
    });
    const spec = {
      ...smallSpec(),
      seeds: [1, 2, 3],
      heads: [
        { id: 'knn', kind: 'knn', options: { k: 5 } },
        { id: 'linear', kind: 'linear', options: { epochs: 5 } },
      ],
      learners: [{ id: 'fixed', learner: 'centroid-fixed', shots: [2] }],
    };
    const r = await runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-deterministic-')), progress: false });
    expect(r.cells).toHaveLength(gridSize(spec, steps));
    expect(gridSize(spec, steps)).toBe(9 + 9 * 3 + 9 + 9); // kNN once, linear per seed, learner once, retrieval
    const knn = r.cells.filter((c) => c.method === 'knn');
    expect(knn).toHaveLength(9);
    expect(knn.every((c) => c.seed === null && !('seed' in (c.config.train as { head: { options: object } }).head.options))).toBe(true);
    expect(calls.learnerTrain).toBe(3); // one per system, not per seed
    expect(r.cells.filter((c) => c.method === 'fixed').every((c) => c.seed === null)).toBe(true);
    expect(r.stats.headsTrained).toBe(3 + 3 * 3);
    const row = (method: string) => r.verdicts.find((v) => v.method === method && v.upgraded === 'new+proj')!;
    for (const m of ['knn', 'fixed', 'retrieval']) expect([m, row(m).seeds, row(m).randomRuns, row(m).runs.length]).toEqual([m, [], 0, 1]);
    expect([row('linear').seeds, row('linear').randomRuns]).toEqual([[1, 2, 3], 3]);
    const md = markdownReport(r);
    expect(md).toMatch(
      /\| blobs \| knn head \| accuracy \| old model → new \+ adapter \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [+-][0-9.]+ \[[+-][0-9.]+, [+-][0-9.]+\] \| 1 \(deterministic\) \| (compatible|inconclusive|not compatible) \|/,
    );
    expect(md).toMatch(
      /\| blobs \| linear head \| accuracy \| old model → new \+ adapter \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [^|]+ \| 3 \|/,
    );
  });

  it('pools an adapter trained with another seed (replicateOf) as one more training run of the same upgrade', async () => {
    const { steps } = world();
    steps.adapter('proj-b', { ...steps.adapters.get('proj')!, version: 'ridge-1e-1-seed2' });
    const spec = smallSpec();
    spec.systems = [...spec.systems, { id: 'new+proj-b', model: 'new', adapter: 'proj-b', replicateOf: 'new+proj' }];
    spec.learners = [];
    const r = await runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-replicates-')), progress: false });
    const linear = r.verdicts.find((v) => v.method === 'linear' && v.upgraded === 'new+proj')!;
    expect(linear.replicates).toEqual(['new+proj', 'new+proj-b']);
    expect(linear.randomRuns).toBe(2 * 2); // head seeds × adapter seeds
    const knn = r.verdicts.find((v) => v.method === 'knn' && v.upgraded === 'new+proj')!;
    expect([knn.seeds, knn.randomRuns]).toEqual([[], 2]); // a deterministic head on two adapter seeds: two random runs
    expect(r.verdicts.some((v) => v.upgraded === 'new+proj-b')).toBe(false);
    expect(() => validateSpec({ ...spec, systems: [...spec.systems, { id: 'x', model: 'new', replicateOf: 'new+proj-b' }] }, steps)).toThrow(
      /replicates "new\+proj-b", which is a replicate too/,
    );
  });
});

describe("pairs: 'comparisons'", () => {
  it('evaluates the diagonal and the old module on the new, adapted and replicate systems only, with the same verdicts as the full grid', async () => {
    const { steps } = world();
    steps.adapter('proj-b', { ...steps.adapters.get('proj')!, version: 'ridge-1e-1-seed2' });
    const full = smallSpec();
    full.systems = [...full.systems, { id: 'new+proj-b', model: 'new', adapter: 'proj-b', replicateOf: 'new+proj' }];
    const lean = { ...full, pairs: 'comparisons' as const };
    const cacheDir = mkdtempSync(join(tmpdir(), 'bench-pairs-'));
    const a = await runExperiment(full, steps, { cacheDir, ...quiet });
    const b = await runExperiment(lean, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-pairs-lean-')), ...quiet });
    // 4 systems: 16 pairs in full; lean = 3 diagonal (not the replicate's) + old on new, new+proj, new+proj-b = 6.
    const pairsOf = (r: ExperimentReport) => new Set(r.cells.filter((c) => c.method === 'knn').map((c) => `${c.reference}>${c.query}`));
    expect(pairsOf(a).size).toBe(16);
    expect([...pairsOf(b)].sort()).toEqual(['new+proj>new+proj', 'new>new', 'old>new', 'old>new+proj', 'old>new+proj-b', 'old>old']);
    expect(b.cells).toHaveLength(gridSize(lean, steps));
    expect(gridSize(lean, steps)).toBeLessThan(gridSize(full, steps));
    const strip = (r: ExperimentReport) => r.verdicts.map((v) => [v.method, v.upgraded, v.verdict.margin, v.verdict.interval]);
    expect(strip(b)).toEqual(strip(a));
    // The matrices mark the pairs left out as such.
    const m = matrices(b).find((x) => x.method === 'knn')!;
    expect(m.reasons[m.systems.indexOf('new+proj')]![m.systems.indexOf('new')]).toBe('not in the grid');
  });
});

describe('learners evaluated on a sample of the test split (testItems)', () => {
  it('scores the same stratified sample on every system; verdicts and contrasts pair it with the whole-split cells on the shared items', async () => {
    const { steps } = world();
    const spec = {
      ...smallSpec(),
      learners: [{ id: 'centroid', learner: 'centroid', shots: [4], testItems: 40 }],
      contrasts: [
        {
          id: 'sampled-vs-knn',
          a: { method: 'centroid', shots: 4, query: 'new+proj', reference: 'old' },
          b: { method: 'knn', query: 'new', reference: 'new' },
        },
      ],
    };
    const r = await runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-sampled-')), progress: false });
    const cacheDir = mkdtempSync(join(tmpdir(), 'bench-sampled-records-'));
    // The records (per-item values) of the same run, read back from a second run's cache.
    await runExperiment(spec, steps, { cacheDir, progress: false });
    const records = readdirSync(join(cacheDir, 'cells')).map((f) => JSON.parse(readFileSync(join(cacheDir, 'cells', f), 'utf8')));
    const sampled = records.filter((x) => x.result.method === 'centroid' && x.result.status === 'ok');
    expect(sampled.length).toBeGreaterThan(0);
    const indices = sampled[0].itemIndices as number[];
    expect(indices).toHaveLength(40);
    for (const x of sampled) expect(x.itemIndices).toEqual(indices);
    // Stratified: the 5 classes of the synthetic world give 8 each.
    const knnNew = records.find((x) => x.result.method === 'knn' && x.result.query === 'new' && x.result.reference === 'new');
    const perClass = new Map<number, number>();
    for (const i of indices) perClass.set(knnNew.labels[i], (perClass.get(knnNew.labels[i]) ?? 0) + 1);
    expect([...perClass.values()]).toEqual([8, 8, 8, 8, 8]);
    const v = r.verdicts.find((x) => x.method === 'centroid' && x.upgraded === 'new+proj')!;
    expect(v.items).toBe(40);
    // The contrast, worked by hand: per seed, centroid correctness on the sample minus kNN's on the same items.
    const c = r.contrasts.find((x) => x.id === 'sampled-vs-knn')!;
    expect(c.items).toBe(40);
    const diffs = [1, 2].map((seed) => {
      const a = sampled.find((x) => x.result.query === 'new+proj' && x.result.reference === 'old' && x.result.seed === seed);
      return indices.reduce((sum, idx, k) => sum + a.items.accuracy[k] - knnNew.items.accuracy[idx], 0) / indices.length;
    });
    expect(c.margin).toBeCloseTo((diffs[0]! + diffs[1]!) / 2, 12);
    expect(r.cells).toHaveLength(gridSize(spec, steps));
  });

  it('refuses a learner step that ignores the sample', async () => {
    const { steps } = world();
    const centroid = steps.learners.get('centroid')!;
    steps.learner('careless', { ...centroid, evaluate: ({ testIndices: _ignored, ...rest }) => centroid.evaluate(rest) });
    const spec = { ...smallSpec(), learners: [{ id: 'careless', learner: 'careless', shots: [1], testItems: 10 }] };
    await expect(runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-careless-')), progress: false })).rejects.toThrow(
      /returned 100 predictions for the 10 sampled test items/,
    );
  });
});

describe('contrasts: references other than M(old, old)', () => {
  it('M(a) − M(b) of any two cells, pairing runs by seed and a deterministic side with every run', async () => {
    const { steps } = world();
    const spec = {
      ...smallSpec(),
      contrasts: [
        // A seeded learner plugged into the adapted system against a deterministic module on new (as ContCoOp vs new zero-shot).
        {
          id: 'plugged-vs-knn-new',
          a: { method: 'centroid', shots: 4, query: 'new+proj', reference: 'old' },
          b: { method: 'knn', query: 'new', reference: 'new' },
        },
        {
          id: 'retrained-vs-old',
          label: 'linear retrained on new vs old',
          a: { method: 'linear', query: 'new', reference: 'new' },
          b: { method: 'linear', query: 'old', reference: 'old' },
        },
        { id: 'self', a: { method: 'linear', query: 'old', reference: 'old' }, b: { method: 'linear', query: 'old', reference: 'old' } },
        { id: 'raw', a: { method: 'linear', query: 'new', reference: 'old' }, b: { method: 'linear', query: 'old', reference: 'old' } },
      ],
    };
    const r = await runExperiment(spec, steps, { cacheDir: mkdtempSync(join(tmpdir(), 'bench-contrasts-')), progress: false });
    const row = (id: string) => r.contrasts.find((c) => c.id === id)!;
    const acc = (method: string, q: string, ref: string, seed: number | null, shots?: number) =>
      r.cells.find((c) => c.method === method && c.query === q && c.reference === ref && c.seed === seed && (shots === undefined || c.shots === shots))!.metrics
        .accuracy!;

    const p = row('plugged-vs-knn-new');
    expect(p.valueA).toBeCloseTo((acc('centroid', 'new+proj', 'old', 1, 4) + acc('centroid', 'new+proj', 'old', 2, 4)) / 2, 12);
    expect(p.valueB).toBe(acc('knn', 'new', 'new', null));
    expect(p.margin).toBeCloseTo(p.valueA! - p.valueB!, 12);
    expect([p.randomRuns, p.items, p.metric]).toEqual([2, 100, 'accuracy']);
    expect(p.interval!.low).toBeLessThanOrEqual(p.margin);
    expect(p.answer).toBe(p.interval!.low > 0 ? 'a higher' : p.interval!.high < 0 ? 'a lower' : 'inconclusive');

    const retrained = row('retrained-vs-old');
    expect(retrained.margin).toBeCloseTo(
      (acc('linear', 'new', 'new', 1) + acc('linear', 'new', 'new', 2) - acc('linear', 'old', 'old', 1) - acc('linear', 'old', 'old', 2)) / 2,
      12,
    );
    expect(retrained.answer).toBe('a higher'); // the less noisy new model, retrained: +16 points on 100 items
    expect(row('self')).toMatchObject({ margin: 0, interval: { low: 0, high: 0 }, answer: 'inconclusive' });
    expect(row('raw').answer).toBe('cannot run');

    const md = markdownReport(r);
    expect(md).toContain('## Contrasts');
    expect(md).toContain('| blobs | linear retrained on new vs old | linear: M(new model, new model) | linear: M(old model, old model) |');
    expect(() =>
      validateSpec({ ...spec, contrasts: [{ id: 'x', a: { method: 'svm', query: 'old', reference: 'old' }, b: spec.contrasts[0]!.b }] }, steps),
    ).toThrow(/unknown method in contrast "x" "svm"/);
  });
});
