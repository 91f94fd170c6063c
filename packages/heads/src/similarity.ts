import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMatrix } from './features';

/** Rows of queries handled per matrix product, so memory stays bounded for large sets. */
const CHUNK_ROWS = 512;

/**
 * Calls `visit(queryRow, sims)` with the dot products of every query row against every
 * gallery row (cosine similarity when both are L2-normalised). `sims` is reused between
 * calls: copy what you keep.
 */
export function forEachSimilarityRow(
  queries: FeatureMatrix,
  gallery: FeatureMatrix,
  visit: (queryRow: number, sims: Float32Array) => void,
): void {
  if (gallery.rows === 0) throw new Error('the gallery is empty: add embeddings before querying');
  const g = tf.tensor2d(gallery.data, [gallery.rows, gallery.dim]);
  try {
    for (let start = 0; start < queries.rows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, queries.rows - start);
      const block = tf.tidy(() => {
        const q = tf.tensor2d(queries.data.subarray(start * queries.dim, (start + n) * queries.dim), [n, queries.dim]);
        return tf.matMul(q, g, false, true);
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

/** The full ranking (descending value, ties by lower index). */
export function rankDescending(values: Float32Array): Int32Array {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return Int32Array.from(idx);
}
