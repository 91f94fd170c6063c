import { Rng } from '@hotplug/runtime';

/** A token-embedding table [rows, dim], row-major. */
export interface TokenTable {
  data: Float32Array;
  rows: number;
  dim: number;
}

/** How often each token id occurs in the tokenised corpus (padding id 0 excluded). */
export function tokenCounts(tokenIds: Int32Array, vocabSize: number): Int32Array {
  const counts = new Int32Array(vocabSize);
  for (const id of tokenIds) if (id > 0 && id < vocabSize) counts[id]!++;
  return counts;
}

/** Ids of the tokens that occur at least once. */
export function usedTokens(counts: Int32Array): Int32Array {
  return Int32Array.from(Array.from(counts).flatMap((c, i) => (c > 0 ? [i] : [])));
}

/** Mean over the given rows of cos(a[r], b[r]) (same shapes). */
export function meanRowCosine(a: TokenTable, b: TokenTable, rows: ArrayLike<number>): number {
  if (a.rows !== b.rows || a.dim !== b.dim)
    throw new Error(`meanRowCosine: tables are [${a.rows}, ${a.dim}] and [${b.rows}, ${b.dim}]; compare tables of one shape`);
  let sum = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < a.dim; d++) {
      const x = a.data[r * a.dim + d]!;
      const y = b.data[r * b.dim + d]!;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    sum += dot / Math.sqrt(na * nb || 1);
  }
  return rows.length ? sum / rows.length : NaN;
}

/** Solves the symmetric positive-definite system A X = B in place by Cholesky (A: n x n, B: n x m). */
function solveSpd(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j]!;
    }
  }
  const x = new Float64Array(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k * m + c]!;
      x[i * m + c] = s / l[i * n + i]!;
    }
  }
  return x;
}

/**
 * How well one token table predicts another by an affine map: ridge regression (bias
 * included) fitted on a seeded 80 % of `rows`, R² = 1 − SSres/SStot on the other 20 %.
 * Near 0 (or below): unrelated tables; near 1: one is a linear image of the other.
 */
export function linearMapR2(from: TokenTable, to: TokenTable, rows: ArrayLike<number>, options: { seed?: number; ridge?: number } = {}): number {
  if (from.rows !== to.rows) throw new Error(`linearMapR2: tables have ${from.rows} and ${to.rows} rows; both must index the same tokenizer`);
  const ids = Array.from(rows);
  new Rng(options.seed ?? 0).shuffle(ids);
  const nFit = Math.floor(ids.length * 0.8);
  const fit = ids.slice(0, nFit);
  const held = ids.slice(nFit);
  const p = from.dim + 1;
  const q = to.dim;
  const xRow = (r: number, k: number) => (k === from.dim ? 1 : from.data[r * from.dim + k]!);
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p * q);
  for (const r of fit) {
    for (let i = 0; i < p; i++) {
      const xi = xRow(r, i);
      for (let j = 0; j < p; j++) xtx[i * p + j]! += xi * xRow(r, j);
      for (let c = 0; c < q; c++) xty[i * q + c]! += xi * to.data[r * q + c]!;
    }
  }
  const ridge = options.ridge ?? 1e-3;
  const scale = xtx.reduce((s, v, i) => (i % (p + 1) === 0 ? s + v : s), 0) / p || 1;
  for (let i = 0; i < from.dim; i++) xtx[i * p + i]! += ridge * scale;
  const w = solveSpd(xtx, xty, p, q);
  const mean = new Float64Array(q);
  for (const r of held) for (let c = 0; c < q; c++) mean[c]! += to.data[r * q + c]! / held.length;
  let res = 0;
  let tot = 0;
  for (const r of held) {
    for (let c = 0; c < q; c++) {
      let yHat = 0;
      for (let i = 0; i < p; i++) yHat += xRow(r, i) * w[i * q + c]!;
      const y = to.data[r * q + c]!;
      res += (y - yHat) ** 2;
      tot += (y - mean[c]!) ** 2;
    }
  }
  return 1 - res / tot;
}
