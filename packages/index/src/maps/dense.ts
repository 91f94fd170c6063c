// Plain-memory forward pieces shared by the map variants (a query is mapped without any tensor round trip).
import type { OnnxRecorder, Sym } from '@hotplug/backbones';
import type { Matrix } from '../matrix';
import type { MapParam } from './types';

/** y = x W (+ b), W stored [in, out]; accumulates into `into` when given. */
export function affine(x: Matrix, w: MapParam, b?: MapParam, into?: Float32Array): Float32Array {
  const [din, dout] = w.shape as [number, number];
  if (x.dim !== din) throw new Error(`affine: input is ${x.dim}-dim, weight is [${w.shape}]`);
  const out = into ?? new Float32Array(x.rows * dout);
  // Locals, not property reads, in the hot loop; float64 accumulation keeps results independent of batch size.
  const xd = x.data;
  const wd = w.data;
  const bd = b?.data;
  const acc = new Float64Array(dout);
  for (let r = 0; r < x.rows; r++) {
    if (bd) for (let j = 0; j < dout; j++) acc[j] = bd[j]!;
    else acc.fill(0);
    const xo = r * din;
    for (let i = 0; i < din; i++) {
      const a = xd[xo + i]!;
      if (a === 0) continue;
      const wo = i * dout;
      for (let j = 0; j < dout; j++) acc[j] += a * wd[wo + j]!;
    }
    const o = r * dout;
    if (into) for (let j = 0; j < dout; j++) out[o + j] += acc[j]!;
    else for (let j = 0; j < dout; j++) out[o + j] = acc[j]!;
  }
  return out;
}

export function param(shape: number[]): MapParam {
  return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

/** Copies a float64 row-major matrix into a parameter. */
export function setParam(p: MapParam, values: ArrayLike<number>): void {
  if (values.length !== p.data.length) throw new Error(`parameter [${p.shape}] needs ${p.data.length} values, got ${values.length}`);
  for (let i = 0; i < values.length; i++) p.data[i] = values[i]!;
}

/** The same y = x W (+ b) as ONNX nodes. */
export function traceAffine(rec: OnnxRecorder, x: Sym, w: MapParam, b?: MapParam): Sym {
  return rec.linear(x, rec.constantFloat(w.data, w.shape), b ? rec.constantFloat(b.data, b.shape) : undefined);
}
