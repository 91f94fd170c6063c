import type { Rng } from '@hotplug/runtime';
import type { TransformSpec } from './transforms';

/**
 * A transform with its random draws made: plain data that tfjs (`applyStepsTf`) or the
 * prefetch worker can execute, with the same result either way.
 */
export type TransformStep =
  /** One tf.image.transform row per image: output (x, y) reads input (a0 x + a1 y + a2, b0 x + b1 y + b2). */
  | { op: 'warp'; rows: number[][]; interpolation: 'nearest' | 'bilinear'; fill: number }
  | { op: 'normalize'; mean: number[]; std: number[] }
  | { op: 'resize'; height: number; width: number }
  | { op: 'tile3' };

/** Batch shape [B, H, W, C]. */
export type BatchShape = readonly [number, number, number, number];

type Planner<K extends TransformSpec['kind']> = (spec: Extract<TransformSpec, { kind: K }>) => (shape: BatchShape, rng: Rng) => TransformStep;

/**
 * The output-to-input map of "rotate by theta and scale by s about (cx, cy), then shift by
 * (dx, dy)", as a tf.image.transform row: p_in = R(-theta) (p_out - c - d) / s + c.
 */
export function affineInverse(theta: number, s: number, dx: number, dy: number, cx: number, cy: number): number[] {
  const cos = Math.cos(theta) / s,
    sin = Math.sin(theta) / s;
  const a0 = cos,
    a1 = sin,
    b0 = -sin,
    b1 = cos;
  const ox = cx + dx,
    oy = cy + dy;
  return [a0, a1, cx - a0 * ox - a1 * oy, b0, b1, cy - b0 * ox - b1 * oy];
}

// One planner per kind: validates the spec once, then turns each batch's random draws into a step.
const PLANNERS: { [K in TransformSpec['kind']]: Planner<K> } = {
  resize: (spec) => {
    if (!(spec.height > 0 && spec.width > 0)) throw new Error(`resize needs positive height and width, got ${spec.height}x${spec.width}`);
    return () => ({ op: 'resize', height: spec.height, width: spec.width });
  },
  normalize: (spec) => {
    if (spec.mean.length !== spec.std.length) throw new Error(`normalize: ${spec.mean.length} means but ${spec.std.length} stds`);
    if (spec.std.some((s) => !(s > 0))) throw new Error('normalize: every std must be > 0');
    return ([, , , c]) => {
      if (spec.mean.length !== 1 && spec.mean.length !== c) {
        throw new Error(
          `normalize has ${spec.mean.length} channel means but the images have ${c} channels; give ${c} values (or one) or add grayscaleToRgb first`,
        );
      }
      return { op: 'normalize', mean: [...spec.mean], std: [...spec.std] };
    };
  },
  randomCrop: (spec) => {
    if (!(Number.isInteger(spec.padding) && spec.padding >= 0)) throw new Error(`randomCrop padding must be a non-negative integer, got ${spec.padding}`);
    const p = spec.padding;
    return ([b], rng) => ({
      op: 'warp',
      rows: Array.from({ length: b }, () => [1, 0, rng.int(2 * p + 1) - p, 0, 1, rng.int(2 * p + 1) - p]),
      interpolation: 'nearest',
      fill: spec.fill ?? 0,
    });
  },
  randomFlip: (spec) => {
    const prob = spec.probability ?? 0.5;
    if (!(prob >= 0 && prob <= 1)) throw new Error(`randomFlip probability must be in [0, 1], got ${prob}`);
    return ([b, , w], rng) => ({
      op: 'warp',
      rows: Array.from({ length: b }, () => (rng.next() < prob ? [-1, 0, w - 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0])),
      interpolation: 'nearest',
      fill: 0,
    });
  },
  randomAffine: (spec) => {
    const [sLo, sHi] = spec.scale ?? [1, 1];
    const [tx, ty] = spec.translate ?? [0, 0];
    if (!(sLo > 0 && sHi >= sLo)) throw new Error(`randomAffine scale must be [lo, hi] with 0 < lo <= hi, got [${sLo}, ${sHi}]`);
    if (!(spec.degrees >= 0)) throw new Error(`randomAffine degrees must be >= 0, got ${spec.degrees}`);
    return ([b, h, w], rng) => {
      const cx = (w - 1) / 2,
        cy = (h - 1) / 2;
      const rows = Array.from({ length: b }, () => {
        const theta = ((rng.next() * 2 - 1) * spec.degrees * Math.PI) / 180;
        const s = sLo + rng.next() * (sHi - sLo);
        const dx = (rng.next() * 2 - 1) * tx * w,
          dy = (rng.next() * 2 - 1) * ty * h;
        return affineInverse(theta, s, dx, dy, cx, cy);
      });
      return { op: 'warp', rows, interpolation: 'bilinear', fill: spec.fill ?? 0 };
    };
  },
  grayscaleToRgb:
    () =>
    ([, , , c]) => {
      if (c !== 1) throw new Error(`grayscaleToRgb needs 1-channel images, got ${c}`);
      return { op: 'tile3' };
    },
};

/** Shape after a step. */
export function stepShape(step: TransformStep, [b, h, w, c]: BatchShape): BatchShape {
  if (step.op === 'resize') return [b, step.height, step.width, c];
  if (step.op === 'tile3') return [b, h, w, 3];
  return [b, h, w, c];
}

/** Compiles a pipeline into a planner: validation now, random draws per batch. */
export function compilePlan(specs: readonly TransformSpec[]): (shape: BatchShape, rng: Rng) => TransformStep[] {
  const planners = specs.map((spec) => {
    const make = PLANNERS[spec.kind] as Planner<TransformSpec['kind']> | undefined;
    if (!make) throw new Error(`unknown transform kind '${(spec as { kind: string }).kind}'; known: ${Object.keys(PLANNERS).join(', ')}`);
    return make(spec as never);
  });
  return (shape, rng) => {
    let current = shape;
    return planners.map((plan) => {
      const step = plan(current, rng);
      current = stepShape(step, current);
      return step;
    });
  };
}
