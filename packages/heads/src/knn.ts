import { ensureBackend } from './backend';
import { classCount, inputFor, positiveInt, positiveNumber } from './check';
import { featureMatrix, l2NormalizeRows, toFeatureMatrix, toLabels, type FeatureInput, type FeatureMatrix } from './features';
import { argmaxRows, type ClassifierHead, type FitOptions, type FitReport, type HeadInfo } from './head';
import { forEachSimilarityRow, topKIndices } from './similarity';
import { z } from 'zod';
import { HeadInfoSchema, HeadStoreError, loadStored, requireArray, saveStored, storedConfig } from './store';

/** How the k nearest neighbours' votes are weighted. */
export type KnnWeighting = 'uniform' | 'similarity' | 'softmax';

/** Options of the kNN head. */
export interface KnnHeadOptions {
  /** Neighbours that vote (default 5). */
  k?: number;
  /** uniform: one vote each; similarity: vote = cosine; softmax: vote = exp(cos / temperature). */
  weighting?: KnnWeighting;
  /** Temperature of the softmax weighting (default 0.07, CLIP's). */
  temperature?: number;
}

/**
 * k-nearest-neighbour classifier by cosine similarity over the stored (L2-normalised)
 * training features. "Fitting" stores them; scores are each class's share of the votes.
 */
export class KnnHead implements ClassifierHead {
  readonly kind = 'knn';
  readonly options: Readonly<Required<KnnHeadOptions>>;
  private gallery: FeatureMatrix | undefined;
  private labels: Int32Array = new Int32Array(0);
  private fitted: HeadInfo | undefined;

  constructor(options: KnnHeadOptions = {}) {
    const weighting = options.weighting ?? 'uniform';
    if (!['uniform', 'similarity', 'softmax'].includes(weighting)) {
      throw new Error(`unknown kNN weighting "${weighting}": use uniform, similarity or softmax`);
    }
    this.options = {
      k: positiveInt('k', options.k ?? 5),
      weighting,
      temperature: positiveNumber('temperature', options.temperature ?? 0.07),
    };
  }

  get info(): HeadInfo | undefined {
    return this.fitted;
  }

  async fit(features: FeatureInput, labels: ArrayLike<number>, fitOptions: FitOptions = {}): Promise<FitReport> {
    await ensureBackend();
    const started = performance.now();
    const raw = toFeatureMatrix(features, fitOptions.modelId);
    if (raw.rows === 0) throw new Error('kNN head: cannot fit on zero rows');
    this.labels = toLabels(labels, raw.rows);
    this.gallery = l2NormalizeRows(raw);
    this.fitted = {
      kind: 'knn',
      dim: raw.dim,
      numClasses: classCount(this.labels, fitOptions.numClasses),
      normalize: true,
      ...(raw.modelId !== undefined ? { modelId: raw.modelId } : {}),
      ...(fitOptions.space ? { space: fitOptions.space } : {}),
    };
    return { epochLosses: [], steps: 0, seconds: (performance.now() - started) / 1000 };
  }

  scores(features: FeatureInput): FeatureMatrix {
    const q = inputFor(this.fitted, 'kNN head', features);
    const c = this.fitted!.numClasses;
    const out = new Float32Array(q.rows * c);
    const { k, weighting, temperature } = this.options;
    forEachSimilarityRow(q, this.gallery!, (row, sims) => {
      const nn = topKIndices(sims, k);
      // Softmax weights are shifted by the best similarity to avoid overflow; shares are unchanged.
      const top = sims[nn[0]!]!;
      // When every neighbour has a cosine <= 0, similarity weights are all zero: fall back to one vote each.
      const mode = weighting === 'similarity' && !(top > 0) ? 'uniform' : weighting;
      let total = 0;
      for (const j of nn) {
        const s = sims[j]!;
        const w = mode === 'uniform' ? 1 : mode === 'similarity' ? Math.max(s, 0) : Math.exp((s - top) / temperature);
        out[row * c + this.labels[j]!]! += w;
        total += w;
      }
      if (total > 0) for (let j = 0; j < c; j++) out[row * c + j]! /= total;
    });
    return featureMatrix(out, q.rows, c);
  }

  predict(features: FeatureInput): Int32Array {
    return argmaxRows(this.scores(features));
  }

  save(dir: string): void {
    if (!this.fitted || !this.gallery) throw new Error('kNN head is not fitted: nothing to save');
    saveStored(
      dir,
      'knn',
      { info: this.fitted, options: this.options },
      {
        features: { shape: [this.gallery.rows, this.gallery.dim], data: this.gallery.data },
        labels: { shape: [this.labels.length], data: this.labels },
      },
    );
  }

  /** Restores a head written by save(). */
  static load(dir: string): KnnHead {
    const { stored, arrays } = loadStored(dir);
    if (stored.kind !== 'knn') throw new HeadStoreError(`${dir} holds a "${stored.kind}" head, not a kNN one`, dir);
    const cfg = storedConfig(z.strictObject({ info: HeadInfoSchema, options: z.record(z.string(), z.unknown()) }), stored.config, dir) as {
      info: HeadInfo;
      options: Required<KnnHeadOptions>;
    };
    let head: KnnHead;
    try {
      head = new KnnHead(cfg.options);
    } catch (err) {
      throw new HeadStoreError(`${dir}: stored kNN options are invalid: ${(err as Error).message}`, dir, 'config.options');
    }
    const f = requireArray(arrays, 'features', dir);
    const l = requireArray(arrays, 'labels', dir);
    if (
      f.shape.length !== 2 ||
      l.shape.length !== 1 ||
      f.shape[1] !== cfg.info.dim ||
      f.shape[0] !== l.shape[0] ||
      !(l.data instanceof Int32Array) ||
      !(f.data instanceof Float32Array)
    ) {
      throw new HeadStoreError(`kNN head at ${dir}: features [${f.shape}] (float32) and labels [${l.shape}] (int32) do not match dim ${cfg.info.dim}`, dir);
    }
    // A label outside [0, numClasses) would add its vote into a neighbouring query's row of scores.
    const bad = l.data.findIndex((y) => y < 0 || y >= cfg.info.numClasses);
    if (bad >= 0)
      throw new HeadStoreError(
        `kNN head at ${dir}: label ${l.data[bad]} (row ${bad}) is outside [0, ${cfg.info.numClasses}); save the head again`,
        dir,
        'labels',
      );
    head.gallery = featureMatrix(f.data as Float32Array, f.shape[0]!, f.shape[1]!);
    head.labels = l.data as Int32Array;
    head.fitted = cfg.info;
    return head;
  }
}
