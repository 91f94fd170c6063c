import * as tf from '@tensorflow/tfjs-core';
import { InputError, type Rng } from '@hotplug/runtime';
import { CLASS_POSITIONS, type ClassPosition } from '../layout';
import type { PromptTarget } from '../target';

/** Options shared by every learner with CoOp-style context vectors. */
export interface ContextOptions {
  /** Number of context vectors M (default 4: the embedded models have 16 positions). */
  nCtx: number;
  /** Class-name tokens after ('end'), inside ('middle') or before ('front') the context. */
  position: ClassPosition;
  /**
   * Initialise the context from this text's token embeddings in the model the learner is
   * created on (it must tokenize to nCtx tokens), e.g. "a photo of a"; empty: random N(0, initStd²).
   */
  initText: string;
  initStd: number;
}

/** A learner option that is out of range or of the wrong kind (`source`: the learner kind, `field`: the option). */
export class LearnerOptionError extends InputError {
  override name = 'LearnerOptionError';
}

export const CONTEXT_DEFAULTS: ContextOptions = { nCtx: 4, position: 'end', initText: '', initStd: 0.02 };

export function checkContextOptions(kind: string, o: ContextOptions): void {
  if (!Number.isInteger(o.nCtx) || o.nCtx < 1) throw new LearnerOptionError(`${kind}: nCtx must be a positive integer, got ${o.nCtx}`, kind, 'nCtx');
  if (!CLASS_POSITIONS.includes(o.position))
    throw new LearnerOptionError(`${kind}: position must be one of ${CLASS_POSITIONS.join(', ')}, got "${o.position}"`, kind, 'position');
  if (!(o.initStd > 0)) throw new LearnerOptionError(`${kind}: initStd must be > 0, got ${o.initStd}`, kind, 'initStd');
}

/** Seeded normal values (std) of a given count. */
export function normalValues(rng: Rng, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal() * std;
  return out;
}

/**
 * Initial context [groups, M, W]: every group gets the embeddings of `initText` when it is set
 * and a target is known, otherwise seeded random values.
 */
export function initialContext(kind: string, o: ContextOptions, groups: number, width: number, rng: Rng, target?: PromptTarget): tf.Tensor3D {
  if (o.initText && target) {
    const ids = target.tokenizer.tokenize(o.initText);
    if (ids.length !== o.nCtx) throw new Error(`${kind}: initText "${o.initText}" is ${ids.length} tokens but nCtx is ${o.nCtx}; make them agree`);
    return tf.tidy(() => {
      const rows = tf.gather(target.model.clip.text.tokenEmbedding, tf.tensor1d(ids, 'int32'));
      return tf.tile(tf.expandDims(rows, 0), [groups, 1, 1]) as tf.Tensor3D;
    });
  }
  return tf.tensor3d(normalValues(rng, groups * o.nCtx * width, o.initStd), [groups, o.nCtx, width]);
}
