import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@hotplug/runtime';
import { compilePlan, type TransformStep } from './transform-plan';

/** Transforms as data: a pipeline is a list of these, applied in order to a float batch in [0, 1]. */
export type TransformSpec =
  /** Bilinear resize (half-pixel centres) of the whole batch. */
  | { kind: 'resize'; height: number; width: number }
  /** (x - mean) / std per channel; give one value per channel, or one for all. */
  | { kind: 'normalize'; mean: readonly number[]; std: readonly number[] }
  /** Pad by `padding` pixels (filled with `fill`, default 0) and crop back at a random offset per image. */
  | { kind: 'randomCrop'; padding: number; fill?: number }
  /** Mirror left-right each image with probability `probability` (default 0.5). */
  | { kind: 'randomFlip'; probability?: number }
  /**
   * Per image: rotate by U(-degrees, degrees), scale by U(scale[0], scale[1]) about the
   * centre, shift by U(-translate[i], translate[i]) times the size; outside filled with `fill`.
   */
  | { kind: 'randomAffine'; degrees: number; translate?: readonly [number, number]; scale?: readonly [number, number]; fill?: number }
  /** Repeat a single channel three times (grayscale data into an RGB model). */
  | { kind: 'grayscaleToRgb' };

/** A compiled transform: takes a float batch [B,H,W,C] and a generator, returns a new tensor. */
export type BatchTransform = (images: tf.Tensor4D, rng: Rng) => tf.Tensor4D;

/** Mean/std presets of common models and datasets, for `normalize`. */
export const NORMALIZATION = {
  clip: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
  /** Maps [0, 1] to [-1, 1]. */
  symmetric: { mean: [0.5], std: [0.5] },
} as const satisfies Record<string, { mean: readonly number[]; std: readonly number[] }>;

/**
 * Applies one affine row per image. Image by image on purpose: tfjs-backend-cpu 4.22's
 * Transform kernel returns after the first image of a batch and leaves the rest filled.
 */
function warp(x: tf.Tensor4D, rows: number[][], fill: number, interpolation: 'nearest' | 'bilinear'): tf.Tensor4D {
  return tf.tidy(() => {
    const images = tf.split(x, x.shape[0], 0) as tf.Tensor4D[];
    const out = images.map((img, i) => tf.image.transform(img, tf.tensor2d([[...rows[i]!, 0, 0]], [1, 8], 'float32'), interpolation, 'constant', fill));
    return out.length === 1 ? out[0]! : tf.concat(out, 0);
  });
}

/** Executes planned steps with tfjs ops; intermediates are disposed, the input is not. */
export function applyStepsTf(x: tf.Tensor4D, steps: readonly TransformStep[]): tf.Tensor4D {
  return tf.tidy(() => {
    let acc = x;
    for (const step of steps) acc = applyStepTf(acc, step);
    return acc;
  });
}

function applyStepTf(acc: tf.Tensor4D, step: TransformStep): tf.Tensor4D {
  switch (step.op) {
    case 'warp':
      return warp(acc, step.rows, step.fill, step.interpolation);
    case 'normalize':
      return tf.div(tf.sub(acc, tf.tensor1d(step.mean)), tf.tensor1d(step.std)) as tf.Tensor4D;
    case 'resize':
      return tf.image.resizeBilinear(acc, [step.height, step.width], false, true);
    case 'tile3':
      return tf.tile(acc, [1, 1, 1, 3]);
  }
}

/** Compiles one spec (validating it now, not at the first batch). */
export function createTransform(spec: TransformSpec): BatchTransform {
  return composeTransforms([spec]);
}

/** Compiles a pipeline: the specs applied in order, intermediate tensors disposed. */
export function composeTransforms(specs: readonly TransformSpec[]): BatchTransform {
  const plan = compilePlan(specs);
  return (x, rng) => applyStepsTf(x, plan(x.shape, rng));
}

/** Bytes [B,H,W,C] to a float32 tensor in [0, 1]. */
export function bytesToTensor(bytes: Uint8Array, batch: number, height: number, width: number, channels: number): tf.Tensor4D {
  if (bytes.length !== batch * height * width * channels)
    throw new Error(`bytesToTensor: ${bytes.length} bytes is not ${batch}x${height}x${width}x${channels}`);
  const f = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) f[i] = bytes[i]! / 255;
  return tf.tensor4d(f, [batch, height, width, channels], 'float32');
}

/** Training and evaluation pipelines for the embedded 28x28 datasets, as data. */
export const PRESET_PIPELINES = {
  /** Evaluation: scale to [0, 1] and normalise, nothing random. */
  eval: (norm: { mean: readonly number[]; std: readonly number[] }): TransformSpec[] => [{ kind: 'normalize', ...norm }],
  /** Training on 28x28 digits/clothes: small shifts and rotations; no flip (digits are not symmetric). */
  trainSmall: (norm: { mean: readonly number[]; std: readonly number[] }): TransformSpec[] => [
    { kind: 'randomAffine', degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] },
    { kind: 'normalize', ...norm },
  ],
};
