import { ensureBackend } from './backend';
import { positiveInt } from './check';
import { DimensionMismatchError } from './errors';
import { featureMatrix, l2NormalizeRows, toFeatureMatrix, toLabels, type FeatureInput, type FeatureMatrix } from './features';
import { averagePrecisionFromRanks, meanDefined, relevantRanks } from './ranking';
import { forEachSimilarityRow, topKIndices } from './similarity';
import { z } from 'zod';
import { HEAD_LIMITS, HeadStoreError, loadStored, requireArray, saveStored, storedConfig } from './store';

/** One search result. */
export interface SearchHit {
  /** Position in the gallery (insertion order). */
  index: number;
  id: string;
  label: number;
  /** Cosine similarity. */
  score: number;
}

/** Retrieval quality of a query set against the gallery. */
export interface RetrievalScores {
  /** topK[k] = fraction of queries with at least one same-label item among the first k. */
  topK: Record<number, number>;
  /** Mean over queries of the average precision over the whole ranked gallery (relevant = same label). */
  mAP: number;
  queries: number;
  /** Queries whose label has no item in the gallery: counted as misses in topK, left out of mAP. */
  queriesWithoutRelevant: number;
}

/** Options of a retrieval index. */
export interface RetrievalIndexOptions {
  /** Tag naming the model whose embeddings the gallery holds. */
  modelId?: string;
}

/**
 * A gallery of stored embeddings searched by cosine similarity. The gallery's model fixes
 * the dimension; queries from a model of another dimension get a DimensionMismatchError.
 */
export class RetrievalIndex {
  readonly modelId: string | undefined;
  private chunks: Float32Array[] = [];
  private merged: FeatureMatrix | undefined;
  private labelList: number[] = [];
  private idList: string[] = [];
  private dimension: number | undefined;

  constructor(options: RetrievalIndexOptions = {}) {
    this.modelId = options.modelId;
  }

  get size(): number {
    return this.labelList.length;
  }

  get dim(): number | undefined {
    return this.dimension;
  }

  /** Adds L2-normalised copies of the embeddings, with labels and optional ids (default: their index). */
  add(features: FeatureInput, labels: ArrayLike<number>, ids?: ReadonlyArray<string>): void {
    const m = toFeatureMatrix(features);
    if (this.dimension !== undefined && m.dim !== this.dimension) {
      throw new DimensionMismatchError('retrieval index', this.dimension, m.dim, this.modelId, m.modelId);
    }
    const l = toLabels(labels, m.rows);
    if (ids && ids.length !== m.rows) throw new Error(`got ${ids.length} ids for ${m.rows} embeddings: give one id per row`);
    const start = this.size;
    this.dimension = m.dim;
    this.chunks.push(l2NormalizeRows(m).data);
    this.merged = undefined;
    l.forEach((v) => {
      this.labelList.push(v);
    });
    for (let i = 0; i < m.rows; i++) this.idList.push(ids ? ids[i]! : String(start + i));
  }

  /** The k most similar gallery items for each query row, best first. */
  async search(queries: FeatureInput, k: number): Promise<SearchHit[][]> {
    await ensureBackend();
    positiveInt('k', k);
    const q = this.queryMatrix(queries);
    const out: SearchHit[][] = [];
    forEachSimilarityRow(q, this.gallery(), (_row, sims) => {
      out.push(Array.from(topKIndices(sims, k), (j) => ({ index: j, id: this.idList[j]!, label: this.labelList[j]!, score: sims[j]! })));
    });
    return out;
  }

  /** top-k hit rates and mAP of labelled queries against the gallery. */
  async evaluate(queries: FeatureInput, queryLabels: ArrayLike<number>, ks: number[] = [1, 5]): Promise<RetrievalScores> {
    await ensureBackend();
    ks.forEach((k) => {
      positiveInt('k', k);
    });
    const q = this.queryMatrix(queries);
    const labels = toLabels(queryLabels, q.rows);
    const hits = new Map<number, number>(ks.map((k) => [k, 0]));
    const aps = new Float64Array(q.rows);
    forEachSimilarityRow(q, this.gallery(), (row, sims) => {
      const ranks = relevantRanks(sims, (j) => this.labelList[j] === labels[row]);
      aps[row] = averagePrecisionFromRanks(ranks);
      for (const k of ks) if (ranks.length > 0 && ranks[0]! <= k) hits.set(k, hits.get(k)! + 1);
    });
    const { mean, count } = meanDefined(aps);
    const topK: Record<number, number> = {};
    for (const k of ks) topK[k] = q.rows > 0 ? hits.get(k)! / q.rows : NaN;
    return { topK, mAP: mean, queries: q.rows, queriesWithoutRelevant: q.rows - count };
  }

  /** Writes head.json + weights.bin into `dir` atomically. */
  save(dir: string): void {
    const g = this.gallery();
    saveStored(
      dir,
      'retrieval',
      { modelId: this.modelId ?? null, dim: g.dim, ids: this.idList },
      {
        embeddings: { shape: [g.rows, g.dim], data: g.data },
        labels: { shape: [this.size], data: Int32Array.from(this.labelList) },
      },
    );
  }

  /** Restores an index written by save(). */
  static load(dir: string): RetrievalIndex {
    const { stored, arrays } = loadStored(dir);
    if (stored.kind !== 'retrieval') throw new HeadStoreError(`${dir} holds a "${stored.kind}" head, not a retrieval index`, dir);
    const cfg = storedConfig(
      z.strictObject({ modelId: z.string().nullable(), dim: z.number().int().positive().max(HEAD_LIMITS.dim), ids: z.array(z.string()) }),
      stored.config,
      dir,
    );
    const e = requireArray(arrays, 'embeddings', dir);
    const l = requireArray(arrays, 'labels', dir);
    if (
      e.shape.length !== 2 ||
      l.shape.length !== 1 ||
      !(e.data instanceof Float32Array) ||
      !(l.data instanceof Int32Array) ||
      e.shape[1] !== cfg.dim ||
      e.shape[0] !== l.shape[0] ||
      cfg.ids.length !== l.shape[0]
    ) {
      throw new HeadStoreError(`retrieval index at ${dir}: embeddings [${e.shape}], labels [${l.shape}] and ${cfg.ids.length} ids disagree`, dir);
    }
    const index = new RetrievalIndex(cfg.modelId === null ? {} : { modelId: cfg.modelId });
    index.add(featureMatrix(e.data as Float32Array, e.shape[0]!, e.shape[1]!), l.data, cfg.ids);
    return index;
  }

  private gallery(): FeatureMatrix {
    if (this.dimension === undefined || this.size === 0) throw new Error('the retrieval index is empty: add() embeddings first');
    if (!this.merged) {
      const data = new Float32Array(this.size * this.dimension);
      let at = 0;
      for (const c of this.chunks) {
        data.set(c, at);
        at += c.length;
      }
      this.chunks = [data];
      this.merged = featureMatrix(data, this.size, this.dimension);
    }
    return this.merged;
  }

  private queryMatrix(queries: FeatureInput): FeatureMatrix {
    const q = toFeatureMatrix(queries);
    const dim = this.gallery().dim;
    if (q.dim !== dim) throw new DimensionMismatchError('retrieval index', dim, q.dim, this.modelId, q.modelId);
    return l2NormalizeRows(q);
  }
}
