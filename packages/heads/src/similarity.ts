import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMatrix } from './features';

/** Rows of queries handled per matrix product, so memory stays bounded for large sets. */
const CHUNK_ROWS = 512;

/**
 * Calls `visit(queryRow, sims)` with the dot products of every query row against every
 * gallery row (cosine similarity when both are L2-normalised). `sims` is reused between
 * calls: copy what you keep.
 */
export function forEachSimilarityRow(queries: FeatureMatrix, gallery: FeatureMatrix, visit: (queryRow: number, sims: Float32Array) => void): void {
  if (gallery.rows === 0) throw new Error('the gallery is empty: add embeddings before querying');
  if (queries.dim !== gallery.dim) throw new Error(`queries have ${queries.dim} dims but the gallery has ${gallery.dim}`);
  // The gallery goes in transposed ([dim, rows]) so the product needs no transposed operand:
  // some backends (wasm) are many times slower on a transposed matmul.
  const gT = new Float32Array(gallery.data.length);
  for (let r = 0; r < gallery.rows; r++) {
    for (let c = 0; c < gallery.dim; c++) gT[c * gallery.rows + r] = gallery.data[r * gallery.dim + c]!;
  }
  const g = tf.tensor2d(gT, [gallery.dim, gallery.rows]);
  try {
    for (let start = 0; start < queries.rows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, queries.rows - start);
      const block = tf.tidy(() => {
        const q = tf.tensor2d(queries.data.subarray(start * queries.dim, (start + n) * queries.dim), [n, queries.dim]);
        return tf.matMul(q, g);
      });
      const sims = block.dataSync() as Float32Array;
      block.dispose();
      for (let i = 0; i < n; i++) visit(start + i, sims.subarray(i * gallery.rows, (i + 1) * gallery.rows));
    }
  } finally {
    g.dispose();
  }
}

/**
 * Indices of the k largest values, largest first; ties go to the lower index so results
 * are the same on every backend.
 */
export function topKIndices(values: Float32Array, k: number): Int32Array {
  const kk = Math.min(k, values.length);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (out.length === kk && !(v > values[out[kk - 1]!]!)) continue;
    // Insert keeping descending value, ascending index among equals.
    let pos = out.length;
    while (pos > 0 && values[out[pos - 1]!]! < v) pos--;
    out.splice(pos, 0, i);
    if (out.length > kk) out.pop();
  }
  return Int32Array.from(out);
}
