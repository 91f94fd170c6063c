import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { embedImageBytes, loadClip, ModelFolderError, type Clip, type ImageBytes, type LoadedClip } from '@hotplug/backbones';
import { extendSpace, type EmbeddingSpace, type Matrix } from '@hotplug/index';
import { embeddedAdaptersRoot, embeddedModelDir } from '@hotplug/models';
import { sha256File } from '@hotplug/runtime';
import { injectAdapter, loadAdapter, type Adapter } from '@hotplug/taca';
import { UsageError } from './errors';
import { OBJECT_SIDE, renderSingleObjects } from '@hotplug/data';

/** Where the models and the trained TaCA adapters are (defaults: the embedded pair and its adapters). */
export interface ModelDirs {
  old: string;
  new: string;
  /** Folder with one trained adapter per variant (adapter.json + adapter.safetensors). */
  adapters: string;
}

export function defaultModelDirs(): ModelDirs {
  return { old: embeddedModelDir('old'), new: embeddedModelDir('new'), adapters: embeddedAdaptersRoot() };
}

/** What encodes items or queries: a bare model, or the new model with a TaCA adapter injected. */
export interface SystemSpec {
  model: 'old' | 'new';
  /** TaCA variant (a folder under ModelDirs.adapters); only with model 'new'. */
  adapter?: string;
}

export function systemName(s: SystemSpec): string {
  return s.adapter ? `${s.model} + ${s.adapter}` : s.model;
}

/** Parses `old`, `new` or `new+VARIANT` (e.g. `new+taca-symmetric`). */
export function parseSystem(text: string): SystemSpec {
  const [model, adapter, ...rest] = text.split('+').map((s) => s.trim());
  if ((model !== 'old' && model !== 'new') || rest.length || (adapter !== undefined && (adapter === '' || model !== 'new')))
    throw new UsageError(`encoder "${text}" must be old, new or new+ADAPTER (a TaCA variant, e.g. new+taca-symmetric)`);
  return adapter ? { model, adapter } : { model };
}

interface LoadedModel {
  clip: Clip;
  fingerprint: string;
  space: EmbeddingSpace;
}

/** A ready encoder: its output space and a batch encode to unit-length rows. */
export interface SystemEncoder {
  readonly system: SystemSpec;
  readonly space: EmbeddingSpace;
  encode(images: ImageBytes, batchSize?: number): Promise<Matrix>;
}

/**
 * The models of one process, each loaded once: a worker taking many shards reuses them. An
 * adapter's space is the new model's extended by `taca-VARIANT:FINGERPRINT` (the adapter
 * weights' hash), which is what a table stamps for items it ingested through that adapter.
 */
/**
 * The collection holds 28x28 grayscale Fashion-MNIST / MNIST items; a model with another input
 * sees them drawn onto canvases in its format, the way @hotplug/data's classification tasks and
 * the benchmark draw them.
 */
function toModelInput(stack: ImageBytes, clip: Clip): ImageBytes {
  const v = clip.config.vision;
  if (stack.height === v.imageSize && stack.width === v.imageSize && stack.channels === v.channels) return stack;
  if (stack.height !== OBJECT_SIDE || stack.width !== OBJECT_SIDE || stack.channels !== 1 || (v.channels !== 1 && v.channels !== 3))
    throw new UsageError(
      `model "${clip.config.name}" takes ${v.imageSize}x${v.imageSize}x${v.channels} images; the collection holds ${stack.height}x${stack.width}x${stack.channels} ones, which only 28x28 grayscale items can be drawn from`,
    );
  const format = { size: v.imageSize, channels: v.channels as 1 | 3 };
  return {
    size: stack.size,
    height: format.size,
    width: format.size,
    channels: format.channels,
    images: renderSingleObjects(stack.images, stack.size, format, false),
  };
}

export class ModelSet {
  private readonly models = new Map<string, LoadedModel>();
  private readonly adapters = new Map<string, { adapter: Adapter; space: EmbeddingSpace }>();

  constructor(readonly dirs: ModelDirs) {}

  model(role: 'old' | 'new'): LoadedModel {
    let m = this.models.get(role);
    if (!m) {
      const dir = this.dirs[role];
      let loaded: LoadedClip;
      try {
        loaded = loadClip(dir); // any folder kind: hotplug, Hugging Face, open_clip
      } catch (err) {
        if (err instanceof ModelFolderError) throw new UsageError(`--${role} ${err.message}; the embedded pair is written by apps/pretrain`);
        throw err;
      }
      const { clip } = loaded;
      const fingerprint = sha256File(loaded.files.weights).slice(0, 16);
      m = {
        clip,
        fingerprint,
        space: { model: fingerprint, modelName: `${role}:${clip.config.name}`, dim: clip.config.embedDim, normalized: true, adapters: [] },
      };
      this.models.set(role, m);
    }
    return m;
  }

  space(system: SystemSpec): EmbeddingSpace {
    return system.adapter ? this.adapted(system.adapter).space : this.model(system.model).space;
  }

  private adapted(variant: string): { adapter: Adapter; space: EmbeddingSpace } {
    let a = this.adapters.get(variant);
    if (!a) {
      const dir = join(this.dirs.adapters, variant);
      if (!existsSync(join(dir, 'adapter.json')))
        throw new UsageError(
          `no trained TaCA adapter "${variant}" in ${this.dirs.adapters}; train one with apps/taca (hotplug-taca train --variant ${variant}) or pass --adapters DIR`,
        );
      const next = this.model('new');
      const adapter = loadAdapter(dir, next.clip.visual);
      const fingerprint = sha256File(join(dir, 'adapter.safetensors')).slice(0, 16);
      a = { adapter, space: extendSpace(next.space, `taca/${variant}:${fingerprint}`, adapter.target.oldEmbedDim) };
      this.adapters.set(variant, a);
    }
    return a;
  }

  /** An encoder for a system; TaCA hooks are installed only while it encodes. */
  encoder(system: SystemSpec): SystemEncoder {
    const space = this.space(system);
    const clip = this.model(system.model).clip;
    const adapter = system.adapter ? this.adapted(system.adapter).adapter : undefined;
    return {
      system,
      space,
      encode: async (stack, batchSize = 256) => {
        const images = toModelInput(stack, clip);
        if (!adapter) {
          const { data, rows, dim } = await embedImageBytes(clip, images, { batchSize });
          return { data, rows, dim };
        }
        // Hooks sit on the shared new encoder only while this call encodes, so systems never mix.
        const adapted = injectAdapter(clip.visual, adapter);
        try {
          const { data, rows, dim } = await embedImageBytes(clip, images, { batchSize, forward: (x) => adapted.forward(x) });
          return { data, rows, dim };
        } finally {
          adapted.dispose();
        }
      },
    };
  }

  dispose(): void {
    for (const a of this.adapters.values()) a.adapter.dispose();
    for (const m of this.models.values()) m.clip.dispose();
    this.adapters.clear();
    this.models.clear();
  }
}
