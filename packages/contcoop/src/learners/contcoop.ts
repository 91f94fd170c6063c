import * as tf from '@tensorflow/tfjs-core';
import { scaledDotProductAttention } from '@hotplug/kernels';
import { BaseLearner, type LearnerInit } from '../learner';
import { assemblePrompts } from '../layout';
import type { PromptTarget } from '../target';
import { CONTEXT_DEFAULTS, checkContextOptions, initialContext, normalValues, type ContextOptions } from './context';
import { encodePrompts, LayoutCache } from './coop';
import { distillation } from './distill';

export interface ContcoopOptions extends ContextOptions {
  /** Heads of the class-conditioning attention (must divide the token width). */
  heads: number;
  /** Add the raw context to the attention output. Off by default: the raw context lives in the training model's embedding space and would not follow a model update. */
  residual: boolean;
  /** Start the value and output projections at the identity, so the initial context is a mix of the class name's own token embeddings ('identity'), or random ('random'). */
  valueInit: 'identity' | 'random';
  /** λ of the distillation towards the zero-shot prompts' predictions. */
  distillWeight: number;
  /** Softmax temperature of both distributions in the distillation (loss scaled by T²). */
  distillTemperature: number;
}

export const CONTCOOP_DEFAULTS: ContcoopOptions = { ...CONTEXT_DEFAULTS, heads: 4, residual: false, valueInit: 'identity', distillWeight: 1, distillTemperature: 1 };

/**
 * ContCoOp (Wang et al., arXiv 2412.20895): the learned context vectors are queries of a
 * multi-head attention whose keys and values are the class name's token embeddings, read
 * from the text encoder in use; its output is the class's context, fed to the text encoder.
 * Loss: cross-entropy + λ · KL(zero-shot prediction ‖ prediction).
 */
export class ContcoopLearner extends BaseLearner {
  readonly kind = 'contcoop';
  private readonly options: ContcoopOptions;
  private readonly layouts: LayoutCache;
  private readonly query: tf.Variable;
  private readonly proj: Record<'q' | 'k' | 'v' | 'o', tf.Variable>;

  constructor(options: Partial<ContcoopOptions>, init: LearnerInit) {
    const o = { ...CONTCOOP_DEFAULTS, ...options };
    checkContextOptions('contcoop', o);
    const w = init.shape.tokenWidth;
    if (!Number.isInteger(o.heads) || o.heads < 1 || w % o.heads !== 0) throw new Error(`contcoop: heads (${o.heads}) must be a positive integer dividing the token width ${w}`);
    if (o.valueInit !== 'identity' && o.valueInit !== 'random') throw new Error(`contcoop: valueInit must be 'identity' or 'random', got "${o.valueInit}"`);
    if (!(o.distillWeight >= 0)) throw new Error(`contcoop: distillWeight must be >= 0, got ${o.distillWeight}`);
    if (!(o.distillTemperature > 0)) throw new Error(`contcoop: distillTemperature must be > 0, got ${o.distillTemperature}`);
    super(o as unknown as Record<string, unknown>, init.shape);
    this.options = o;
    this.layouts = new LayoutCache(o);
    const rng = init.rng;
    this.query = this.addParam('ctx', tf.squeeze(initialContext('contcoop', o, 1, w, rng.fork('ctx'), init.target), [0]), [o.nCtx, w]);
    const random = (name: string) => normalValues(rng.fork(name), w * w, w ** -0.5);
    const identity = () => eye(w);
    this.proj = {
      q: this.addParam('attn.q.weight', random('q'), [w, w]),
      k: this.addParam('attn.k.weight', random('k'), [w, w]),
      v: this.addParam('attn.v.weight', o.valueInit === 'identity' ? identity() : random('v'), [w, w]),
      o: this.addParam('attn.out.weight', o.valueInit === 'identity' ? identity() : random('o'), [w, w]),
    };
  }

  /** Class-conditioned context [C, M, W] for the target's class names. */
  classContext(target: PromptTarget): tf.Tensor3D {
    return tf.tidy(() => {
      const { heads, nCtx, residual } = this.options;
      const w = this.shape.tokenWidth;
      const dh = w / heads;
      const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [1, x.shape[0], heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
      const q = split(tf.matMul(this.query as tf.Tensor2D, this.proj.q));
      const perClass = target.classTokens.map((_, c) => {
        const names = target.classNameEmbeddings(c);
        const attended = scaledDotProductAttention(q, split(tf.matMul(names, this.proj.k)), split(tf.matMul(names, this.proj.v)));
        const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [nCtx, w]);
        const out = tf.matMul(merged, this.proj.o);
        return residual ? tf.add(out, this.query) : out;
      });
      return tf.stack(perClass) as tf.Tensor3D;
    });
  }

  classFeatures(target: PromptTarget): tf.Tensor2D {
    return tf.tidy(() => {
      const { embeddings, eot } = assemblePrompts(target, this.layouts.get(target), this.classContext(target), 'class');
      return encodePrompts(target, embeddings, eot);
    });
  }

  protected override extraLoss(target: PromptTarget, images: tf.Tensor2D, logits: tf.Tensor2D) {
    if (this.options.distillWeight === 0) return undefined;
    const kl = distillation(target, images, logits, this.options.distillTemperature);
    return { value: tf.mul(kl, this.options.distillWeight) as tf.Scalar, metrics: { distill: kl } };
  }
}

function eye(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}
