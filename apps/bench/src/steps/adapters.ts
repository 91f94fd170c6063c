import type * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { imageFeatures, SpecError, type AdapterFacts, type AdapterStep, type FeatureSet, type Split } from '@hotplug/bench';
import { sha256File } from '@hotplug/runtime';
import { ADAPTER_WEIGHTS_FILE, injectAdapter, loadAdapter } from '@hotplug/taca';
import type { Workspace } from '../systems';

/** What apps/taca's training.json says about one trained adapter (absent fields stay n/a in the report). */
function adapterFacts(dir: string): AdapterFacts | undefined {
  const path = join(dir, 'training.json');
  if (!existsSync(path)) return undefined;
  const t = JSON.parse(readFileSync(path, 'utf8')) as { adapterParameters?: number; seconds?: number; steps?: number; trainedFraction?: number };
  return {
    ...(typeof t.adapterParameters === 'number' ? { trainableParameters: t.adapterParameters } : {}),
    ...(typeof t.seconds === 'number' ? { trainingMinutes: t.seconds / 60 } : {}),
    ...(typeof t.steps === 'number'
      ? { note: `${t.steps} steps${typeof t.trainedFraction === 'number' ? `, ${(100 * t.trainedFraction).toFixed(1)}% of the encoder's parameters` : ''}` }
      : {}),
  };
}

/**
 * TaCA adapters trained by apps/taca (one folder per variant), applied to the new model.
 * Features of a (model, adapter) pair are computed once per run and shared by the adapter
 * step and the learners that need them.
 */
export class AdapterSteps {
  private readonly memo = new Map<string, Promise<FeatureSet>>();
  /** Adapters that only transform a model's features (post-hoc maps), by id. */
  private readonly transforms = new Map<string, (model: string, dataset: string, split: Split) => Promise<FeatureSet>>();

  constructor(
    private readonly ws: Workspace,
    /** variant name -> folder with adapter.safetensors + adapter.json */
    readonly dirs: Record<string, string>,
  ) {}

  /** Folders under `root` named after the variants, each must hold a trained adapter. */
  static fromRoot(ws: Workspace, root: string, variants: readonly string[]): AdapterSteps {
    const dirs: Record<string, string> = {};
    for (const v of variants) {
      const dir = resolve(root, v);
      // A spec names adapters, never paths: each must be a folder directly under the root.
      if (dirname(dir) !== resolve(root))
        throw new SpecError(
          `adapter "${v}" is not a folder name under ${root}; name a trained adapter (a folder of ${root}), not a path`,
          'spec',
          'systems.adapter',
        );
      if (!existsSync(join(dir, ADAPTER_WEIGHTS_FILE)))
        throw new Error(`no trained "${v}" adapter in ${dir}; train it with: npm run start -w @hotplug/app-taca -- train --variant ${v} --out ${root}`);
      dirs[v] = dir;
    }
    return new AdapterSteps(ws, dirs);
  }

  step(variant: string): AdapterStep {
    const dir = this.dirs[variant];
    if (!dir) throw new Error(`unknown adapter "${variant}"; adapters: ${Object.keys(this.dirs).join(', ')}`);
    return {
      version: `${variant}-${sha256File(join(dir, ADAPTER_WEIGHTS_FILE)).slice(0, 16)}-${this.ws.dataVersion}`,
      extract: ({ model, dataset, split }) => this.features(model, variant, dataset, split),
      facts: adapterFacts(dir),
    };
  }

  /** Makes `id` an adapter computed from the model's features (learners then see it like a TaCA adapter). */
  addFeatureTransform(id: string, transform: (model: string, dataset: string, split: Split) => Promise<FeatureSet>): void {
    if (this.transforms.has(id) || this.dirs[id]) throw new Error(`an adapter named "${id}" is already registered`);
    this.transforms.set(id, transform);
  }

  /** Features of a model, through an adapter when one is named. */
  features(model: string, adapter: string | undefined, dataset: string, split: Split): Promise<FeatureSet> {
    const key = `${model}|${adapter ?? ''}|${dataset}|${split}`;
    let pending = this.memo.get(key);
    if (!pending) {
      const transform = adapter === undefined ? undefined : this.transforms.get(adapter);
      pending =
        adapter === undefined
          ? this.ws.features(model, dataset, split)
          : transform
            ? transform(model, dataset, split)
            : this.adapted(model, adapter, dataset, split);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private async adapted(model: string, variant: string, dataset: string, split: Split): Promise<FeatureSet> {
    const dir = this.dirs[variant];
    if (!dir) throw new Error(`unknown adapter "${variant}"; adapters: ${Object.keys(this.dirs).join(', ')}`);
    const m = this.ws.model(model);
    const encoder = injectAdapter(m.clip.visual, loadAdapter(dir, m.clip.visual));
    try {
      const ds = this.ws.split(dataset, split, this.ws.inputFormat(model));
      const features = await imageFeatures({ id: `${model}+${variant}`, clip: m.clip, forward: (x: tf.Tensor4D) => encoder.forward(x) }, ds);
      return { features, labels: ds.labels };
    } finally {
      encoder.dispose();
      encoder.adapter.dispose();
    }
  }
}
