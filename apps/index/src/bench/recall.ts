import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { meanReciprocalRank, recallAtK } from '@hotplug/bench';
import { fitMap, identityMap, LanceGallery, mapNames, type Matrix, type SearchOptions } from '@hotplug/index';
import { Rng } from '@hotplug/runtime';
import { Collection, type CollectionSpec } from '../collection';
import { median, precisionAtK, rankedIds } from '../evaluate';
import type { ModelSet } from '../systems';

/**
 * The gallery: every held-out test image of Fashion-MNIST (10k) and MNIST (2k), five times
 * (as is, mirrored, shifted right/left/down by 2 px): 60k items. A query is the plain image of a
 * held-out source; its relevant items are that image's four copies in the gallery (its own plain
 * copy is removed from the gallery), so Recall@10 is instance retrieval and cannot saturate.
 */
export const RECALL_COLLECTION: CollectionSpec = {
  sources: [
    { dataset: 'fashion-mnist', split: 'test' },
    { dataset: 'mnist', split: 'test' },
  ],
  augment: ['none', 'hflip', 'shift-right', 'shift-left', 'shift-down'],
};

export interface RecallRow {
  system: string;
  /** Instance Recall@10 (relevant: the query image's copies). */
  recall: number;
  mrr: number;
  /** recall / the full re-embedding's recall. */
  ofFull: number;
  /** Overlap with the full re-embedding's top 10. */
  overlap: number;
  /** Share of the top 10 with the query's class, and that over the full re-embedding's. */
  labelPrecision: number;
  labelOfFull: number;
}

export interface RecallOptions {
  queries: number;
  fitPairs: number;
  runs: number;
  log: (line: string) => void;
}

function adaptersIn(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'adapter.json')))
    .map((d) => d.name)
    .sort();
}

const pick = (m: Matrix, rows: ArrayLike<number>): Matrix => {
  const data = new Float32Array(rows.length * m.dim);
  for (let i = 0; i < rows.length; i++) data.set(m.data.subarray(rows[i]! * m.dim, (rows[i]! + 1) * m.dim), i * m.dim);
  return { data, rows: rows.length, dim: m.dim };
};

/** Recall@10 of every map and TaCA variant against the full re-embedding; `runs` seeds (queries and fit sample), median per system. */
export async function recallBench(models: ModelSet, dbDir: string, o: RecallOptions): Promise<{ gallery: number; rows: RecallRow[]; perRun: RecallRow[][] }> {
  const c = new Collection(RECALL_COLLECTION);
  const { items, images } = c.slice(0, c.size);
  const t0 = performance.now();
  const oldEnc = models.encoder({ model: 'old' });
  const newEnc = models.encoder({ model: 'new' });
  const oldAll = await oldEnc.encode(images);
  const newAll = await newEnc.encode(images);
  o.log(`encoded ${c.size} gallery images with old and new in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const copies = RECALL_COLLECTION.augment!.length;
  const sources = c.size / copies;
  const perRun: RecallRow[][] = [];
  for (let run = 0; run < o.runs; run++) {
    const rng = new Rng(`recall-${run}`);
    const querySources = Array.from(rng.permutation(sources).subarray(0, o.queries));
    const held = new Set(querySources);
    // Gallery: everything but the queries' plain copies.
    const galleryRows = Array.from({ length: c.size }, (_, i) => i).filter((i) => !(i % copies === 0 && held.has(i / copies)));
    const queryRows = querySources.map((s) => s * copies);
    const relevant = querySources.map((s) => new Set(Array.from({ length: copies - 1 }, (_, j) => items[s * copies + j + 1]!.id)));
    const galleryIds = galleryRows.map((i) => items[i]!.id);
    const open = async (name: string, space: typeof oldEnc.space, vectors: Matrix) => {
      const g = await LanceGallery.create(dbDir, space, { table: name, mode: 'overwrite' });
      for (let s = 0; s < galleryIds.length; s += 20_000) {
        const rows = galleryRows.slice(s, s + 20_000);
        await g.upsert({ ids: rows.map((i) => items[i]!.id), vectors: pick(vectors, rows) });
      }
      return g;
    };
    const oldTable = await open('recall-old', oldEnc.space, oldAll);
    const newTable = await open('recall-new', newEnc.space, newAll);
    const search = (g: LanceGallery, q: Matrix, opts: SearchOptions) => rankedIds(g, q, { ...opts, exact: true }, 10);
    const full = await search(newTable, pick(newAll, queryRows), { space: newEnc.space });
    const fullTop = full.map((r) => new Set(r));
    const fullRecall = recallAtK(full, relevant, 10);
    const labels = new Map(items.map((it) => [it.id, it.label]));
    const queryLabels = queryRows.map((i) => items[i]!.label);
    const labelP = (ranked: string[][]) => precisionAtK(ranked, queryLabels, (id) => labels.get(id)!, 10);
    const fullLabel = labelP(full);
    const row = (system: string, ranked: string[][]): RecallRow => {
      const recall = recallAtK(ranked, relevant, 10);
      const labelPrecision = labelP(ranked);
      const r = {
        system,
        recall,
        mrr: meanReciprocalRank(ranked, relevant),
        ofFull: recall / fullRecall,
        overlap: recallAtK(ranked, fullTop, 10),
        labelPrecision,
        labelOfFull: labelPrecision / fullLabel,
      };
      o.log(
        `  ${system}: Recall@10 ${r.recall.toFixed(4)} (${r.ofFull.toFixed(3)} of full), MRR ${r.mrr.toFixed(4)}, overlap ${r.overlap.toFixed(3)}, label P@10 ${r.labelPrecision.toFixed(3)} (${r.labelOfFull.toFixed(3)} of full)`,
      );
      return r;
    };
    const rows: RecallRow[] = [
      row('new -> new (full re-embedding)', full),
      row('old -> old (no upgrade)', await search(oldTable, pick(oldAll, queryRows), { space: oldEnc.space })),
    ];
    // Maps are fitted on a sample of gallery pairs (new vector -> the stored old one), never on queries.
    const fitRows = Array.from(rng.permutation(galleryRows.length).subarray(0, o.fitPairs), (i) => galleryRows[i]!);
    for (const kind of mapNames().filter((n) => n !== 'identity')) {
      const map = await fitMap(kind, { source: pick(newAll, fitRows), target: pick(oldAll, fitRows), from: newEnc.space, to: oldEnc.space }, {}, { seed: run });
      rows.push(row(`new + ${kind}`, await search(oldTable, pick(newAll, queryRows), { space: newEnc.space, via: map })));
    }
    const queryImages = c.pick(queryRows).images;
    for (const variant of adaptersIn(models.dirs.adapters)) {
      const enc = models.encoder({ model: 'new', adapter: variant });
      const q = await enc.encode(queryImages);
      rows.push(row(`new + ${variant} (TaCA)`, await search(oldTable, q, { space: enc.space, via: identityMap(enc.space, oldEnc.space) })));
    }
    await oldTable.close();
    await newTable.close();
    o.log(`run ${run + 1}/${o.runs}: ${rows.map((r) => `${r.system} ${r.recall.toFixed(3)}`).join('; ')}`);
    perRun.push(rows);
  }
  const rows = perRun[0]!.map((r, i) => ({
    system: r.system,
    recall: median(perRun.map((x) => x[i]!.recall)),
    mrr: median(perRun.map((x) => x[i]!.mrr)),
    ofFull: median(perRun.map((x) => x[i]!.ofFull)),
    overlap: median(perRun.map((x) => x[i]!.overlap)),
    labelPrecision: median(perRun.map((x) => x[i]!.labelPrecision)),
    labelOfFull: median(perRun.map((x) => x[i]!.labelOfFull)),
  }));
  return { gallery: c.size - o.queries, rows, perRun };
}
