import { loadClip, ModelFolderError, type LoadedClip } from '@hotplug/backbones';
import { cutTask, imageFeatures, sampleTestIndices, taskImageSets, type EvaluatedModel, type FeatureSet, type Split, type TaskPart } from '@hotplug/bench';
import {
  classPrompts,
  decodeIndex,
  loadTask,
  indexLabels,
  loadDataset,
  renderSingleObjects,
  subset,
  subsetIndex,
  type ClassPrompts,
  type ImageDataset,
  type ImageFormat,
  type TaskData,
} from '@hotplug/data';
import { embeddedModelDir } from '@hotplug/models';
import { sha256File } from '@hotplug/runtime';
import { userDatasetIndex, userDatasetsVersion, type UserDatasetSpec } from './user-datasets';

/** How much of each dataset the benchmark reads. */
export interface DataLimits {
  /** Train images per dataset for heads and galleries (evenly strided pick; default all). */
  trainImages?: number;
  /** Test images per dataset (a seeded sample stratified by class, @hotplug/bench's sampleTestIndices; default all). */
  testImages?: number;
  /**
   * The user's own datasets by name (image folders, caption files with labels), paths absolute
   * (readBenchSpec resolves them against the spec file's folder); `experiment.datasets` may name them.
   */
  userDatasets?: Record<string, UserDatasetSpec>;
  /** Items of each downstream task the run evaluates (scenes generated; Fashion-MNIST / MNIST cut, stratified); absent: the task's default. */
  taskItems?: Record<string, number | undefined>;
}

/** The dataset name under which a part of a downstream task travels through the feature steps (adapters and maps included). */
export function taskDatasetName(task: string, part: TaskPart): string {
  return `task:${task}:${part}`;
}

/**
 * The models of a run, loaded once, and the dataset splits they are evaluated on. Adapter
 * and learner steps come here for the same models and images, so everything in one run sees
 * the same data.
 */
export class Workspace {
  private readonly models = new Map<string, EvaluatedModel & { version: string }>();
  private readonly splits = new Map<string, ImageDataset>();
  private readonly tasks = new Map<string, TaskData>();

  constructor(
    readonly modelDirs: Record<string, string>,
    readonly limits: DataLimits = {},
  ) {}

  /** The embedded pair, or the folders given. */
  static embedded(limits: DataLimits = {}, dirs: Partial<Record<'old' | 'new', string>> = {}): Workspace {
    return new Workspace({ old: dirs.old ?? embeddedModelDir('old'), new: dirs.new ?? embeddedModelDir('new') }, limits);
  }

  model(name: string): EvaluatedModel & { version: string } {
    let m = this.models.get(name);
    if (!m) {
      const dir = this.modelDirs[name];
      if (!dir) throw new Error(`no model named "${name}" in this benchmark; models: ${Object.keys(this.modelDirs).join(', ')}`);
      let loaded: LoadedClip;
      try {
        loaded = loadClip(dir); // any folder kind: hotplug, Hugging Face, open_clip
      } catch (err) {
        if (!(err instanceof ModelFolderError)) throw err;
        throw new ModelFolderError(
          { file: `model "${name}"`, problem: `${err.file} ${err.problem}`, fix: `${err.fix ?? ''}; the embedded models are written by apps/pretrain` },
          err.kinds,
        );
      }
      const { clip, tokenizer } = loaded;
      if (!tokenizer) {
        clip.dispose();
        throw new Error(`model "${name}" in ${dir} has no tokenizer.json`);
      }
      m = { id: name, clip, tokenizer, version: sha256File(loaded.files.weights).slice(0, 16) };
      this.models.set(name, m);
    }
    return m;
  }

  /**
   * A dataset split in the given model input format: Fashion-MNIST / MNIST digits are drawn
   * onto canvases the way @hotplug/data's classification tasks draw them (the picked images only).
   */
  split(dataset: string, split: Split, format?: ImageFormat): ImageDataset {
    const key = `${dataset}/${split}/${format ? `${format.size}x${format.channels}` : 'native'}`;
    let ds = this.splits.get(key);
    if (!ds && dataset.startsWith('task:')) {
      const [, task, part] = dataset.split(':') as [string, string, TaskPart];
      if (split !== 'test') throw new Error(`downstream task ${task} has test items only; nothing reads its ${split} split`);
      if (!format) throw new Error(`downstream task ${task} is drawn in a model's input format; name the format`);
      ds = taskImageSets(this.task(task, format))[part];
      if (!ds) throw new Error(`downstream task ${task} has no ${part}`);
      this.splits.set(key, ds);
    }
    if (!ds && this.limits.userDatasets?.[dataset]) {
      ds = this.userSplit(dataset, this.limits.userDatasets[dataset], split, format);
      this.splits.set(key, ds);
    }
    if (!ds) {
      const full = loadDataset(dataset, split);
      const picked = this.pick(full.labels, split, dataset);
      ds = picked ? subset(full, picked) : full;
      if (format && (format.size !== ds.height || format.channels !== ds.channels))
        ds = {
          ...ds,
          height: format.size,
          width: format.size,
          channels: format.channels,
          images: renderSingleObjects(ds.images, ds.size, format, false, `${dataset} ${split} canvases`),
        };
      this.splits.set(key, ds);
    }
    return ds;
  }

  /**
   * A downstream task drawn in `format`, with the run's item count; the scenes are the same in
   * every format (seeded), only their drawing differs, so labels and targets agree across models.
   */
  task(name: string, format: ImageFormat): TaskData {
    const key = `${name}/${format.size}x${format.channels}`;
    let t = this.tasks.get(key);
    if (!t) {
      const items = this.limits.taskItems?.[name];
      const whole = name === 'fashion-mnist' || name === 'mnist';
      // Dataset tasks are whole test splits (cut to the item count); scene tasks are generated at it.
      t = cutTask(loadTask(name, { format, ...(items !== undefined && !whole ? { size: items } : {}) }), whole ? items : undefined);
      this.tasks.set(key, t);
    }
    return t;
  }

  /** The images of a split the data limits keep (train: an evenly strided pick; test: a seeded stratified sample), or undefined for all. */
  private pick(labels: Int32Array, split: Split, dataset: string): Int32Array | undefined {
    const limit = split === 'train' ? this.limits.trainImages : this.limits.testImages;
    if (limit === undefined || limit >= labels.length) return undefined;
    if (split === 'train') {
      const stride = labels.length / limit;
      return Int32Array.from({ length: limit }, (_, i) => Math.floor(i * stride));
    }
    return sampleTestIndices(labels, limit, dataset);
  }

  /**
   * A user dataset's split: listed by @hotplug/data's readers, cut by the data limits, and only
   * the kept images decoded, brought to `format` as CLIP's preprocessing does (shorter side scaled, centre crop) and converted to its channels (native size, RGB without one).
   */
  private userSplit(name: string, spec: UserDatasetSpec, split: Split, format?: ImageFormat): ImageDataset {
    const index = userDatasetIndex(name, spec, split);
    const picked = this.pick(indexLabels(index), split, name);
    const kept = picked ? subsetIndex(index, picked) : index;
    return decodeIndex(kept, { ...(format ? { size: [format.size, format.size] as const, channels: format.channels, fit: 'center-crop' as const } : {}) })
      .dataset;
  }

  /** Zero-shot prompts of a dataset's classes: the registered datasets' own, or a user dataset's class names. */
  classPrompts(dataset: string): ClassPrompts {
    const user = this.limits.userDatasets?.[dataset];
    return user ? classPrompts(dataset, userDatasetIndex(dataset, user, 'train').classNames) : classPrompts(dataset);
  }

  /** The pixel format a model takes. */
  inputFormat(model: string): ImageFormat {
    const v = this.model(model).clip.config.vision;
    if (v.channels !== 1 && v.channels !== 3)
      throw new Error(`model "${model}" takes ${v.channels}-channel images; the benchmark's datasets come in 1 or 3 channels`);
    return { size: v.imageSize, channels: v.channels };
  }

  /** Image features of a model (with whatever adapter hooks are installed on it now). */
  async features(model: string, dataset: string, split: Split, id = model): Promise<FeatureSet> {
    const m = this.model(model);
    const ds = this.split(dataset, split, this.inputFormat(model));
    return { features: await imageFeatures({ id, clip: m.clip }, ds), labels: ds.labels };
  }

  /** A string that changes when the data limits change (part of every step version). */
  get dataVersion(): string {
    const user = this.limits.userDatasets && Object.keys(this.limits.userDatasets).length > 0 ? this.userVersion() : '';
    return `${user}train${this.limits.trainImages ?? 'all'}-test${this.limits.testImages === undefined ? 'all' : `${this.limits.testImages}-stratified`}`;
  }

  /** A string that changes when a task's items change (part of the task cache keys). */
  taskVersion(name: string): string {
    return `${name}-items${this.limits.taskItems?.[name] ?? 'default'}`;
  }

  private userVersionCache?: string;
  private userVersion(): string {
    this.userVersionCache ??= `user-${userDatasetsVersion(this.limits.userDatasets!)}-`;
    return this.userVersionCache;
  }

  dispose(): void {
    for (const m of this.models.values()) m.clip.dispose();
    this.models.clear();
  }
}
