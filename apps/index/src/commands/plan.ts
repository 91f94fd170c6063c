import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { meanReciprocalRank, recallAtK } from '@hotplug/bench';
import { fitMap, identityMap, LanceGallery, mapNames, MemoryGallery, saveMap, SpaceMismatchError, type Matrix, type SearchOptions } from '@hotplug/index';
import { Rng, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import { Collection } from '../collection';
import { UsageError } from '../errors';
import { addedEncodeUs, mapLatencyUs, precisionAtK, rankedIds } from '../evaluate';
import { ModelSet } from '../systems';
import { layout, readManifest } from '../tables';
import { backend, int, modelDirs, requireTable, tableOf, type CommonOptions } from './common';

export interface PlanOptions extends CommonOptions {
  table?: string;
  sample: string;
  queries: string;
  maps?: string[];
  taca?: string[];
  seed: string;
  k: string;
}

export interface PlanRow {
  system: string;
  kind: 'baseline' | 'map' | 'adapter';
  /** Overlap of the system's top k with the full re-embedding's top k (1 = the same neighbours). */
  recallAtK: number | null;
  /** Mean reciprocal rank of the re-embedding's nearest neighbour in the system's ranking. */
  mrr: number | null;
  /** Share of the top k with the query's label; the full re-embedding's is in PlanReport. */
  labelPrecision: number | null;
  /** labelPrecision / the full re-embedding's. */
  labelPrecisionOfFull: number | null;
  /** Time the system adds to one query over the bare new model (µs, median). */
  addedLatencyUs: number | null;
  /** Why the system could not query the table. */
  refused?: string;
  savedTo?: string;
}

export interface PlanReport {
  table: string;
  sample: number;
  fitPairs: number;
  queries: number;
  k: number;
  seed: number;
  /** Label precision@k of new queries against the re-embedded sample (what a backfill would reach). */
  fullLabelPrecision: number;
  rows: PlanRow[];
}

/** Every trained TaCA adapter in the adapters folder (a subfolder with adapter.json). */
function trainedAdapters(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'adapter.json')))
    .map((d) => d.name)
    .sort();
}

function list(text: string | undefined, all: string[], flag: string): string[] {
  if (text === undefined || text === 'all') return all;
  if (text === 'none') return [];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !all.includes(n));
  if (bad.length) throw new UsageError(`${flag}: unknown ${bad.join(', ')}; available: ${all.join(', ') || 'none'} (or all, none)`);
  return names;
}

/**
 * Takes a seeded sample of the table's items, encodes it with the new model, fits each map on
 * part of it (new -> the table's stored old vectors) and scores every way of querying the old
 * table (maps, TaCA adapters, the old model itself) against a full re-embedding of the sample:
 * how many of the re-embedded top-k neighbours each one finds.
 */
export async function plan(o: PlanOptions): Promise<PlanReport> {
  await backend(o);
  const table = tableOf(o);
  await requireTable(o.out, table);
  const manifest = readManifest(o.out, table);
  if (!manifest?.collections.length) throw new UsageError(`table "${table}" has no recorded collections; plan samples what build and ingest recorded`);
  const k = int(o.k, '-k');
  const seed = int(o.seed, '--seed', 0);
  const models = new ModelSet(modelDirs(o));
  const paths = layout(o.out);
  const gallery = await LanceGallery.open(paths.db, { table });
  try {
    // The sample: seeded positions over every collection written into the table.
    const collections = manifest.collections.map((c) => new Collection(c.collection));
    const total = collections.reduce((n, c) => n + c.size, 0);
    const want = Math.min(int(o.sample, '--sample', 2), total);
    const positions = Array.from(new Rng(seed).permutation(total).subarray(0, want));
    const parts = positions.map((p) => {
      let at = p;
      for (const [ci, c] of collections.entries()) {
        if (at < c.size) return { ci, at };
        at -= c.size;
      }
      throw new Error('unreachable');
    });
    const picked = collections.map((c, ci) => c.pick(parts.filter((x) => x.ci === ci).map((x) => x.at)));
    const items = picked.flatMap((p) => p.items);
    const pixels = new Uint8Array(picked.reduce((n, p) => n + p.images.images.length, 0));
    let offset = 0;
    for (const p of picked) {
      pixels.set(p.images.images, offset);
      offset += p.images.images.length;
    }
    const stack = { ...picked[0]!.images, size: items.length, images: pixels };
    // The table's own stored vectors of the sample (what an upgrade keeps), by id.
    const wanted = new Map(items.map((it, i) => [it.id, i]));
    const oldData = new Float32Array(items.length * gallery.space.dim);
    let found = 0;
    for await (const batch of gallery.scan({ batchSize: 4096 }))
      for (const s of batch) {
        const i = wanted.get(s.id);
        if (i !== undefined && s.vector) {
          oldData.set(s.vector, i * gallery.space.dim);
          found++;
        }
      }
    if (found !== items.length)
      throw new UsageError(`${items.length - found} sampled items are not in table "${table}"; was an ingest or build interrupted? rerun it first`);
    const old: Matrix = { data: oldData, rows: items.length, dim: gallery.space.dim };
    const newEncoder = models.encoder({ model: 'new' });
    const fresh = await newEncoder.encode(stack);
    // Fit on the first part, query with the rest: maps never see their evaluation queries.
    const nq = Math.min(int(o.queries, '--queries'), Math.floor(items.length / 4));
    const nf = items.length - nq;
    const rowsOf = (m: Matrix, from: number, to: number): Matrix => ({ data: m.data.slice(from * m.dim, to * m.dim), rows: to - from, dim: m.dim });
    const queryIds = items.slice(nf).map((it) => it.id);
    const queryStack = { ...stack, size: nq, images: stack.images.slice(nf * stack.height * stack.width * stack.channels) };
    const ids = items.map((it) => it.id);
    const oldSample = await MemoryGallery.from(gallery.space, { ids, vectors: old });
    const newSample = await MemoryGallery.from(newEncoder.space, { ids, vectors: fresh });
    const truth = await rankedIds(newSample, rowsOf(fresh, nf, items.length), { space: newEncoder.space }, k, queryIds);
    const truthTopK = truth.map((t) => new Set(t));
    const truthTop1 = truth.map((t) => new Set(t.slice(0, 1)));
    const labels = new Map(items.map((it) => [it.id, it.label]));
    const labelOf = (id: string) => labels.get(id)!;
    const queryLabels = items.slice(nf).map((it) => it.label);
    const fullLabelPrecision = precisionAtK(truth, queryLabels, labelOf, k);
    const score = async (queries: Matrix, options: SearchOptions) => {
      const ranked = await rankedIds(oldSample, queries, options, k, queryIds);
      const labelPrecision = precisionAtK(ranked, queryLabels, labelOf, k);
      return {
        recallAtK: recallAtK(ranked, truthTopK, k),
        mrr: meanReciprocalRank(ranked, truthTop1),
        labelPrecision,
        labelPrecisionOfFull: labelPrecision / fullLabelPrecision,
      };
    };
    const rows: PlanRow[] = [];
    rows.push({
      system: 'old (no upgrade)',
      kind: 'baseline',
      ...(await score(rowsOf(old, nf, items.length), { space: gallery.space })),
      addedLatencyUs: null,
    });
    try {
      await rankedIds(oldSample, rowsOf(fresh, nf, items.length), { space: newEncoder.space }, k);
      rows.push({
        system: 'new (no map)',
        kind: 'baseline',
        ...(await score(rowsOf(fresh, nf, items.length), { space: newEncoder.space })),
        addedLatencyUs: 0,
      });
    } catch (e) {
      if (!(e instanceof SpaceMismatchError)) throw e;
      rows.push({
        system: 'new (no map)',
        kind: 'baseline',
        recallAtK: null,
        mrr: null,
        labelPrecision: null,
        labelPrecisionOfFull: null,
        addedLatencyUs: null,
        refused: 'SpaceMismatchError',
      });
    }
    const queriesNew = rowsOf(fresh, nf, items.length);
    for (const kind of list(
      o.maps?.join(','),
      mapNames().filter((n) => n !== 'identity'),
      '--maps',
    )) {
      const map = await fitMap(kind, { source: rowsOf(fresh, 0, nf), target: rowsOf(old, 0, nf), from: newEncoder.space, to: gallery.space }, {}, { seed });
      const dir = join(paths.maps(table), kind);
      saveMap(map, dir);
      rows.push({
        system: `new + ${kind}`,
        kind: 'map',
        ...(await score(queriesNew, { space: newEncoder.space, via: map })),
        addedLatencyUs: mapLatencyUs(map, queriesNew),
        savedTo: dir,
      });
    }
    const single = { ...queryStack, size: 1, images: queryStack.images.slice(0, queryStack.height * queryStack.width * queryStack.channels) };
    const variants = list(o.taca?.join(','), trainedAdapters(models.dirs.adapters), '--taca');
    for (const variant of variants) {
      const enc = models.encoder({ model: 'new', adapter: variant });
      const q = await enc.encode(queryStack);
      rows.push({
        system: `new + ${variant}`,
        kind: 'adapter',
        ...(await score(q, { space: enc.space, via: identityMap(enc.space, gallery.space) })),
        addedLatencyUs: (await addedEncodeUs(newEncoder, enc, single)).addedUs,
      });
    }
    const report: PlanReport = { table, sample: items.length, fitPairs: nf, queries: nq, k, seed, fullLabelPrecision, rows };
    const md = planMarkdown(report);
    writeJsonAtomic(join(o.out, 'plans', `${table}.json`), report);
    writeFileAtomic(join(o.out, 'plans', `${table}.md`), md);
    console.log(md);
    return report;
  } finally {
    await gallery.close();
    models.dispose();
  }
}

export function planMarkdown(r: PlanReport): string {
  const f = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));
  const lines = [
    `Plan for table "${r.table}": sample of ${r.sample} items (seed ${r.seed}), maps fitted on ${r.fitPairs} pairs, ${r.queries} held-out queries.`,
    `Recall@${r.k}: share of the full re-embedding's top ${r.k} neighbours found; MRR: of its nearest neighbour. Label P@${r.k}: share of the top ${r.k} with the query's class (full re-embedding: ${f(r.fullLabelPrecision)}).`,
    '',
    `| system | Recall@${r.k} | MRR | label P@${r.k} | of full re-embedding's | added latency per query (µs) |`,
    '|---|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (row) =>
        `| ${row.system} | ${row.refused ? `refused (${row.refused})` : f(row.recallAtK)} | ${f(row.mrr)} | ${f(row.labelPrecision)} | ${f(row.labelPrecisionOfFull)} | ${f(row.addedLatencyUs, 1)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
