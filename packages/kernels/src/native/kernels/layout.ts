import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon-types';
import { REDUCE_OPS } from '../addon-types';
import { float32Values, nativeKernel, output, sizeOf, uninitializedFloat32 } from './common';
import type { NativeCall } from './common';

/** Float32 or int32 data seen as 4-byte float lanes (transpose only moves bits). */
function fourByteValues({ backend }: NativeCall, t: TensorInfo | undefined): Float32Array | null {
  if (t == null || (t.dtype !== 'float32' && t.dtype !== 'int32')) return null;
  const v = backend.data.get(t.dataId)?.values;
  if (v instanceof Float32Array) return v;
  if (v instanceof Int32Array) return new Float32Array(v.buffer, v.byteOffset, v.length);
  return null;
}

function transposeKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('Transpose', addon, (call) => {
    const x = call.inputs.x;
    const xv = fourByteValues(call, x);
    const perm = call.attrs.perm as number[];
    if (!x || !xv || perm.length !== x.shape.length) return null;
    const outShape = perm.map((p) => x.shape[p]);
    const out = uninitializedFloat32(xv.length);
    addon.transpose(xv, out, Int32Array.from(x.shape), Int32Array.from(perm));
    const values = x.dtype === 'int32' ? new Int32Array(out.buffer, out.byteOffset, out.length) : out;
    return call.backend.makeTensorInfo(outShape, x.dtype, values);
  });
}

function softmaxKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('Softmax', addon, ({ backend, inputs, attrs }) => {
    const logits = inputs.logits;
    const xv = float32Values(backend, logits);
    if (!logits || !xv || logits.shape.length === 0) return null;
    const rank = logits.shape.length;
    const dim = attrs.dim as number;
    if (dim !== -1 && dim !== rank - 1) return null;
    const cols = logits.shape[rank - 1];
    if (cols === 0) return null;
    const out = uninitializedFloat32(xv.length);
    addon.softmax(xv, out, xv.length / cols, cols);
    return output(backend, logits.shape.slice(), out);
  });
}

/** Sum / Mean / Max (whose axes attr is named reductionIndices) over trailing axes or a prefix of leading axes. */
function reduceKernel(name: keyof typeof REDUCE_OPS, addon: NativeAddon): KernelConfig {
  return nativeKernel(name, addon, ({ backend, inputs, attrs }) => {
    const x = inputs.x;
    const xv = float32Values(backend, x);
    if (!x || !xv || xv.length === 0) return null;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam((attrs.axis ?? attrs.reductionIndices) as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || rank === 0) return null;
    const isSuffix = axes.every((a, i) => a === rank - axes.length + i);
    const isPrefix = axes.every((a, i) => a === i);
    const reduced = new Set(axes);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : x.shape.filter((_, i) => !reduced.has(i));
    if (isSuffix) {
      // Reducing trailing axes: contiguous rows of their combined size.
      const cols = sizeOf(x.shape.slice(rank - axes.length));
      const out = uninitializedFloat32(xv.length / cols);
      addon.reduceLast(REDUCE_OPS[name], xv, out, out.length, cols);
      return output(backend, outShape, out);
    }
    if (isPrefix) {
      const rows = sizeOf(x.shape.slice(0, axes.length));
      const out = uninitializedFloat32(xv.length / rows);
      addon.reduceLeading(REDUCE_OPS[name], xv, out, rows, out.length);
      return output(backend, outShape, out);
    }
    return null;
  });
}

function segmentSumKernel(addon: NativeAddon): KernelConfig {
  return nativeKernel('UnsortedSegmentSum', addon, ({ backend, inputs, attrs }) => {
    const { x, segmentIds } = inputs;
    const xv = float32Values(backend, x);
    if (!x || !segmentIds || !xv || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1 || x.shape.length === 0) return null;
    const ids = backend.data.get(segmentIds.dataId)?.values;
    if (!(ids instanceof Int32Array) || ids.length !== x.shape[0]) return null;
    const segments = attrs.numSegments as number;
    const inner = sizeOf(x.shape.slice(1));
    const out = uninitializedFloat32(segments * inner);
    addon.segmentSum(xv, ids, out, x.shape[0], inner, segments);
    return output(backend, [segments, ...x.shape.slice(1)], out);
  });
}

export function layoutKernels(addon: NativeAddon): KernelConfig[] {
  return [
    transposeKernel(addon),
    softmaxKernel(addon),
    ...(Object.keys(REDUCE_OPS) as (keyof typeof REDUCE_OPS)[]).map((name) => reduceKernel(name, addon)),
    segmentSumKernel(addon),
  ];
}
