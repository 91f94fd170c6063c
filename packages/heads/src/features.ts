import * as tf from '@tensorflow/tfjs-core';

/**
 * A row-major feature matrix [rows, dim] in plain memory. Heads keep their data in this
 * form so that saving, hashing and comparing never needs a tensor backend round trip.
 * `modelId` optionally names the model (or model + adapter) that produced the features;
 * it only makes error messages clearer.
 */
export interface FeatureMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
  readonly modelId?: string;
}

/** What every head accepts as features. */
export type FeatureInput = FeatureMatrix | tf.Tensor2D | ReadonlyArray<ReadonlyArray<number>>;

/** Builds a FeatureMatrix, checking that the buffer holds exactly rows × dim values. */
export function featureMatrix(data: Float32Array, rows: number, dim: number, modelId?: string): FeatureMatrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim <= 0) {
    throw new Error(`feature matrix needs a whole rows >= 0 and dim > 0, got rows=${rows}, dim=${dim}`);
  }
  if (data.length !== rows * dim) {
    throw new Error(`feature matrix of ${rows}×${dim} needs ${rows * dim} values, got ${data.length}`);
  }
  return modelId === undefined ? { data, rows, dim } : { data, rows, dim, modelId };
}

/** Converts any accepted feature input to a FeatureMatrix (tensors are read synchronously). */
export function toFeatureMatrix(input: FeatureInput, modelId?: string): FeatureMatrix {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2) throw new Error(`features must be a 2-D tensor [N, D], got shape [${input.shape.join(', ')}]`);
    const [rows, dim] = input.shape as [number, number];
    return featureMatrix(Float32Array.from(input.dataSync()), rows, dim, modelId);
  }
  if (Array.isArray(input)) {
    const rows = input.length;
    if (rows === 0) throw new Error('features given as an empty array: cannot tell their dimension; pass a FeatureMatrix');
    const dim = (input[0] as ReadonlyArray<number>).length;
    const data = new Float32Array(rows * dim);
    input.forEach((row: ReadonlyArray<number>, i: number) => {
      if (row.length !== dim) throw new Error(`features row ${i} has ${row.length} values, row 0 has ${dim}`);
      data.set(row, i * dim);
    });
    return featureMatrix(data, rows, dim, modelId);
  }
  const m = input as FeatureMatrix;
  if (!(m.data instanceof Float32Array)) throw new Error('features must be a FeatureMatrix, a 2-D tensor or number[][]');
  return featureMatrix(m.data, m.rows, m.dim, modelId ?? m.modelId);
}

/** Returns a copy with every row scaled to unit L2 norm (all-zero rows stay zero). */
export function l2NormalizeRows(m: FeatureMatrix): FeatureMatrix {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const off = r * m.dim;
    let ss = 0;
    for (let c = 0; c < m.dim; c++) ss += m.data[off + c]! * m.data[off + c]!;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let c = 0; c < m.dim; c++) out[off + c] = m.data[off + c]! * inv;
  }
  return { ...m, data: out };
}

/** Checks labels: one non-negative integer per row. */
export function toLabels(labels: ArrayLike<number>, rows: number): Int32Array {
  if (labels.length !== rows) {
    throw new Error(`got ${labels.length} labels for ${rows} feature rows: give exactly one label per row`);
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0) throw new Error(`label ${i} is ${v}: labels must be integers >= 0`);
    out[i] = v;
  }
  return out;
}
