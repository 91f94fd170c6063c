import type { FeatureMatrix } from '@hotplug/heads';

/** Which part of a dataset: heads train and galleries are built on `train`; queries come from `test`. */
export type Split = 'train' | 'test';

/** Embeddings of one split with one label per row. */
export interface FeatureSet {
  features: FeatureMatrix;
  labels: Int32Array;
}

/**
 * The rows of a feature set that `indices` names, in that order (a learner step honouring
 * LearnerRequest testIndices); the set itself when no indices are given.
 */
export function selectItems(set: FeatureSet, indices?: ArrayLike<number>): FeatureSet {
  if (!indices) return set;
  const { data, rows, dim } = set.features;
  const out = new Float32Array(indices.length * dim);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= rows) throw new RangeError(`item index ${r} is outside the ${rows} rows of the feature set`);
    out.set(data.subarray(r * dim, (r + 1) * dim), i * dim);
    labels[i] = set.labels[r]!;
  }
  return { features: { ...set.features, data: out, rows: indices.length }, labels };
}

/** A foundation model: turns a dataset split into embeddings. */
export interface ModelStep {
  /** Changes whenever the model's output would change (weights hash, config): it is part of every cache key downstream. */
  version: string;
  extract(request: { dataset: string; split: Split }): Promise<FeatureSet>;
}

/**
 * Something that makes a model's output usable in another space: a TaCA adapter inside the
 * encoder, a learned projection of its features... `base()` gives the plain model's
 * features for the same split, for adapters that only transform them.
 */
export interface AdapterStep {
  version: string;
  /** What the reports' ablation table shows about the adapter (trainable parameters, training time); optional, shown as n/a without it. */
  facts?: AdapterFacts;
  extract(request: { model: string; dataset: string; split: Split; base: () => Promise<FeatureSet> }): Promise<FeatureSet>;
}

/**
 * Descriptive figures of a trained adapter that the grid does not measure: the application
 * that trained it knows them (apps/taca writes them beside the weights). Not part of any cache
 * key: they describe the adapter, they do not change its output.
 */
export interface AdapterFacts {
  /** Trainable scalars of the adapter (the backbone stays frozen). */
  trainableParameters?: number;
  /** Wall-clock training time in minutes (say in `note` what machine). */
  trainingMinutes?: number;
  /** One short line for the ablation table, e.g. "bottleneck 16, blocks 0-5". */
  note?: string;
}

/** What a learner is asked to train or evaluate on. */
export interface LearnerRequest {
  /** The system's model id, and its adapter id if any. */
  model: string;
  adapter?: string;
  dataset: string;
  shots: number;
  seed: number;
  options: Record<string, unknown>;
}

/**
 * A few-shot learner that needs the model itself (prompt learners: CoOp, ContCoOp…), not
 * just stored features. Its trained state is opaque bytes that the harness caches.
 */
export interface LearnerStep {
  version: string;
  /**
   * Whether training depends on the request's seed (default true). A learner that uses no
   * randomness (zero-shot prompts, a closed-form fit) says false: it is run once per shot
   * count, seed null, and counts as one measurement, not one per grid seed.
   */
  seeded?: boolean;
  train(request: LearnerRequest): Promise<Uint8Array>;
  /**
   * Applies a trained state (possibly trained on another model) to `request`'s model's test
   * split — only to the items `testIndices` names, in that order, when the spec samples them
   * (LearnerSpec.testItems): predictions and labels then have one entry per index.
   */
  evaluate(request: LearnerRequest & { state: Uint8Array; testIndices?: Int32Array }): Promise<{ predictions: Int32Array; labels: Int32Array }>;
}

/** The registered steps a harness run may use, by name. Applications plug their models, adapters and learners in here. */
export class StepRegistry {
  readonly models = new Map<string, ModelStep>();
  readonly adapters = new Map<string, AdapterStep>();
  readonly learners = new Map<string, LearnerStep>();

  model(name: string, step: ModelStep): this {
    return this.put(this.models, 'model', name, step);
  }

  adapter(name: string, step: AdapterStep): this {
    return this.put(this.adapters, 'adapter', name, step);
  }

  learner(name: string, step: LearnerStep): this {
    return this.put(this.learners, 'learner', name, step);
  }

  private put<T extends { version: string }>(map: Map<string, T>, what: string, name: string, step: T): this {
    if (map.has(name)) throw new Error(`a ${what} named "${name}" is already registered`);
    if (typeof step.version !== 'string' || step.version === '') {
      throw new Error(`${what} "${name}" needs a non-empty version string (it keys the cache: change it when the ${what} changes)`);
    }
    map.set(name, step);
    return this;
  }
}
