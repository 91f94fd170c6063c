import type { MapFactory, MapModel, MapShape, MapVariantSpec, PairedVectors } from '../types';
import { affine, param, setParam, traceAffine } from '../dense';
import { columnMeans, crossProduct, matmul, svd, transpose } from '../linalg';

export interface ProcrustesOptions {
  /** Centre both sides first and add the mean offset as a bias (default false: a pure rotation, as in Drift-Adapter). */
  center: boolean;
  /** Also fit one global scale factor (default false; irrelevant for normalised targets). */
  scale: boolean;
}

export const procrustesSpec: MapVariantSpec<ProcrustesOptions> = {
  defaults: { center: false, scale: false },
  describe: 'Orthogonal Procrustes: the rotation (semi-orthogonal map when widths differ) W = U V^T from the SVD of X^T Y, closed form.',
};

/**
 * Fits W minimising ||X W - Y||_F with orthonormal columns (in >= out) or rows (in < out).
 * Exposed for the other variants, which start from it.
 */
export function fitProcrustes(pairs: PairedVectors, shape: MapShape, options: ProcrustesOptions): { weight: Float64Array; bias: Float64Array } {
  const { source: x, target: y } = pairs;
  const din = shape.inputDim;
  const dout = shape.outputDim;
  const mx = options.center ? columnMeans(x.data, x.rows, din) : undefined;
  const my = options.center ? columnMeans(y.data, y.rows, dout) : undefined;
  const m = crossProduct(x.data, y.data, x.rows, din, dout, mx, my); // din x dout
  const d = svd(m, din, dout);
  let weight = matmul(d.u, transpose(d.v, dout, d.k), din, d.k, dout);
  if (options.scale) {
    // s = trace(S) / ||X_c||^2 is the least-squares scale for a fixed rotation.
    let xx = 0;
    for (let r = 0; r < x.rows; r++) for (let i = 0; i < din; i++) xx += (x.data[r * din + i]! - (mx ? mx[i]! : 0)) ** 2;
    const s = xx > 0 ? d.s.reduce((a, b) => a + b, 0) / xx : 1;
    weight = weight.map((w) => w * s);
  }
  const bias = new Float64Array(dout);
  if (mx && my) {
    const shift = matmul(mx, weight, 1, din, dout);
    for (let j = 0; j < dout; j++) bias[j] = my[j]! - shift[j]!;
  }
  return { weight, bias };
}

export const procrustesMap: MapFactory<ProcrustesOptions> = (options, shape): MapModel => {
  const weight = param([shape.inputDim, shape.outputDim]);
  const bias = param([shape.outputDim]);
  return {
    params: new Map([
      ['weight', weight],
      ['bias', bias],
    ]),
    fit(pairs) {
      const f = fitProcrustes(pairs, shape, options);
      setParam(weight, f.weight);
      setParam(bias, f.bias);
      return {};
    },
    forward: (x) => ({ data: affine(x, weight, bias), rows: x.rows, dim: shape.outputDim }),
    trace: (rec, x) => traceAffine(rec, x, weight, bias),
  };
};
