import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadClip, MODEL_FILE } from '@hotplug/backbones';
import { imageFeatures, sampleTestIndices, type EvaluatedModel, type FeatureSet, type Split } from '@hotplug/bench';
import { loadDataset, subset, type ImageDataset } from '@hotplug/data';
import { embeddedModelDir } from '@hotplug/models';
import { sha256File } from '@hotplug/runtime';

/** How much of each dataset the benchmark reads. */
export interface DataLimits {
  /** Train images per dataset for heads and galleries (evenly strided pick; default all). */
  trainImages?: number;
  /** Test images per dataset (a seeded sample stratified by class, @hotplug/bench's sampleTestIndices; default all). */
  testImages?: number;
}

/**
 * The models of a run, loaded once, and the dataset splits they are evaluated on. Adapter
 * and learner steps come here for the same models and images, so everything in one run sees
 * the same data.
 */
export class Workspace {
  private readonly models = new Map<string, EvaluatedModel & { version: string }>();
  private readonly splits = new Map<string, ImageDataset>();

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
      if (!existsSync(join(dir, MODEL_FILE))) throw new Error(`model "${name}": ${join(dir, MODEL_FILE)} is missing; train the embedded pair with apps/pretrain or pass a model folder`);
      const { clip, tokenizer } = loadClip(dir);
      if (!tokenizer) throw new Error(`model "${name}" in ${dir} has no tokenizer.json`);
      m = { id: name, clip, tokenizer, version: sha256File(join(dir, MODEL_FILE)).slice(0, 16) };
      this.models.set(name, m);
    }
    return m;
  }

  split(dataset: string, split: Split): ImageDataset {
    const key = `${dataset}/${split}`;
    let ds = this.splits.get(key);
    if (!ds) {
      const full = loadDataset(dataset, split);
      const limit = split === 'train' ? this.limits.trainImages : this.limits.testImages;
      if (limit === undefined || limit >= full.size) ds = full;
      else if (split === 'train') {
        const stride = full.size / limit;
        ds = subset(full, Int32Array.from({ length: limit }, (_, i) => Math.floor(i * stride)));
      } else ds = subset(full, sampleTestIndices(full.labels, limit, dataset));
      this.splits.set(key, ds);
    }
    return ds;
  }

  /** Image features of a model (with whatever adapter hooks are installed on it now). */
  async features(model: string, dataset: string, split: Split, id = model): Promise<FeatureSet> {
    const ds = this.split(dataset, split);
    const m = this.model(model);
    return { features: await imageFeatures({ id, clip: m.clip }, ds), labels: ds.labels };
  }

  /** A string that changes when the data limits change (part of every step version). */
  get dataVersion(): string {
    return `train${this.limits.trainImages ?? 'all'}-test${this.limits.testImages === undefined ? 'all' : `${this.limits.testImages}-stratified`}`;
  }

  dispose(): void {
    for (const m of this.models.values()) m.clip.dispose();
    this.models.clear();
  }
}
