import { LanceGallery, type EmbeddingSpace, type Matrix } from '@hotplug/index';
import { recallAtK } from '@hotplug/bench';
import { Rng } from '@hotplug/runtime';
import { median } from '../evaluate';

export interface SearchRow {
  rows: number;
  /** Median single-query latency (ms), k = 10. */
  flatMs: number;
  ivfPqMs: number;
  /** IVF-PQ's top 10 overlap with the exact top 10. */
  ivfPqRecall: number;
  /** IVF-PQ with the top refineFactor x 10 re-ranked on full vectors. */
  refinedMs: number;
  refinedRecall: number;
  /** Seconds to write the table / build the index. */
  writeSeconds: number;
  indexSeconds: number;
}

/** Unit vectors around `centres` random centres (clustered, as embeddings are), seeded. */
function synthetic(rows: number, dim: number, seed: number, centres = 256): Matrix {
  const rng = new Rng(seed);
  const c = new Float32Array(centres * dim).map(() => rng.normal());
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const k = rng.int(centres);
    let n = 0;
    for (let j = 0; j < dim; j++) {
      const v = c[k * dim + j]! + 0.6 * rng.normal();
      data[r * dim + j] = v;
      n += v * v;
    }
    n = Math.sqrt(n);
    for (let j = 0; j < dim; j++) data[r * dim + j]! /= n;
  }
  return { data, rows, dim };
}

/** Flat vs IVF-PQ search latency on synthetic unit vectors, one query at a time (queryConcurrency 1). */
export async function searchBench(
  dbDir: string,
  sizes: number[],
  dim: number,
  queries: number,
  runs: number,
  log: (l: string) => void,
  index: { subVectors: number; refineFactor: number; partitions?: number; maxIterations?: number; sampleRate?: number },
): Promise<SearchRow[]> {
  const space: EmbeddingSpace = { model: 'synthetic', dim, normalized: true, adapters: [] };
  const out: SearchRow[] = [];
  for (const rows of sizes) {
    const t0 = performance.now();
    const g = await LanceGallery.create(dbDir, space, { table: `synthetic-${rows}`, mode: 'overwrite', queryConcurrency: 1 });
    const all = synthetic(rows, dim, 1);
    const step = 250_000;
    for (let s = 0; s < rows; s += step) {
      const n = Math.min(step, rows - s);
      await g.upsert({ ids: Array.from({ length: n }, (_, i) => `v${s + i}`), vectors: { data: all.data.subarray(s * dim, (s + n) * dim), rows: n, dim } });
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    const q = synthetic(queries, dim, 2);
    const time = async (opts: { exact?: boolean; nprobes?: number; refineFactor?: number }) => {
      const hits: string[][] = [];
      const t: number[] = [];
      for (let run = 0; run < runs; run++)
        for (let i = 0; i < queries; i++) {
          const s = process.hrtime.bigint();
          const h = await g.search({ data: q.data.subarray(i * dim, (i + 1) * dim), rows: 1, dim }, 10, { space, ...opts, withMetadata: false });
          t.push(Number(process.hrtime.bigint() - s) / 1e6);
          if (run === 0) hits.push(h[0]!.map((x) => x.id));
        }
      return { ms: median(t), hits };
    };
    const flat = await time({ exact: true });
    const t1 = performance.now();
    await g.createIndex({
      kind: 'ivf-pq',
      subVectors: index.subVectors,
      ...(index.partitions ? { partitions: index.partitions } : {}),
      ...(index.maxIterations ? { maxIterations: index.maxIterations } : {}),
      ...(index.sampleRate ? { sampleRate: index.sampleRate } : {}),
    });
    const indexSeconds = (performance.now() - t1) / 1000;
    const ivf = await time({});
    const refined = await time({ refineFactor: index.refineFactor });
    await g.close();
    const truth = flat.hits.map((h) => new Set(h));
    const row = {
      rows,
      flatMs: flat.ms,
      ivfPqMs: ivf.ms,
      ivfPqRecall: recallAtK(ivf.hits, truth, 10),
      refinedMs: refined.ms,
      refinedRecall: recallAtK(refined.hits, truth, 10),
      writeSeconds,
      indexSeconds,
    };
    log(
      `search ${rows} x ${dim}: flat ${row.flatMs.toFixed(2)} ms, IVF-PQ ${row.ivfPqMs.toFixed(2)} ms (recall@10 vs flat ${row.ivfPqRecall.toFixed(3)}), refined x${index.refineFactor} ${row.refinedMs.toFixed(2)} ms (${row.refinedRecall.toFixed(3)}); write ${writeSeconds.toFixed(0)} s, index ${indexSeconds.toFixed(0)} s`,
    );
    out.push(row);
  }
  return out;
}
