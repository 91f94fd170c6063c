import type { ArtefactCache } from './cache';
import { cellKey } from './keys';
import type { RunStats } from './results';
import type { SystemSpec } from './spec';
import type { FeatureSet, Split, StepRegistry } from './steps';

/**
 * Hands out each system's features for a dataset split: from memory, else from the
 * cache, else by running the model (and adapter) step, which is then cached.
 */
export class FeatureProvider {
  private readonly memory = new Map<string, Promise<FeatureSet>>();

  constructor(
    private readonly steps: StepRegistry,
    private readonly cache: ArtefactCache,
    private readonly stats: RunStats,
  ) {}

  /** What the features depend on; its hash is their cache key and is part of downstream keys. */
  config(system: SystemSpec, dataset: string, split: Split): Record<string, unknown> {
    const model = { name: system.model, version: this.steps.models.get(system.model)!.version };
    const adapter = system.adapter === undefined ? null : { name: system.adapter, version: this.steps.adapters.get(system.adapter)!.version };
    return { stage: 'features', model, adapter, dataset, split };
  }

  key(system: SystemSpec, dataset: string, split: Split): string {
    return cellKey(this.config(system, dataset, split));
  }

  get(system: SystemSpec, dataset: string, split: Split): Promise<FeatureSet> {
    const key = this.key(system, dataset, split);
    let pending = this.memory.get(key);
    if (!pending) {
      pending = this.load(system, dataset, split, key);
      this.memory.set(key, pending);
    }
    return pending;
  }

  private async load(system: SystemSpec, dataset: string, split: Split, key: string): Promise<FeatureSet> {
    const cached = this.cache.readFeatures(key);
    if (cached) {
      this.stats.featuresCached++;
      return cached;
    }
    // An adapter's base features go through this provider too, so they are cached and shared.
    const set =
      system.adapter === undefined
        ? await this.steps.models.get(system.model)!.extract({ dataset, split })
        : await this.steps.adapters.get(system.adapter)!.extract({
            model: system.model,
            dataset,
            split,
            base: () => this.get({ id: system.model, model: system.model }, dataset, split),
          });
    check(set, system.id, dataset, split);
    this.stats.featuresExtracted++;
    this.cache.writeFeatures(key, set, system.id, this.config(system, dataset, split));
    return { features: { ...set.features, modelId: system.id }, labels: set.labels };
  }
}

function check(set: FeatureSet, system: string, dataset: string, split: Split): void {
  if (set.labels.length !== set.features.rows) {
    throw new Error(`system "${system}" gave ${set.features.rows} feature rows but ${set.labels.length} labels for ${dataset}/${split}`);
  }
}
