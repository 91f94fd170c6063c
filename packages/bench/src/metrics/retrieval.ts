import * as tf from '@tensorflow/tfjs-core';
import {
  averagePrecisionFromRanks,
  DimensionMismatchError,
  ensureBackend,
  l2NormalizeRows,
  relevantRanks,
  toFeatureMatrix,
  toLabels,
  type FeatureInput,
  type FeatureMatrix,
  type RetrievalScores,
} from '@hotplug/heads';
import { EmptyEvaluationError } from './accuracy';

/** One side of a retrieval evaluation: embeddings from one model with their labels. */
export interface EmbeddingSet {
  features: FeatureInput;
  labels: ArrayLike<number>;
  /** The model (or model + adapter) that produced the embeddings. */
  modelId?: string;
}

/** Per-query figures behind the scores, in query order (what a paired bootstrap resamples). */
export interface RetrievalPerQuery {
  /** topK[k][q] = 1 when query q has a same-label item among its first k results. */
  topK: Record<number, Uint8Array>;
  /** Average precision of each query over the whole ranked gallery; NaN for a query whose label is not in the gallery. */
  ap: Float64Array;
}

export interface CrossModelRetrievalScores extends RetrievalScores {
  perQuery: RetrievalPerQuery;
}

const CHUNK_ROWS = 512;

/**
 * Retrieval quality of queries embedded by one model against a gallery embedded by
 * another: top-k hit rates and mAP (relevant = same label, cosine similarity, ties to the
 * earlier gallery item), M(query model, gallery model), with the per-query figures they
 * are means of. Throws a DimensionMismatchError when the two embeddings have different
 * dimensions, EmptyEvaluationError without queries or gallery items.
 */
export async function crossModelRetrieval(query: EmbeddingSet, gallery: EmbeddingSet, ks: number[] = [1, 5]): Promise<CrossModelRetrievalScores> {
  await ensureBackend();
  for (const k of ks) if (!Number.isInteger(k) || k <= 0) throw new RangeError(`k must be a positive integer, got ${k}`);
  const g = l2NormalizeRows(toFeatureMatrix(gallery.features, gallery.modelId));
  const q = l2NormalizeRows(toFeatureMatrix(query.features, query.modelId));
  if (q.dim !== g.dim) throw new DimensionMismatchError('retrieval index', g.dim, q.dim, g.modelId, q.modelId);
  const gLabels = toLabels(gallery.labels, g.rows);
  const qLabels = toLabels(query.labels, q.rows);
  if (q.rows === 0 || g.rows === 0)
    throw new EmptyEvaluationError(`retrieval with ${q.rows} queries against ${g.rows} gallery items has no figure; both need at least one`);
  const topK: Record<number, Uint8Array> = {};
  for (const k of ks) topK[k] = new Uint8Array(q.rows);
  const ap = new Float64Array(q.rows);
  forEachSimilarityRow(q, g, (row, sims) => {
    const ranks = relevantRanks(sims, (j) => gLabels[j] === qLabels[row]);
    ap[row] = averagePrecisionFromRanks(ranks);
    for (const k of ks) if (ranks.length > 0 && ranks[0]! <= k) topK[k]![row] = 1;
  });
  let apSum = 0;
  let defined = 0;
  for (const v of ap) {
    if (!Number.isNaN(v)) {
      apSum += v;
      defined++;
    }
  }
  const rates: Record<number, number> = {};
  for (const k of ks) rates[k] = topK[k]!.reduce((a, b) => a + b, 0) / q.rows;
  return { topK: rates, mAP: defined > 0 ? apSum / defined : NaN, queries: q.rows, queriesWithoutRelevant: q.rows - defined, perQuery: { topK, ap } };
}

/** Dot products of each query row with every gallery row, a chunk of queries per matrix product (memory stays bounded). */
function forEachSimilarityRow(q: FeatureMatrix, g: FeatureMatrix, visit: (row: number, sims: Float32Array) => void): void {
  // The gallery goes in as [dim, rows]: some backends (wasm) are far slower on a transposed operand.
  const gT = new Float32Array(g.data.length);
  for (let r = 0; r < g.rows; r++) for (let c = 0; c < g.dim; c++) gT[c * g.rows + r] = g.data[r * g.dim + c]!;
  const gt = tf.tensor2d(gT, [g.dim, g.rows]);
  try {
    for (let start = 0; start < q.rows; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, q.rows - start);
      const block = tf.tidy(() => tf.matMul(tf.tensor2d(q.data.subarray(start * q.dim, (start + n) * q.dim), [n, q.dim]), gt));
      const sims = block.dataSync() as Float32Array;
      block.dispose();
      for (let i = 0; i < n; i++) visit(start + i, sims.subarray(i * g.rows, (i + 1) * g.rows));
    }
  } finally {
    gt.dispose();
  }
}
