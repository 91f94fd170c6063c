import type * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@hotplug/runtime';
import { resolveConfig, type ClipConfig, type ClipConfigInput } from '../config';
import { ParamStore } from './params';
import { TextTransformer } from './text';
import { VisionTransformer } from './vision';

export interface Clip {
  readonly config: ClipConfig;
  readonly visual: VisionTransformer;
  readonly text: TextTransformer;
  /** log of the inverse softmax temperature (scalar variable). */
  readonly logitScale: tf.Variable;
  /** Every variable by checkpoint name (`visual.*`, `text.*`, `logit_scale`). */
  namedWeights(): Map<string, tf.Variable>;
  /** Makes every variable non-trainable. */
  freeze(): void;
  dispose(): void;
}

export interface CreateClipOptions {
  /** Seed of the random initialisation (default 0); loading weights overwrites it. */
  seed?: number | string;
  /**
   * 'random' (default) initialises as CLIP does; 'none' leaves every variable at zero, which is
   * much faster when all weights are loaded right after (as `loadClip` does).
   */
  init?: 'random' | 'none';
}

/** Builds a CLIP from a registered name or a config, randomly initialised (deterministic per seed). */
export function createClip(spec: string | ClipConfig | (ClipConfigInput & { base?: string }), options: CreateClipOptions = {}): Clip {
  const config = resolveConfig(spec);
  if (options.init !== undefined && options.init !== 'random' && options.init !== 'none')
    throw new Error(`createClip: init must be 'random' or 'none', got ${JSON.stringify(options.init)}`);
  const store = new ParamStore(new Rng(options.seed ?? 0), options.init === 'none');
  const visual = new VisionTransformer(config, store);
  const text = new TextTransformer(config, store);
  const logitScale = store.create('logit_scale', [], { kind: 'constant', value: config.logitScaleInit });
  return {
    config,
    visual,
    text,
    logitScale,
    namedWeights: () => new Map(store.entries()),
    freeze() {
      for (const [, v] of store.entries()) v.trainable = false;
    },
    dispose: () => store.dispose(),
  };
}
