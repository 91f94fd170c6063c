import type { MapFactory, MapModel, MapVariantSpec } from '../types';
import { affine, param, setParam, traceAffine } from '../dense';
import { choleskySolve, columnMeans, crossProduct, matmul, svd, transpose } from '../linalg';
import { fitProcrustes } from './procrustes';

export interface LowRankOptions {
  /** Rank r of the learned correction U V^T (at most min(in, out)). */
  rank: number;
  /** What the correction is added to: the Procrustes rotation (default) or nothing (a pure rank-r affine map). */
  base: 'procrustes' | 'zero';
  /** Ridge strength, relative to the mean input variance (default 1e-3). */
  ridge: number;
}

export const lowRankSpec: MapVariantSpec<LowRankOptions> = {
  defaults: { rank: 16, base: 'procrustes', ridge: 1e-3 },
  validate: (o, shape) => {
    const p: string[] = [];
    if (!Number.isInteger(o.rank) || o.rank < 1) p.push(`rank must be a positive integer, got ${o.rank}`);
    else if (shape && o.rank > Math.min(shape.inputDim, shape.outputDim))
      p.push(`rank ${o.rank} exceeds min(in, out) = ${Math.min(shape.inputDim, shape.outputDim)}`);
    if (o.base !== 'procrustes' && o.base !== 'zero') p.push(`base must be "procrustes" or "zero", got ${JSON.stringify(o.base)}`);
    if (!(o.ridge >= 0) || !Number.isFinite(o.ridge)) p.push(`ridge must be a finite number >= 0, got ${o.ridge}`);
    return p;
  },
  describe:
    'Low-rank affine: y = x P + (x D) U + b, P the Procrustes rotation, D U the best rank-r ridge regression of the residual (reduced-rank regression, closed form).',
};

export const lowRankMap: MapFactory<LowRankOptions> = (options, shape): MapModel => {
  const din = shape.inputDim;
  const dout = shape.outputDim;
  const r = options.rank;
  const base = param([din, dout]);
  const down = param([din, r]);
  const up = param([r, dout]);
  const bias = param([dout]);
  return {
    params: new Map([
      ['base', base],
      ['down', down],
      ['up', up],
      ['bias', bias],
    ]),
    fit(pairs) {
      const { source: x, target: y } = pairs;
      if (options.base === 'procrustes') setParam(base, fitProcrustes(pairs, shape, { center: false, scale: false }).weight);
      const pred = affine(x, base);
      const resid = new Float32Array(y.data.length);
      for (let i = 0; i < resid.length; i++) resid[i] = y.data[i]! - pred[i]!;
      const mx = columnMeans(x.data, x.rows, din);
      const mr = columnMeans(resid, y.rows, dout);
      const c = crossProduct(x.data, x.data, x.rows, din, din, mx, mx);
      const g = crossProduct(x.data, resid, x.rows, din, dout, mx, mr);
      let trace = 0;
      for (let i = 0; i < din; i++) trace += c[i * din + i]!;
      const lambda = options.ridge * Math.max(trace / din, 1e-12);
      for (let i = 0; i < din; i++) c[i * din + i] += lambda;
      const b = choleskySolve(c, g, din, dout); // full-rank ridge solution, din x dout
      // Reduced-rank regression: keep the top-r directions of the fitted values X_c B.
      for (let i = 0; i < din; i++) c[i * din + i] -= lambda;
      const ftf = matmul(transpose(b, din, dout), matmul(c, b, din, din, dout), dout, din, dout);
      const v = svd(ftf, dout, dout).v; // eigenvectors of the PSD matrix, by decreasing eigenvalue
      const vr = new Float64Array(dout * r);
      for (let i = 0; i < dout; i++) for (let j = 0; j < r; j++) vr[i * r + j] = v[i * dout + j]!;
      const d = matmul(b, vr, din, dout, r);
      setParam(down, d);
      setParam(up, transpose(vr, dout, r));
      const shift = matmul(matmul(mx, d, 1, din, r), transpose(vr, dout, r), 1, r, dout);
      setParam(
        bias,
        mr.map((m, j) => m - shift[j]!),
      );
      return {};
    },
    forward(x) {
      const out = affine(x, base, bias);
      const h = affine(x, down);
      affine({ data: h, rows: x.rows, dim: r }, up, undefined, out);
      return { data: out, rows: x.rows, dim: dout };
    },
    trace: (rec, x) => rec.add(traceAffine(rec, x, base, bias), traceAffine(rec, traceAffine(rec, x, down), up)),
  };
};
