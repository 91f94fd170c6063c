import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import { ingestBench, type IngestRow } from '../bench/ingest';
import { latencyBench } from '../bench/latency';
import { recallBench } from '../bench/recall';
import { searchBench, type SearchRow } from '../bench/search';
import { UsageError } from '../errors';
import { ModelSet } from '../systems';
import { backend, int, modelDirs, type CommonOptions } from './common';

export interface BenchOptions extends CommonOptions {
  part: string[];
  runs: string;
  queries: string;
  fitPairs: string;
  sizes: string[];
  dim: string;
  redis?: string;
  items: string;
  subVectors: string;
  refine: string;
  partitions?: string;
  maxIterations?: string;
  sampleRate?: string;
}

const PARTS = ['recall', 'latency', 'search', 'ingest'];

/** The measurements of the README: recall of each map/adapter, added latency, flat vs IVF-PQ, ingest throughput. */
export async function bench(o: BenchOptions, workerCommand: string[]): Promise<Record<string, unknown>> {
  await backend(o);
  const parts = o.part.length === 0 || o.part.includes('all') ? PARTS : o.part;
  const bad = parts.filter((p) => !PARTS.includes(p));
  if (bad.length) throw new UsageError(`bench: unknown part ${bad.join(', ')}; parts: ${PARTS.join(', ')}, all`);
  if (parts.includes('ingest') && !o.redis) throw new UsageError('bench ingest needs --redis URL (it measures BullMQ workers)');
  const runs = int(o.runs, '--runs');
  const dir = join(o.out, 'bench');
  mkdirSync(dir, { recursive: true });
  const log = (l: string) => console.error(l);
  const dirs = modelDirs(o);
  const models = new ModelSet(dirs);
  const results: Record<string, unknown> = { runs, startedAt: new Date().toISOString() };
  const md: string[] = [];
  const f = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));
  try {
    if (parts.includes('recall')) {
      const r = await recallBench(models, join(dir, 'db'), { queries: int(o.queries, '--queries'), fitPairs: int(o.fitPairs, '--fit-pairs'), runs, log });
      results.recall = r;
      md.push(
        `Recall@10 on ${r.gallery} gallery items (instance relevance: the query image's 4 copies), median of ${runs} runs:`,
        '',
        '| system | Recall@10 | of full re-embedding | MRR | top-10 overlap with re-embedding | label P@10 | of full re-embedding |',
        '|---|---:|---:|---:|---:|---:|---:|',
      );
      for (const row of r.rows)
        md.push(
          `| ${row.system} | ${f(row.recall)} | ${f(row.ofFull)} | ${f(row.mrr)} | ${f(row.overlap)} | ${f(row.labelPrecision)} | ${f(row.labelOfFull)} |`,
        );
      md.push('');
    }
    if (parts.includes('latency')) {
      const r = await latencyBench(models, runs, log);
      results.latency = r;
      md.push(
        `Added query latency over the bare new model (${f(r.bareNewUs, 0)} µs per query at batch 1, ${f(r.bareNewUsBatched, 1)} µs per image at batch 256), median of ${runs} runs:`,
        '',
        '| system | added µs per query (batch 1) | added µs per image (batch 256) |',
        '|---|---:|---:|',
      );
      for (const row of r.rows) md.push(`| ${row.system} | ${f(row.addedUs, 1)} | ${f(row.addedUsBatched, 1)} |`);
      md.push('');
    }
    if (parts.includes('search')) {
      const sizes = o.sizes.map((s) => int(s, '--sizes'));
      const r: SearchRow[] = await searchBench(join(dir, 'db'), sizes, int(o.dim, '--dim'), int(o.queries, '--queries'), runs, log, {
        subVectors: int(o.subVectors, '--sub-vectors'),
        refineFactor: int(o.refine, '--refine'),
        ...(o.partitions ? { partitions: int(o.partitions, '--partitions') } : {}),
        ...(o.maxIterations ? { maxIterations: int(o.maxIterations, '--max-iterations') } : {}),
        ...(o.sampleRate ? { sampleRate: int(o.sampleRate, '--sample-rate') } : {}),
      });
      results.search = r;
      md.push(
        `Search latency, one query at a time, k = 10, synthetic ${o.dim}-dim unit vectors (256 clusters), IVF-PQ with ${o.subVectors} sub-vectors, ${o.partitions ?? 'default'} partitions (k-means: ${o.maxIterations ?? 'default'} iterations, sample rate ${o.sampleRate ?? 'default'}), LanceDB's default nprobes (median of ${runs} x ${o.queries} queries):`,
        '',
        `| vectors | flat (ms) | IVF-PQ (ms) | IVF-PQ recall@10 vs flat | IVF-PQ + refine x${o.refine} (ms) | its recall@10 | write (s) | index build (s) |`,
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
      );
      for (const row of r)
        md.push(
          `| ${row.rows} | ${f(row.flatMs, 2)} | ${f(row.ivfPqMs, 2)} | ${f(row.ivfPqRecall)} | ${f(row.refinedMs, 2)} | ${f(row.refinedRecall)} | ${f(row.writeSeconds, 0)} | ${f(row.indexSeconds, 0)} |`,
        );
      md.push('');
    }
    if (parts.includes('ingest')) {
      const r: IngestRow[] = await ingestBench(dirs, dir, { redis: o.redis!, items: int(o.items, '--items'), shardSize: 500, runs, workerCommand, log });
      results.ingest = r;
      md.push(
        `Ingest throughput (new + taca-symmetric into a LanceDB table, ${o.items} items, shards of 500), median of ${runs} runs:`,
        '',
        '| BullMQ workers | items/s | runs |',
        '|---:|---:|---|',
      );
      for (const row of r) md.push(`| ${row.workers} | ${f(row.itemsPerSecond, 0)} | ${row.runs.map((x) => x.toFixed(0)).join(', ')} |`);
      md.push('');
    }
  } finally {
    models.dispose();
  }
  writeJsonAtomic(join(dir, 'results.json'), results);
  writeFileAtomic(join(dir, 'results.md'), md.join('\n'));
  console.log(md.join('\n'));
  return results;
}
