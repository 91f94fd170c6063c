import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon-types';
import { BINARY_OPS, UNARY_OPS } from '../addon-types';
import { float32Values, nativeKernel, output, sizeOf, uninitializedFloat32 } from './common';
import type { NativeCall } from './common';
import { broadcastPlan } from './elementwise';

interface Product {
  values: Float32Array;
  shape: number[];
}

/** a @ b with optional transposes and broadcast batch dims (one side batch 1 or equal). */
function product({ backend, inputs, addon }: NativeCall, transposeA: boolean, transposeB: boolean): Product | null {
  const { a, b } = inputs;
  const av = float32Values(backend, a);
  const bv = float32Values(backend, b);
  if (!a || !b || !av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null; // the cpu kernel raises tfjs' own shape error
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  const batchA = sizeOf(batchShapeA);
  const batchB = sizeOf(batchShapeB);
  let batchShape: number[];
  try {
    batchShape = tf.backend_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  } catch {
    return null;
  }
  const batch = sizeOf(batchShape);
  // Native batching covers equal batches and one side being a single matrix.
  if (!(batchA === batch && batchB === batch) && !(batchA === 1 && batchB === batch) && !(batchB === 1 && batchA === batch)) return null;
  const values = uninitializedFloat32(batch * m * n);
  addon.matmul(av, bv, values, batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m, n, k, transposeA, transposeB);
  return { values, shape: [...batchShape, m, n] };
}

export function matmulKernels(addon: NativeAddon): KernelConfig[] {
  return [
    nativeKernel('BatchMatMul', addon, (call) => {
      const p = product(call, Boolean(call.attrs.transposeA), Boolean(call.attrs.transposeB));
      return p && output(call.backend, p.shape, p.values);
    }),
    nativeKernel('_FusedMatMul', addon, (call) => {
      const { activation, transposeA, transposeB } = call.attrs;
      if (call.inputs.preluActivationWeights != null) return null;
      if (activation !== 'linear' && activation !== 'relu' && activation != null) return null;
      const bias: TensorInfo | undefined = call.inputs.bias;
      const biasValues = bias ? float32Values(call.backend, bias) : null;
      if (bias && !biasValues) return null;
      const p = product(call, Boolean(transposeA), Boolean(transposeB));
      if (!p) return null;
      if (bias && biasValues) {
        const plan = broadcastPlan(p.shape, bias.shape);
        if (!plan || plan.outShape.some((d, i) => d !== p.shape[i])) return null;
        addon.binary(BINARY_OPS.Add, p.values, biasValues, p.values, plan.shape, plan.aStrides, plan.bStrides);
      }
      if (activation === 'relu') addon.unary(UNARY_OPS.Relu, p.values, p.values);
      return output(call.backend, p.shape, p.values);
    }),
  ];
}
