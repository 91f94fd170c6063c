import { Rng } from '@hotplug/runtime';
import { classPrompts, fewShotSplit, loadDataset, subset, type EmbeddedName, type ImageDataset } from '@hotplug/data';
import {
  accuracyOf,
  createLearner,
  FeatureCache,
  predictClasses,
  PromptTarget,
  trainPromptLearner,
  type ImageFeatures,
  type PromptLearner,
  type PromptTrainConfig,
} from '@hotplug/contcoop';
import type { LoadedModel } from './models';

export interface WorkbenchOptions {
  /** Folder for cached image features (reused across runs); none: memory only. */
  cacheDir?: string;
  /** Evaluate on the first N test images (default: the whole test split). */
  testSize?: number;
  /** Test images for learners whose prompts depend on the image (CoCoOp): N or the test size, whichever is smaller. */
  conditionalTestSize?: number;
  log?: (line: string) => void;
}

/** One learner trained on one few-shot split of model A, evaluated on A and on B. */
export interface CellResult {
  dataset: string;
  learner: string;
  shots: number;
  seed: number;
  /** Accuracy on the model it was trained on. */
  accTrainModel: number;
  /** Accuracy plugged into the other model. */
  accOtherModel: number;
  testImages: number;
  trainSeconds: number;
  /** Why the learned state cannot be plugged into the other model (then accOtherModel is NaN). */
  incompatible?: string;
}

/**
 * Models, datasets, targets and cached features for prompt experiments: test features of each
 * (model, dataset) are computed once, few-shot features once per split.
 */
export class Workbench {
  readonly cache: FeatureCache;
  private readonly targets = new Map<string, PromptTarget>();
  private readonly trainSplits = new Map<string, ImageDataset>();
  private readonly testSplits = new Map<string, ImageDataset>();

  constructor(readonly options: WorkbenchOptions = {}) {
    this.cache = new FeatureCache(options.cacheDir);
  }

  target(model: LoadedModel, dataset: string): PromptTarget {
    const key = `${model.id}/${dataset}`;
    let t = this.targets.get(key);
    if (!t) {
      const prompts = classPrompts(dataset);
      t = new PromptTarget(model, prompts.classNames, { zeroShotPrompts: prompts.prompts });
      this.targets.set(key, t);
    }
    return t;
  }

  /**
   * The evaluation images: the whole test split, or a fixed seeded sample of it when a size is
   * set (the first N images of a split need not be representative: MNIST's first 500 are easier).
   */
  testSplit(dataset: string, conditional = false): ImageDataset {
    const limit = conditional ? Math.min(this.options.testSize ?? Infinity, this.options.conditionalTestSize ?? Infinity) : this.options.testSize;
    const key = `${dataset}/${limit ?? 'all'}`;
    let split = this.testSplits.get(key);
    if (!split) {
      const full = loadDataset(dataset as EmbeddedName, 'test');
      split =
        limit !== undefined && limit < full.size
          ? subset(full, new Rng(`test-sample/${dataset}`).permutation(full.size).subarray(0, limit).sort(), `test-sample${limit}`)
          : full;
      this.testSplits.set(key, split);
    }
    return split;
  }

  fewShot(dataset: string, shots: number, seed: number): ImageDataset {
    let train = this.trainSplits.get(dataset);
    if (!train) {
      train = loadDataset(dataset as EmbeddedName, 'train');
      this.trainSplits.set(dataset, train);
    }
    return fewShotSplit(train, { shots, seed });
  }

  async features(model: LoadedModel, split: ImageDataset, what: string): Promise<ImageFeatures> {
    const before = this.cache.misses;
    const t0 = performance.now();
    const f = await this.cache.get(model.clip, split);
    if (this.cache.misses > before)
      this.options.log?.(`encoded ${split.size} ${what} images with ${model.id} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return f;
  }

  /** Accuracy of a learner on a model's test split. */
  async evaluate(
    learner: PromptLearner,
    model: LoadedModel,
    dataset: string,
    sample: 'auto' | 'conditional' = 'auto',
  ): Promise<{ accuracy: number; images: number }> {
    const split = this.testSplit(dataset, learner.conditional || sample === 'conditional');
    const feats = await this.features(model, split, `${dataset} test`);
    const pred = predictClasses(learner, this.target(model, dataset), feats);
    return { accuracy: accuracyOf(pred, feats.labels), images: split.size };
  }

  /** Trains `learner` on model A's few-shot split and evaluates it on A and B. */
  async runCell(
    a: LoadedModel,
    b: LoadedModel,
    cell: { dataset: string; learner: string; shots: number; seed: number; options?: Record<string, unknown> },
    train: Partial<PromptTrainConfig>,
  ): Promise<CellResult> {
    const targetA = this.target(a, cell.dataset);
    const learner = createLearner(cell.learner, targetA, { seed: cell.seed, options: cell.options });
    try {
      const shots = this.fewShot(cell.dataset, cell.shots, cell.seed);
      const feats = await this.features(a, shots, `${cell.dataset} ${cell.shots}-shot`);
      const t0 = performance.now();
      await trainPromptLearner(learner, targetA, feats, {
        progress: false,
        ...train,
        seed: cell.seed,
        label: `${cell.learner} ${cell.dataset} ${cell.shots}-shot s${cell.seed}`,
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      const onA = await this.evaluate(learner, a, cell.dataset);
      const base = { dataset: cell.dataset, learner: cell.learner, shots: cell.shots, seed: cell.seed, accTrainModel: onA.accuracy, trainSeconds };
      // E.g. CoCoOp's meta-net reads image features: a model with another embedding size cannot take it.
      const refusal = this.refusal(learner, b, cell.dataset);
      if (refusal) return { ...base, accOtherModel: NaN, testImages: onA.images, incompatible: refusal };
      const onB = await this.evaluate(learner, b, cell.dataset);
      return { ...base, accOtherModel: onB.accuracy, testImages: onB.images };
    } finally {
      learner.dispose();
    }
  }

  /** The learner's own error when it cannot be applied to `model`, or undefined. */
  refusal(learner: PromptLearner, model: LoadedModel, dataset: string): string | undefined {
    try {
      learner.checkTarget(this.target(model, dataset));
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  dispose(): void {
    for (const t of this.targets.values()) t.dispose();
    this.targets.clear();
  }
}
