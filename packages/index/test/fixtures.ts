import { Rng } from '@hotplug/runtime';
import type { EmbeddingSpace, Matrix } from '../src/index';

export function randomMatrix(rows: number, dim: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, rows, dim };
}

/** A random orthogonal d x d matrix (QR of a Gaussian matrix by Gram-Schmidt), row-major. */
export function randomRotation(d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const q = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i]! * q[i * d + p]!;
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + p]!;
    }
    const n = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + c] = v[i]! / n;
  }
  return q;
}

/** x (rows x din) times w (din x dout, float64), plain. */
export function times(x: Matrix, w: ArrayLike<number>, dout: number): Matrix {
  const data = new Float32Array(x.rows * dout);
  for (let r = 0; r < x.rows; r++)
    for (let i = 0; i < x.dim; i++) {
      const a = x.data[r * x.dim + i]!;
      for (let j = 0; j < dout; j++) data[r * dout + j] += a * w[i * dout + j]!;
    }
  return { data, rows: x.rows, dim: dout };
}

export function addNoise(m: Matrix, sigma: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { ...m, data: m.data.map((v) => v + sigma * rng.normal()) };
}

export function meanSquaredError(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i]! - b.data[i]!) ** 2;
  return s / a.rows;
}

export function slice(m: Matrix, start: number, end: number): Matrix {
  return { data: m.data.slice(start * m.dim, end * m.dim), rows: end - start, dim: m.dim };
}

export function space(model: string, dim: number, normalized = false, adapters: string[] = []): EmbeddingSpace {
  return { model, modelName: model, dim, normalized, adapters };
}

/** Brute-force cosine top-k, an independent reference for the galleries. */
export function bruteForceCosine(gallery: Matrix, ids: string[], q: Float32Array, k: number): { id: string; score: number }[] {
  const qn = Math.hypot(...q);
  const scores = ids.map((id, r) => {
    let dot = 0;
    let nn = 0;
    for (let j = 0; j < gallery.dim; j++) {
      dot += q[j]! * gallery.data[r * gallery.dim + j]!;
      nn += gallery.data[r * gallery.dim + j]! ** 2;
    }
    return { id, score: dot / (qn * Math.sqrt(nn)) };
  });
  return scores.sort((a, b) => b.score - a.score).slice(0, k);
}
