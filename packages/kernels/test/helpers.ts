import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Seeded standard-normal tensor (tfjs' own seeded generator: same values every run). */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale));
}

/** Element-wise |a - b| <= atol + rtol * |b|, with the worst offender in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // also covers equal infinities
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`${what}: mismatch at ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

export function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/**
 * Central finite differences of a scalar function with respect to one input, computed in
 * float32 (so eps is large and tolerances must be loose).
 */
export function finiteDifference(f: (inputs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[], which: number, eps = 1e-2): Float32Array {
  const base = Float32Array.from(inputs[which].dataSync() as Float32Array);
  const out = new Float32Array(base.length);
  const evalAt = (i: number, delta: number) =>
    tf.tidy(() => {
      const shifted = base.slice();
      shifted[i] += delta;
      const args = inputs.slice();
      args[which] = tf.tensor(shifted, inputs[which].shape, 'float32');
      return f(args).dataSync()[0];
    });
  for (let i = 0; i < base.length; i++) out[i] = (evalAt(i, eps) - evalAt(i, -eps)) / (2 * eps);
  return out;
}

/** Gradients of sum(f(inputs) * weights) for every input, by tf.grads. */
export function weightedGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], weights: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(inputs);
    return grads.map((g) => Float32Array.from(g.dataSync() as Float32Array));
  });
}

/**
 * Seeded generator for test data (mulberry32). @hotplug/runtime's Rng is not a declared
 * dependency of this package (adding it would change the shared lockfile).
 */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
