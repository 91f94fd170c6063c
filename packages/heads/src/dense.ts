import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@hotplug/runtime';
import { ensureBackend, meanSoftmaxCrossEntropy } from './backend';
import { classCount, inputFor, positiveInt, positiveNumber } from './check';
import { featureMatrix, l2NormalizeRows, toFeatureMatrix, toLabels, type FeatureInput, type FeatureMatrix } from './features';
import { argmaxRows, type ClassifierHead, type FitOptions, type FitReport, type HeadInfo } from './head';
import { z } from 'zod';
import { HeadInfoSchema, HeadStoreError, loadStored, requireArray, saveStored, storedConfig } from './store';

/** Options of the linear and MLP heads (a linear head is an MLP with no hidden layer). */
export interface DenseHeadOptions {
  /** Hidden layer widths (ReLU between layers); [] is a linear classifier. */
  hidden?: number[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** L2 penalty on weight matrices (not biases), added to the loss. */
  weightDecay?: number;
  /** L2-normalise features before training and inference (default true: CLIP features are compared by angle). */
  normalize?: boolean;
  /** Seeds initialisation and batch order. */
  seed?: number;
}

type ResolvedOptions = Required<DenseHeadOptions>;

/** A fitted layer kept in plain memory: weight [in, out] row-major and bias [out]. */
interface Layer {
  inDim: number;
  outDim: number;
  weight: Float32Array;
  bias: Float32Array;
}

function resolve(kind: string, o: DenseHeadOptions): ResolvedOptions {
  const hidden = o.hidden ?? (kind === 'linear' ? [] : [256]);
  hidden.forEach((h, i) => {
    positiveInt(`hidden[${i}]`, h);
  });
  const r: ResolvedOptions = {
    hidden,
    epochs: positiveInt('epochs', o.epochs ?? 30),
    batchSize: positiveInt('batchSize', o.batchSize ?? 64),
    learningRate: positiveNumber('learningRate', o.learningRate ?? (hidden.length === 0 ? 1e-2 : 3e-3)),
    weightDecay: o.weightDecay ?? 0,
    normalize: o.normalize ?? true,
    seed: o.seed ?? 0,
  };
  if (!(r.weightDecay >= 0)) throw new Error(`option weightDecay must be >= 0, got ${r.weightDecay}`);
  return r;
}

/**
 * Linear or MLP classifier trained with Adam on softmax cross-entropy. Initialisation
 * (Glorot-uniform from the seeded Rng) and batch order are deterministic for a seed.
 */
export class DenseHead implements ClassifierHead {
  readonly options: Readonly<ResolvedOptions>;
  private layers: Layer[] = [];
  private fitted: HeadInfo | undefined;

  constructor(
    readonly kind: 'linear' | 'mlp',
    options: DenseHeadOptions = {},
  ) {
    if (kind === 'linear' && options.hidden && options.hidden.length > 0) {
      throw new Error(`a linear head has no hidden layers (got hidden=[${options.hidden}]); use createHead('mlp', …)`);
    }
    this.options = resolve(kind, options);
  }

  get info(): HeadInfo | undefined {
    return this.fitted;
  }

  async fit(features: FeatureInput, labels: ArrayLike<number>, fitOptions: FitOptions = {}): Promise<FitReport> {
    await ensureBackend();
    const started = performance.now();
    const raw = toFeatureMatrix(features, fitOptions.modelId);
    const x = this.options.normalize ? l2NormalizeRows(raw) : raw;
    const y = toLabels(labels, x.rows);
    if (x.rows === 0) throw new Error(`${this.kind} head: cannot fit on zero rows`);
    const numClasses = classCount(y, fitOptions.numClasses);
    if (numClasses < 2) throw new Error(`${this.kind} head needs at least 2 classes, labels only hold ${numClasses}`);
    const rng = new Rng(this.options.seed);
    const widths = [x.dim, ...this.options.hidden, numClasses];
    const vars = widths.slice(1).map((out, i) => {
      const inDim = widths[i]!;
      const limit = Math.sqrt(6 / (inDim + out));
      const w = new Float32Array(inDim * out);
      for (let k = 0; k < w.length; k++) w[k] = (rng.next() * 2 - 1) * limit;
      // tf.variable keeps its own reference to the data, so the initial tensors are freed here.
      const w0 = tf.tensor2d(w, [inDim, out]);
      const b0 = tf.zeros([out]);
      const pair = { w: tf.variable(w0), b: tf.variable(b0) };
      w0.dispose();
      b0.dispose();
      return pair;
    });
    const optimizer = tf.train.adam(this.options.learningRate);
    const xAll = tf.tensor2d(x.data, [x.rows, x.dim]);
    const yAll = tf.tensor1d(y, 'int32');
    const epochLosses: number[] = [];
    let steps = 0;
    try {
      for (let epoch = 0; epoch < this.options.epochs; epoch++) {
        const order = rng.permutation(x.rows);
        let lossSum = 0;
        let batches = 0;
        for (let start = 0; start < x.rows; start += this.options.batchSize) {
          const idx = order.subarray(start, Math.min(x.rows, start + this.options.batchSize));
          const loss = tf.tidy(() => {
            const idxT = tf.tensor1d(idx, 'int32');
            const xb = tf.gather(xAll, idxT) as tf.Tensor2D;
            const yb = tf.gather(yAll, idxT) as tf.Tensor1D;
            return optimizer.minimize(() => {
              const ce = meanSoftmaxCrossEntropy(forward(xb, vars), yb);
              if (this.options.weightDecay === 0) return ce;
              const penalty = tf.addN(vars.map((v) => tf.sum(tf.square(v.w))));
              return tf.add(ce, tf.mul(penalty, this.options.weightDecay)) as tf.Scalar;
            }, true)!;
          });
          lossSum += (await loss.data())[0]!;
          loss.dispose();
          batches++;
          steps++;
        }
        epochLosses.push(lossSum / batches);
        fitOptions.onEpoch?.(epoch, lossSum / batches);
      }
      this.layers = vars.map((v, i) => ({
        inDim: widths[i]!,
        outDim: widths[i + 1]!,
        weight: Float32Array.from(v.w.dataSync()),
        bias: Float32Array.from(v.b.dataSync()),
      }));
    } finally {
      xAll.dispose();
      yAll.dispose();
      optimizer.dispose();
      for (const v of vars) {
        v.w.dispose();
        v.b.dispose();
      }
    }
    this.fitted = {
      kind: this.kind,
      dim: x.dim,
      numClasses,
      normalize: this.options.normalize,
      ...(raw.modelId !== undefined ? { modelId: raw.modelId } : {}),
      ...(fitOptions.space ? { space: fitOptions.space } : {}),
    };
    return { epochLosses, steps, seconds: (performance.now() - started) / 1000 };
  }

  scores(features: FeatureInput): FeatureMatrix {
    const x = inputFor(this.fitted, `${this.kind} head`, features);
    const probs = tf.tidy(() => {
      const params = this.layers.map((l) => ({ w: tf.tensor2d(l.weight, [l.inDim, l.outDim]), b: tf.tensor1d(l.bias) }));
      return tf.softmax(forward(tf.tensor2d(x.data, [x.rows, x.dim]), params));
    });
    const data = Float32Array.from(probs.dataSync());
    probs.dispose();
    return featureMatrix(data, x.rows, this.fitted!.numClasses);
  }

  predict(features: FeatureInput): Int32Array {
    return argmaxRows(this.scores(features));
  }

  save(dir: string): void {
    if (!this.fitted) throw new Error(`${this.kind} head is not fitted: nothing to save`);
    const arrays: Record<string, { shape: number[]; data: Float32Array }> = {};
    this.layers.forEach((l, i) => {
      arrays[`layer${i}.weight`] = { shape: [l.inDim, l.outDim], data: l.weight };
      arrays[`layer${i}.bias`] = { shape: [l.outDim], data: l.bias };
    });
    saveStored(dir, this.kind, { info: this.fitted, options: this.options }, arrays);
  }

  /** Restores a head written by save(). */
  static load(dir: string): DenseHead {
    const { stored, arrays } = loadStored(dir);
    if (stored.kind !== 'linear' && stored.kind !== 'mlp') throw new HeadStoreError(`${dir} holds a "${stored.kind}" head, not a linear/MLP one`, dir);
    const cfg = storedConfig(z.strictObject({ info: HeadInfoSchema, options: z.record(z.string(), z.unknown()) }), stored.config, dir) as {
      info: HeadInfo;
      options: ResolvedOptions;
    };
    let head: DenseHead;
    try {
      head = new DenseHead(stored.kind, cfg.options);
    } catch (err) {
      throw new HeadStoreError(`${dir}: stored ${stored.kind} options are invalid: ${(err as Error).message}`, dir, 'config.options');
    }
    const widths = [cfg.info.dim, ...head.options.hidden, cfg.info.numClasses];
    head.layers = widths.slice(1).map((outDim, i) => {
      const inDim = widths[i]!;
      const w = requireArray(arrays, `layer${i}.weight`, dir);
      const b = requireArray(arrays, `layer${i}.bias`, dir);
      if (
        w.shape.length !== 2 ||
        b.shape.length !== 1 ||
        w.shape[0] !== inDim ||
        w.shape[1] !== outDim ||
        b.shape[0] !== outDim ||
        !(w.data instanceof Float32Array) ||
        !(b.data instanceof Float32Array)
      ) {
        throw new HeadStoreError(`layer ${i} of the head at ${dir} has shape [${w.shape}] / [${b.shape}], the config says [${inDim}, ${outDim}]`);
      }
      return { inDim, outDim, weight: w.data as Float32Array, bias: b.data as Float32Array };
    });
    head.fitted = cfg.info;
    return head;
  }
}

/** Logits of an MLP: affine layers with ReLU between them (none after the last). */
function forward(x: tf.Tensor2D, params: { w: tf.Tensor2D | tf.Variable; b: tf.Tensor | tf.Variable }[]): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  params.forEach((p, i) => {
    h = tf.add(tf.matMul(h, p.w as tf.Tensor2D), p.b) as tf.Tensor2D;
    if (i < params.length - 1) h = tf.relu(h);
  });
  return h;
}
