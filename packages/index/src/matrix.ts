import { IndexInputError } from './errors';

/** Row-major float32 matrix [rows, dim] (structurally the same as @hotplug/heads' FeatureMatrix). */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** What galleries and maps accept as vectors: a Matrix or a list of rows. */
export type VectorsInput = Matrix | ReadonlyArray<Float32Array | ReadonlyArray<number>>;

/** Wraps a buffer as a Matrix, checking it holds exactly rows x dim finite values' room. */
export function matrix(data: Float32Array, rows: number, dim: number): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim <= 0)
    throw new IndexInputError(`a matrix needs whole rows >= 0 and dim > 0, got rows=${rows}, dim=${dim}`);
  if (data.length !== rows * dim) throw new IndexInputError(`a ${rows}x${dim} matrix needs ${rows * dim} values, got ${data.length}`);
  return { data, rows, dim };
}

/** Converts accepted vector input to a Matrix (rows are copied; a Matrix is used as is). */
export function toMatrix(input: VectorsInput, what = 'vectors'): Matrix {
  if (!Array.isArray(input)) {
    const m = input as Matrix;
    if (!(m.data instanceof Float32Array)) throw new IndexInputError(`${what}: a Matrix needs a Float32Array in .data`);
    return matrix(m.data, m.rows, m.dim);
  }
  const rows = input as ReadonlyArray<Float32Array | ReadonlyArray<number>>;
  if (rows.length === 0) throw new IndexInputError(`${what}: an empty list has no dimension; pass at least one vector`);
  const dim = rows[0]!.length;
  if (!dim) throw new IndexInputError(`${what}: vectors must have at least one component`);
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new IndexInputError(`${what}: row ${i} has ${r.length} components, row 0 has ${dim}; every vector must have the same width`);
    data.set(r, i * dim);
  });
  return { data, rows: rows.length, dim };
}

/** Throws unless every value is finite (NaN/Infinity would poison a table silently). */
export function assertFinite(m: Matrix, what: string): void {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!))
      throw new IndexInputError(`${what}: row ${Math.floor(i / m.dim)} holds a non-finite value (${m.data[i]}); check the encoder output`);
  }
}

/** L2-normalised copy of the rows (zero rows stay zero). */
export function normalizeRows(m: Matrix): Matrix {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    const o = r * m.dim;
    for (let j = 0; j < m.dim; j++) s += m.data[o + j]! * m.data[o + j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < m.dim; j++) out[o + j] = m.data[o + j]! * inv;
  }
  return { data: out, rows: m.rows, dim: m.dim };
}

/** Row r as a view (no copy). */
export function row(m: Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.dim, (r + 1) * m.dim);
}
