import { Rng } from '@hotplug/runtime';
import { featureMatrix, type FeatureMatrix } from '../src/index';

/** Gaussian clusters around random unit centres: an easy, seeded classification set. */
export function clusters(opts: { classes: number; perClass: number; dim: number; noise: number; seed: number; modelId?: string }): {
  x: FeatureMatrix;
  y: Int32Array;
} {
  const rng = new Rng(opts.seed);
  const centres = Array.from({ length: opts.classes }, () => Array.from({ length: opts.dim }, () => rng.normal()));
  const rows = opts.classes * opts.perClass;
  const data = new Float32Array(rows * opts.dim);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % opts.classes;
    y[i] = c;
    for (let d = 0; d < opts.dim; d++) data[i * opts.dim + d] = centres[c]![d]! + opts.noise * rng.normal();
  }
  return { x: featureMatrix(data, rows, opts.dim, opts.modelId), y };
}

/** XOR of the signs of the first two coordinates: no linear classifier separates it. */
export function xorSet(rows: number, seed: number): { x: FeatureMatrix; y: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * 2);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    data[i * 2] = a;
    data[i * 2 + 1] = b;
    y[i] = a * b > 0 ? 1 : 0;
  }
  return { x: featureMatrix(data, rows, 2), y };
}

export function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}
