import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@hotplug/runtime';

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

type Factory<K extends TransformSpec['kind']> = (spec: Extract<TransformSpec, { kind: K }>) => BatchTransform;

/** Rows of tf.image.transform: output (x, y) reads input (a0 x + a1 y + a2, b0 x + b1 y + b2). */
function affineRows(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows.map((r) => [...r, 0, 0]), [rows.length, 8], 'float32');
}

/**
 * Applies one affine row per image. Image by image on purpose: tfjs-backend-cpu 4.22's
 * Transform kernel returns after the first image of a batch and leaves the rest filled.
 */
function applyRows(x: tf.Tensor4D, rows: number[][], fill: number, interpolation: 'nearest' | 'bilinear'): tf.Tensor4D {
  return tf.tidy(() => {
    const images = tf.split(x, x.shape[0], 0) as tf.Tensor4D[];
    const out = images.map((img, i) => tf.image.transform(img, affineRows([rows[i]!]), interpolation, 'constant', fill));
    return out.length === 1 ? out[0]! : tf.concat(out, 0);
  });
}

const FACTORIES: { [K in TransformSpec['kind']]: Factory<K> } = {
  resize: (spec) => {
    if (!(spec.height > 0 && spec.width > 0)) throw new Error(`resize needs positive height and width, got ${spec.height}x${spec.width}`);
    return (x) => tf.image.resizeBilinear(x, [spec.height, spec.width], false, true);
  },
  normalize: (spec) => {
    if (spec.mean.length !== spec.std.length) throw new Error(`normalize: ${spec.mean.length} means but ${spec.std.length} stds`);
    if (spec.std.some((s) => !(s > 0))) throw new Error('normalize: every std must be > 0');
    return (x) => {
      const c = x.shape[3];
      if (spec.mean.length !== 1 && spec.mean.length !== c) {
        throw new Error(`normalize has ${spec.mean.length} channel means but the images have ${c} channels; give ${c} values (or one) or add grayscaleToRgb first`);
      }
      return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(spec.mean as number[])), tf.tensor1d(spec.std as number[])));
    };
  },
  randomCrop: (spec) => {
    if (!(Number.isInteger(spec.padding) && spec.padding >= 0)) throw new Error(`randomCrop padding must be a non-negative integer, got ${spec.padding}`);
    return (x, rng) => {
      const p = spec.padding;
      const rows = Array.from({ length: x.shape[0] }, () => [1, 0, rng.int(2 * p + 1) - p, 0, 1, rng.int(2 * p + 1) - p]);
      return applyRows(x, rows, spec.fill ?? 0, 'nearest');
    };
  },
  randomFlip: (spec) => {
    const prob = spec.probability ?? 0.5;
    if (!(prob >= 0 && prob <= 1)) throw new Error(`randomFlip probability must be in [0, 1], got ${prob}`);
    return (x, rng) => {
      const w = x.shape[2];
      const rows = Array.from({ length: x.shape[0] }, () => (rng.next() < prob ? [-1, 0, w - 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0]));
      return applyRows(x, rows, 0, 'nearest');
    };
  },
  randomAffine: (spec) => {
    const [sLo, sHi] = spec.scale ?? [1, 1];
    const [tx, ty] = spec.translate ?? [0, 0];
    if (!(sLo > 0 && sHi >= sLo)) throw new Error(`randomAffine scale must be [lo, hi] with 0 < lo <= hi, got [${sLo}, ${sHi}]`);
    if (!(spec.degrees >= 0)) throw new Error(`randomAffine degrees must be >= 0, got ${spec.degrees}`);
    return (x, rng) => {
      const [, h, w] = x.shape;
      const cx = (w - 1) / 2, cy = (h - 1) / 2;
      const rows = Array.from({ length: x.shape[0] }, () => {
        const theta = ((rng.next() * 2 - 1) * spec.degrees * Math.PI) / 180;
        const s = sLo + rng.next() * (sHi - sLo);
        const dx = (rng.next() * 2 - 1) * tx * w, dy = (rng.next() * 2 - 1) * ty * h;
        return affineInverse(theta, s, dx, dy, cx, cy);
      });
      return applyRows(x, rows, spec.fill ?? 0, 'bilinear');
    };
  },
  grayscaleToRgb: () => (x) => {
    if (x.shape[3] !== 1) throw new Error(`grayscaleToRgb needs 1-channel images, got ${x.shape[3]}`);
    return tf.tile(x, [1, 1, 1, 3]);
  },
};

/**
 * The output-to-input map of "rotate by theta and scale by s about (cx, cy), then shift by
 * (dx, dy)", as a tf.image.transform row: p_in = R(-theta) (p_out - c - d) / s + c.
 */
export function affineInverse(theta: number, s: number, dx: number, dy: number, cx: number, cy: number): number[] {
  const cos = Math.cos(theta) / s, sin = Math.sin(theta) / s;
  const a0 = cos, a1 = sin, b0 = -sin, b1 = cos;
  const ox = cx + dx, oy = cy + dy;
  return [a0, a1, cx - a0 * ox - a1 * oy, b0, b1, cy - b0 * ox - b1 * oy];
}

/** Compiles one spec (validating it now, not at the first batch). */
export function createTransform(spec: TransformSpec): BatchTransform {
  const factory = FACTORIES[spec.kind] as Factory<TransformSpec['kind']> | undefined;
  if (!factory) throw new Error(`unknown transform kind '${(spec as { kind: string }).kind}'; known: ${Object.keys(FACTORIES).join(', ')}`);
  return factory(spec as never);
}

/** Compiles a pipeline: the specs applied in order, intermediate tensors disposed. */
export function composeTransforms(specs: readonly TransformSpec[]): BatchTransform {
  const steps = specs.map(createTransform);
  return (x, rng) => tf.tidy(() => steps.reduce((acc, step) => step(acc, rng), x));
}

/** Bytes [B,H,W,C] to a float32 tensor in [0, 1]. */
export function bytesToTensor(bytes: Uint8Array, batch: number, height: number, width: number, channels: number): tf.Tensor4D {
  if (bytes.length !== batch * height * width * channels) throw new Error(`bytesToTensor: ${bytes.length} bytes is not ${batch}x${height}x${width}x${channels}`);
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
