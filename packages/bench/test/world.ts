import { DimensionMismatchError, featureMatrix, type FeatureMatrix } from '@hotplug/heads';
import { Rng } from '@hotplug/runtime';
import { StepRegistry, selectItems, type FeatureSet, type Split } from '../src/index';

// A small synthetic world: samples live in an 8-dim latent space around 5 class centres.
// "Models" are fixed random projections of a noisy view of the latent point (the new model
// sees less noise and is wider); the "proj" adapter is a ridge-regression map from a
// model's train features onto the old model's, fitted in closed form. Everything is real
// computation and seeded.
const LATENT = 8;
const CLASSES = 5;
const DEFAULT_SIZES: Record<Split, number> = { train: 150, test: 100 };

function latent(dataset: string, split: Split, sizes: Record<Split, number>): { z: number[][]; labels: Int32Array } {
  const centres = new Rng(`${dataset}/centres`);
  const c = Array.from({ length: CLASSES }, () => Array.from({ length: LATENT }, () => centres.normal() * 1.2));
  const rng = new Rng(`${dataset}/${split}`);
  const n = sizes[split];
  const labels = new Int32Array(n);
  const z = Array.from({ length: n }, (_, i) => {
    labels[i] = i % CLASSES;
    return c[i % CLASSES]!.map((v) => v + rng.normal());
  });
  return { z, labels };
}

function projectionModel(name: string, dim: number, viewNoise: number, sizes: Record<Split, number>) {
  const rng = new Rng(`model/${name}`);
  const w = Array.from({ length: dim }, () => Array.from({ length: LATENT }, () => rng.normal() / Math.sqrt(LATENT)));
  return async ({ dataset, split }: { dataset: string; split: Split }): Promise<FeatureSet> => {
    const { z, labels } = latent(dataset, split, sizes);
    const noise = new Rng(`${name}/${dataset}/${split}`);
    const data = new Float32Array(z.length * dim);
    z.forEach((row, i) => {
      const seen = row.map((v) => v + viewNoise * noise.normal());
      for (let d = 0; d < dim; d++) data[i * dim + d] = w[d]!.reduce((a, wv, k) => a + wv * seen[k]!, 0);
    });
    return { features: featureMatrix(data, z.length, dim), labels };
  };
}

/** Solves (XᵀX + λI) W = XᵀY for W [dx, dy] by Gaussian elimination. */
function ridge(x: FeatureMatrix, y: FeatureMatrix, lambda: number): Float64Array {
  const dx = x.dim;
  const dy = y.dim;
  const a = new Float64Array(dx * (dx + dy));
  const cols = dx + dy;
  for (let r = 0; r < x.rows; r++) {
    for (let i = 0; i < dx; i++) {
      const xi = x.data[r * dx + i]!;
      for (let j = 0; j < dx; j++) a[i * cols + j]! += xi * x.data[r * dx + j]!;
      for (let j = 0; j < dy; j++) a[i * cols + dx + j]! += xi * y.data[r * dy + j]!;
    }
  }
  for (let i = 0; i < dx; i++) a[i * cols + i]! += lambda;
  for (let p = 0; p < dx; p++) {
    const piv = a[p * cols + p]!;
    for (let j = 0; j < cols; j++) a[p * cols + j]! /= piv;
    for (let r = 0; r < dx; r++) {
      if (r === p) continue;
      const f = a[r * cols + p]!;
      if (f !== 0) for (let j = 0; j < cols; j++) a[r * cols + j]! -= f * a[p * cols + j]!;
    }
  }
  const w = new Float64Array(dx * dy);
  for (let i = 0; i < dx; i++) for (let j = 0; j < dy; j++) w[i * dy + j] = a[i * cols + dx + j]!;
  return w;
}

/** Counts of every step call, to check what a run really computed. */
export interface Calls {
  extract: number;
  adapt: number;
  learnerTrain: number;
  learnerEval: number;
}

/** The registry the harness tests use: models old/new, adapter proj, learner centroid. */
export function world(versions: { old?: string } = {}, sizes: Record<Split, number> = DEFAULT_SIZES): { steps: StepRegistry; calls: Calls } {
  const calls: Calls = { extract: 0, adapt: 0, learnerTrain: 0, learnerEval: 0 };
  const old = projectionModel('old', 12, 1.2, sizes);
  const neu = projectionModel('new', 20, 0.4, sizes);
  const models: Record<string, typeof old> = { old, new: neu };
  // The adapter: a ridge map fitted on the train split from `model`'s features onto old's.
  const project = async (model: string, dataset: string, src: FeatureSet): Promise<FeatureSet> => {
    const fitX = (await models[model]!({ dataset, split: 'train' })).features;
    const fitY = (await old({ dataset, split: 'train' })).features;
    const w = ridge(fitX, fitY, 0.1);
    const out = new Float32Array(src.features.rows * fitY.dim);
    for (let r = 0; r < src.features.rows; r++) {
      for (let j = 0; j < fitY.dim; j++) {
        let s = 0;
        for (let i = 0; i < fitX.dim; i++) s += src.features.data[r * fitX.dim + i]! * w[i * fitY.dim + j]!;
        out[r * fitY.dim + j] = s;
      }
    }
    return { features: featureMatrix(out, src.features.rows, fitY.dim), labels: src.labels };
  };
  const systemFeatures = async (model: string, adapter: string | undefined, dataset: string, split: Split) => {
    const plain = await models[model]!({ dataset, split });
    // Every adapter of this world is the ridge map onto old's space (tests register it under several names).
    return adapter !== undefined ? project(model, dataset, plain) : plain;
  };
  const steps = new StepRegistry()
    .model('old', {
      version: versions.old ?? 'v1',
      extract: (r) => {
        calls.extract++;
        return old(r);
      },
    })
    .model('new', {
      version: 'v1',
      extract: (r) => {
        calls.extract++;
        return neu(r);
      },
    })
    .adapter('proj', {
      version: 'ridge-1e-1',
      async extract({ model, dataset, base }) {
        calls.adapt++;
        return project(model, dataset, await base());
      },
    })
    .learner('class-means', {
      version: 'v1',
      // A deterministic reference learner standing in for zero-shot (it needs no random draw):
      // the class means of the whole train split, whatever the shot count.
      seeded: false,
      async train({ model, adapter, dataset }) {
        calls.learnerTrain++;
        const { features: f, labels } = await systemFeatures(model, adapter, dataset, 'train');
        const sums = new Float32Array(CLASSES * f.dim + 1);
        sums[0] = f.dim;
        const counts = new Array<number>(CLASSES).fill(0);
        for (let i = 0; i < f.rows; i++) counts[labels[i]!]!++;
        for (let i = 0; i < f.rows; i++) for (let d = 0; d < f.dim; d++) sums[1 + labels[i]! * f.dim + d]! += f.data[i * f.dim + d]! / counts[labels[i]!]!;
        return new Uint8Array(sums.buffer);
      },
      evaluate: (r) => nearestMean(r),
    })
    .learner('centroid', {
      version: 'v1',
      // A few-shot nearest-class-mean learner on the system's own features.
      async train({ model, adapter, dataset, shots, seed }) {
        calls.learnerTrain++;
        const { features: f, labels } = await systemFeatures(model, adapter, dataset, 'train');
        const rng = new Rng(seed);
        const sums = new Float32Array(CLASSES * f.dim + 1);
        sums[0] = f.dim;
        for (let c = 0; c < CLASSES; c++) {
          const idx = rng.shuffle([...labels.keys()].filter((i) => labels[i] === c)).slice(0, shots);
          for (const i of idx) for (let d = 0; d < f.dim; d++) sums[1 + c * f.dim + d]! += f.data[i * f.dim + d]! / shots;
        }
        return new Uint8Array(sums.buffer);
      },
      evaluate: (r) => nearestMean(r),
    });
  // Nearest class mean of a trained state on the system's test split.
  async function nearestMean({
    model,
    adapter,
    dataset,
    state,
    testIndices,
  }: {
    model: string;
    adapter?: string;
    dataset: string;
    state: Uint8Array;
    testIndices?: Int32Array;
  }) {
    calls.learnerEval++;
    const s = new Float32Array(state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength));
    const dim = s[0]!;
    const { features: f, labels } = selectItems(await systemFeatures(model, adapter, dataset, 'test'), testIndices);
    if (f.dim !== dim) throw new DimensionMismatchError('centroid learner', dim, f.dim);
    const predictions = new Int32Array(f.rows);
    for (let r = 0; r < f.rows; r++) {
      let best = Infinity;
      for (let c = 0; c < CLASSES; c++) {
        let d2 = 0;
        for (let d = 0; d < dim; d++) d2 += (f.data[r * dim + d]! - s[1 + c * dim + d]!) ** 2;
        if (d2 < best) {
          best = d2;
          predictions[r] = c;
        }
      }
    }
    return { predictions, labels };
  }
  return { steps, calls };
}
