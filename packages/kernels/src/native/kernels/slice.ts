import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon-types';
import { nativeKernel } from './common';

type Numeric = Float32Array | Int32Array | Uint8Array;

function numericValues(backend: MathBackendCPU, t: TensorInfo | undefined): Numeric | null {
  if (t == null || t.dtype === 'string' || t.dtype === 'complex64') return null;
  const v = backend.data.get(t.dataId)?.values;
  return v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array ? v : null;
}

/**
 * x[begin : begin + size] by copying contiguous runs with TypedArray.set (a memcpy), where
 * the cpu backend reads element by element through index arithmetic (~1 µs per element for
 * the non-contiguous slices that the gradient of concat produces).
 */
export function sliceRuns(x: Numeric, shape: readonly number[], begin: readonly number[], size: readonly number[]): Numeric {
  const rank = shape.length;
  const total = size.reduce((a, b) => a * b, 1);
  const out = new (x.constructor as new (n: number) => Numeric)(total);
  if (total === 0) return out;
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  // Trailing full dimensions plus the first partial one form one contiguous run.
  let run = 1;
  let j = rank - 1;
  while (j >= 0 && size[j] === shape[j]) run *= shape[j--];
  let base = 0;
  if (j >= 0) {
    run *= size[j];
    base = begin[j] * strides[j];
  }
  const outerRank = Math.max(j, 0);
  const idx = new Array<number>(outerRank).fill(0);
  let src = base;
  for (let d = 0; d < outerRank; d++) src += begin[d] * strides[d];
  for (let o = 0; o * run < total; o++) {
    out.set(x.subarray(src, src + run), o * run);
    for (let d = outerRank - 1; d >= 0; d--) {
      src += strides[d];
      if (++idx[d] < size[d]) break;
      src -= strides[d] * size[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function sliceKernels(addon: NativeAddon): KernelConfig[] {
  return [
    nativeKernel('Slice', addon, ({ backend, inputs, attrs }) => {
      const x = inputs.x;
      const xv = numericValues(backend, x);
      if (!x || !xv) return null;
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
      return backend.makeTensorInfo(size, x.dtype, sliceRuns(xv, x.shape, begin, size));
    }),
    nativeKernel('SplitV', addon, ({ backend, inputs, attrs }) => {
      const x = inputs.x;
      const xv = numericValues(backend, x);
      if (!x || !xv) return null;
      const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
      const sizes = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits as number[] | number, axis);
      const begin = x.shape.map(() => 0);
      const outputs: TensorInfo[] = [];
      for (const s of sizes) {
        const size = x.shape.slice();
        size[axis] = s;
        outputs.push(backend.makeTensorInfo(size, x.dtype, sliceRuns(xv, x.shape, begin, size)));
        begin[axis] += s;
      }
      return outputs;
    }),
  ];
}
