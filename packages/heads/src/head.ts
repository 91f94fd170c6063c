import type { ModelIdentity } from '@hotplug/runtime';
import type { FeatureInput, FeatureMatrix } from './features';

/** The names of the built-in classifier head families. */
export type HeadKind = 'linear' | 'mlp' | 'knn';

/** What a fitted head knows about the features it was trained on. */
export interface HeadInfo {
  kind: string;
  /** Feature dimension it was trained on; applying it to another dimension throws. */
  dim: number;
  numClasses: number;
  /** Optional tag naming the model that produced the training features. */
  modelId?: string;
  /** Whether features are L2-normalised before use (training and inference alike). */
  normalize: boolean;
  /** Fingerprint of the embedding space (the encoder) the training features came from; loadHead checks it. */
  space?: ModelIdentity;
}

/** Summary of a fit: final mean loss per epoch for trained heads, empty for kNN. */
export interface FitReport {
  epochLosses: number[];
  steps: number;
  seconds: number;
}

/** Options every fit accepts. */
export interface FitOptions {
  /** Tag for the model that produced these features (kept in the saved head). */
  modelId?: string;
  /** Fingerprint of the encoder that produced these features; recorded so loading elsewhere is refused. */
  space?: ModelIdentity;
  /** Number of classes; defaults to max(label) + 1. */
  numClasses?: number;
  /** Called after each epoch (progress bars, logging). */
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * A downstream classifier over frozen features. Trained on one model's features, it
 * records their dimension; `predict` on features of another dimension throws a
 * DimensionMismatchError that names both and the fix.
 */
export interface ClassifierHead {
  readonly kind: string;
  /** Undefined until fitted or loaded. */
  readonly info: HeadInfo | undefined;
  fit(features: FeatureInput, labels: ArrayLike<number>, options?: FitOptions): Promise<FitReport>;
  /** Class scores [rows, numClasses] (probabilities for linear/MLP, vote shares for kNN). */
  scores(features: FeatureInput): FeatureMatrix;
  /** Arg-max class per row. */
  predict(features: FeatureInput): Int32Array;
  /** Writes head.json + weights.bin into `dir` atomically. */
  save(dir: string): void;
  /** The options it was created with (as saved), for reproducing it. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Arg-max of each row of a [rows, cols] matrix (first index wins ties). */
export function argmaxRows(m: FeatureMatrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < m.dim; c++) {
      const v = m.data[r * m.dim + c]!;
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}
