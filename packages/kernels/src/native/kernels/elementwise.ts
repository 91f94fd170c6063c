import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon-types';
import { BINARY_OPS, UNARY_OPS } from '../addon-types';
import { float32Values, nativeKernel, output, sizeOf, uninitializedFloat32 } from './common';

export interface BroadcastPlan {
  outShape: number[];
  /** outShape as passed to the addon (rank >= 1). */
  shape: Int32Array;
  aStrides: Int32Array;
  bStrides: Int32Array;
}

/** Row-major element strides of `shape` aligned to the right of `out`, 0 where it broadcasts. */
function stridesFor(shape: readonly number[], out: readonly number[]): Int32Array {
  const strides = new Int32Array(Math.max(out.length, 1));
  let stride = 1;
  for (let i = shape.length - 1, o = out.length - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

export function broadcastPlan(a: readonly number[], b: readonly number[]): BroadcastPlan | null {
  let outShape: number[];
  try {
    outShape = tf.backend_util.assertAndGetBroadcastShape(a as number[], b as number[]);
  } catch {
    return null;
  }
  const shape = Int32Array.from(outShape.length > 0 ? outShape : [1]);
  return { outShape, shape, aStrides: stridesFor(a, outShape), bStrides: stridesFor(b, outShape) };
}

function binaryKernel(name: keyof typeof BINARY_OPS, addon: NativeAddon): KernelConfig {
  return nativeKernel(name, addon, ({ backend, inputs }) => {
    const av = float32Values(backend, inputs.a);
    const bv = float32Values(backend, inputs.b);
    if (!av || !bv) return null;
    const plan = broadcastPlan(inputs.a!.shape, inputs.b!.shape);
    if (!plan) return null;
    const values = uninitializedFloat32(sizeOf(plan.outShape));
    addon.binary(BINARY_OPS[name], av, bv, values, plan.shape, plan.aStrides, plan.bStrides);
    return output(backend, plan.outShape, values);
  });
}

function unaryKernel(name: keyof typeof UNARY_OPS, addon: NativeAddon): KernelConfig {
  return nativeKernel(name, addon, ({ backend, inputs }) => {
    const xv = float32Values(backend, inputs.x);
    if (!xv) return null;
    const values = uninitializedFloat32(xv.length);
    addon.unary(UNARY_OPS[name], xv, values);
    return output(backend, inputs.x!.shape.slice(), values);
  });
}

export function elementwiseKernels(addon: NativeAddon): KernelConfig[] {
  return [
    ...(Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]).map((name) => binaryKernel(name, addon)),
    ...(Object.keys(UNARY_OPS) as (keyof typeof UNARY_OPS)[]).map((name) => unaryKernel(name, addon)),
  ];
}
