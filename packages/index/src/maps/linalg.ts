// Small dense linear algebra in float64 for closed-form map fits (d x d problems, d in the hundreds).

/** Singular value decomposition A = U diag(s) V^T of a row-major m x n matrix; k = min(m, n), s sorted descending. */
export interface Svd {
  u: Float64Array; // m x k
  s: Float64Array; // k
  v: Float64Array; // n x k
  m: number;
  n: number;
  k: number;
}

export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** C = A (m x p) B (p x n). */
export function matmul(a: Float64Array, b: Float64Array, m: number, p: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let l = 0; l < p; l++) {
      const x = a[i * p + l]!;
      if (x === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += x * b[l * n + j]!;
    }
  return c;
}

/**
 * One-sided (Hestenes) Jacobi SVD: rotates column pairs of A until all are orthogonal; the
 * rotations accumulate into V, the column norms are the singular values. Accurate to working
 * precision, including small singular values. Columns of U for zero singular values are
 * completed to an orthonormal set, so U^T U = I always holds.
 */
export function svd(a: Float64Array, m: number, n: number, maxSweeps = 60): Svd {
  if (a.length !== m * n) throw new Error(`svd: ${m}x${n} needs ${m * n} values, got ${a.length}`);
  if (m < n) {
    const t = svd(transpose(a, m, n), n, m, maxSweeps);
    return { u: t.v, s: t.s, v: t.u, m, n, k: t.k };
  }
  // Work on columns stored contiguously: w[j*m + i] = A[i, j].
  const w = transpose(a, m, n);
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1; // v[j*n + i] = V[i, j]
  const eps = 1e-15;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const po = p * m;
        const qo = q * m;
        for (let i = 0; i < m; i++) {
          const x = w[po + i]!;
          const y = w[qo + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = w[po + i]!;
          const y = w[qo + i]!;
          w[po + i] = c * x - s * y;
          w[qo + i] = s * x + c * y;
        }
        const pv = p * n;
        const qv = q * n;
        for (let i = 0; i < n; i++) {
          const x = v[pv + i]!;
          const y = v[qv + i]!;
          v[pv + i] = c * x - s * y;
          v[qv + i] = s * x + c * y;
        }
      }
    if (!rotated) break;
  }
  const sigma = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i]! * w[j * m + i]!;
    return Math.sqrt(s);
  });
  const order = sigma.map((_, j) => j).sort((x, y) => sigma[y]! - sigma[x]!);
  const k = n;
  const u = new Float64Array(m * k);
  const vs = new Float64Array(n * k);
  const s = new Float64Array(k);
  const tol = (sigma[order[0]!] ?? 0) * Math.max(m, n) * 1e-14;
  const missing: number[] = [];
  order.forEach((j, c) => {
    s[c] = sigma[j]!;
    for (let i = 0; i < n; i++) vs[i * k + c] = v[j * n + i]!;
    if (sigma[j]! > tol && sigma[j]! > 0) for (let i = 0; i < m; i++) u[i * k + c] = w[j * m + i]! / sigma[j]!;
    else missing.push(c);
  });
  if (missing.length) completeColumns(u, m, k, missing);
  return { u, s, v: vs, m, n, k };
}

/** Fills the listed columns of a row-major m x k matrix with unit vectors orthogonal to every other column (Gram-Schmidt on the canonical basis). */
function completeColumns(u: Float64Array, m: number, k: number, missing: number[]): void {
  const filled = new Set(Array.from({ length: k }, (_, c) => c).filter((c) => !missing.includes(c)));
  let e = 0;
  for (const c of missing) {
    for (; e < m; e++) {
      const cand = new Float64Array(m);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++)
        for (const o of filled) {
          let d = 0;
          for (let i = 0; i < m; i++) d += cand[i]! * u[i * k + o]!;
          for (let i = 0; i < m; i++) cand[i] -= d * u[i * k + o]!;
        }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += cand[i]! * cand[i]!;
      nrm = Math.sqrt(nrm);
      if (nrm > 1e-6) {
        for (let i = 0; i < m; i++) u[i * k + c] = cand[i]! / nrm;
        filled.add(c);
        e++;
        break;
      }
    }
  }
}

/** Solves A X = B for symmetric positive-definite A (n x n) and B (n x p) by Cholesky. */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number, p: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let r = 0; r < j; r++) s -= l[i * n + r]! * l[j * n + r]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('choleskySolve: the matrix is not positive definite (raise the ridge)');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  const x = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * p + c]!;
      for (let r = 0; r < i; r++) s -= l[i * n + r]! * x[r * p + c]!;
      x[i * p + c] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * p + c]!;
      for (let r = i + 1; r < n; r++) s -= l[r * n + i]! * x[r * p + c]!;
      x[i * p + c] = s / l[i * n + i]!;
    }
  }
  return x;
}

/** Column means of a row-major float32 matrix, in float64. */
export function columnMeans(data: Float32Array, rows: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j] += data[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j] /= rows;
  return mean;
}

/** X^T Y of row-major matrices with the same rows, optionally centred by the given means (float64). */
export function crossProduct(x: Float32Array, y: Float32Array, rows: number, dx: number, dy: number, mx?: Float64Array, my?: Float64Array): Float64Array {
  const out = new Float64Array(dx * dy);
  const xr = new Float64Array(dx);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dx; i++) xr[i] = x[r * dx + i]! - (mx ? mx[i]! : 0);
    for (let i = 0; i < dx; i++) {
      const a = xr[i]!;
      if (a === 0) continue;
      const o = i * dy;
      for (let j = 0; j < dy; j++) out[o + j] += a * (y[r * dy + j]! - (my ? my[j]! : 0));
    }
  }
  return out;
}
