import * as tf from '@tensorflow/tfjs-core';
import { visionTokenCount, type ClipConfig } from '../config';
import { tfjsOps } from '../ops/tfjs-ops';
import type { TensorOps } from '../ops/types';
import type { ParamStore } from './params';
import { TfjsEncoderBase, type EncoderOutput, type TraceOptions } from './encoder';
import { createBlocks, runBlock, type TransformerShape } from './transformer';

/** CLIP ViT: patch embedding, class token, positional embedding, pre-LN, blocks, post-LN on the class token, projection. */
export class VisionTransformer extends TfjsEncoderBase<tf.Tensor4D> {
  readonly embedDim: number;
  readonly shape: TransformerShape;

  constructor(config: ClipConfig, store: ParamStore) {
    super(config, store, 'visual');
    this.embedDim = config.embedDim;
    const v = config.vision;
    this.shape = {
      width: v.width,
      depth: v.depth,
      heads: v.heads,
      mlpRatio: v.mlpRatio,
      activation: v.activation,
      epsilon: config.layerNormEpsilon,
      causal: false,
    };
    const scale = v.width ** -0.5;
    store.create('visual.patch_embed.weight', [v.patchSize, v.patchSize, v.channels, v.width], {
      kind: 'normal',
      std: (v.patchSize * v.patchSize * v.channels) ** -0.5,
    });
    store.create('visual.class_token', [v.width], { kind: 'normal', std: scale });
    store.create('visual.pos_embed', [visionTokenCount(v), v.width], { kind: 'normal', std: scale });
    store.create('visual.ln_pre.gamma', [v.width], { kind: 'ones' });
    store.create('visual.ln_pre.beta', [v.width], { kind: 'zeros' });
    createBlocks(store, 'visual', this.shape);
    store.create('visual.ln_post.gamma', [v.width], { kind: 'ones' });
    store.create('visual.ln_post.beta', [v.width], { kind: 'zeros' });
    store.create('visual.proj.weight', [v.width, config.embedDim], { kind: 'normal', std: scale });
  }

  /** Runs the encoder with any tensor implementation (tfjs eagerly, or an ONNX recorder). */
  trace<T>(ops: TensorOps<T>, images: T, options: TraceOptions = {}): EncoderOutput<T> {
    const v = this.config.vision;
    const w = (name: string) => ops.weight(name, this.store.get(name));
    let x = ops.patchEmbed(images, w('visual.patch_embed.weight'), v.patchSize);
    x = ops.add(ops.prependToken(x, w('visual.class_token')), w('visual.pos_embed'));
    x = ops.layerNorm(x, w('visual.ln_pre.gamma'), w('visual.ln_pre.beta'), this.config.layerNormEpsilon);
    const ctx = { ops, store: this.store, prefix: 'visual', encoder: 'visual' as const, hooks: this.hooks, extraHooks: options.hooks ?? [] };
    const tokens = new Map<number, T>();
    for (let i = 0; i < v.depth; i++) {
      x = runBlock(ctx, this.shape, i, x);
      if (this.wantsTokens(options, i)) tokens.set(i, x);
    }
    const normed = ops.layerNorm(ops.selectToken(x, 0), w('visual.ln_post.gamma'), w('visual.ln_post.beta'), this.config.layerNormEpsilon);
    return this.project(ops, normed, w('visual.proj.weight'), tokens, ctx.extraHooks);
  }

  /** Differentiable tfjs forward pass; wrap in tf.tidy or dispose the outputs. */
  forward(images: tf.Tensor4D, options?: TraceOptions): EncoderOutput<tf.Tensor> {
    this.validate(images);
    return this.trace(tfjsOps, images, options);
  }

  protected embedChunk(chunk: tf.Tensor4D): tf.Tensor2D {
    return this.trace(tfjsOps, chunk).embedding as tf.Tensor2D;
  }

  protected validate(images: tf.Tensor4D): void {
    const v = this.config.vision;
    const want = [v.imageSize, v.imageSize, v.channels];
    if (!(images instanceof tf.Tensor)) throw new Error('image encoder input must be a tf.Tensor4D [batch, H, W, C]');
    if (images.rank !== 4 || images.shape.slice(1).some((d, i) => d !== want[i]))
      throw new Error(
        `image encoder "${this.config.name}" expects NHWC images [batch, ${want.join(', ')}], got [${images.shape.join(', ')}]${images.rank === 4 && images.shape[1] === v.channels ? ' (looks like NCHW: transpose to NHWC with tf.transpose(x, [0, 2, 3, 1]))' : ''}`,
      );
    if (images.dtype !== 'float32') throw new Error(`image encoder expects float32 images, got ${images.dtype}`);
  }
}
