import * as tf from '@tensorflow/tfjs-core';
import { tfjsOps, type ImageEncoder, type TensorOps, type VisionTransformer } from '@hotplug/backbones';
import type { Adapter } from './adapter';

/**
 * The frozen new encoder with an adapter injected through its hooks (no fork of the model):
 * images in, features in the old model's embedding space out. The caller keeps ownership of
 * the encoder and the adapter; `dispose()` only uninstalls the hooks.
 */
export class AdaptedEncoder implements ImageEncoder {
  private removeHooks: (() => void) | null;

  constructor(
    readonly visual: VisionTransformer,
    readonly adapter: Adapter,
  ) {
    const v = visual.config.vision;
    const t = adapter.target;
    if (t.width !== v.width || t.depth !== v.depth || t.embedDim !== visual.embedDim)
      throw new Error(
        `adapter was built for an encoder of width ${t.width}, depth ${t.depth}, embedding ${t.embedDim}, but "${visual.config.name}" has width ${v.width}, depth ${v.depth}, embedding ${visual.embedDim}; build the adapter with adapterTarget(visual, oldEmbedDim)`,
      );
    this.removeHooks = adapter.hooks ? visual.addHooks(adapter.hooks) : () => {};
  }

  /** The old model's embedding dimension: what the adapted features have. */
  get embedDim(): number {
    return this.adapter.target.oldEmbedDim;
  }

  /** Records or runs the adapted encoder with any TensorOps (used by the ONNX export). */
  trace<T>(ops: TensorOps<T>, images: T): T {
    this.assertLive();
    return this.adapter.project(ops, this.visual.trace(ops, images).embedding);
  }

  /** Differentiable tfjs forward pass: [B, oldEmbedDim]. Wrap in tf.tidy. */
  forward(images: tf.Tensor4D): tf.Tensor2D {
    this.assertLive();
    return this.adapter.project(tfjsOps, this.visual.forward(images).embedding) as tf.Tensor2D;
  }

  async encode(batch: tf.Tensor4D, options: { batchSize?: number } = {}): Promise<tf.Tensor2D> {
    const size = options.batchSize ?? 64;
    if (!Number.isInteger(size) || size <= 0) throw new Error(`batchSize must be a positive integer, got ${size}`);
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < batch.shape[0]; start += size) {
      const count = Math.min(size, batch.shape[0] - start);
      parts.push(tf.tidy(() => this.forward(count === batch.shape[0] ? batch : (tf.slice(batch, start, count) as tf.Tensor4D))));
      await tf.nextFrame();
    }
    if (parts.length === 1) return parts[0]!;
    const all = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return all;
  }

  /** Uninstalls the adapter's hooks; the encoder is the plain new encoder again. */
  dispose(): void {
    this.removeHooks?.();
    this.removeHooks = null;
  }

  private assertLive(): void {
    if (!this.removeHooks) throw new Error('this AdaptedEncoder was disposed (its hooks are removed); inject the adapter again');
  }
}

/** Inserts the adapter into the encoder (PEFT's inject_adapter): returns the adapted encoder. */
export function injectAdapter(visual: VisionTransformer, adapter: Adapter): AdaptedEncoder {
  return new AdaptedEncoder(visual, adapter);
}
