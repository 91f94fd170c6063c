import { RetrievalIndex } from '@hotplug/heads';
import { cachedCell, storeEvaluatedCell, systemPairs, type RunContext } from './context';
import { cellKey } from './keys';
import type { CellIdentity } from './results';

/** Cross-model retrieval for every (gallery system, query system) pair of a dataset. */
export async function runRetrievalCells(ctx: RunContext, dataset: string, ks: number[]): Promise<void> {
  const indexes = new Map<string, Promise<RetrievalIndex>>();
  for (const { reference, query } of systemPairs(ctx.spec)) {
    const config = {
      stage: 'retrieval',
      ks,
      gallery: ctx.features.config(reference, dataset, 'train'),
      query: ctx.features.config(query, dataset, 'test'),
    };
    const key = cellKey(config);
    if (cachedCell(ctx, key)) continue;
    if (!indexes.has(reference.id)) {
      indexes.set(reference.id, (async () => {
        const gallery = await ctx.features.get(reference, dataset, 'train');
        const index = new RetrievalIndex({ modelId: reference.id });
        index.add(gallery.features, gallery.labels);
        return index;
      })());
    }
    const index = await indexes.get(reference.id)!;
    const test = await ctx.features.get(query, dataset, 'test');
    const cell: CellIdentity = {
      key,
      task: 'retrieval',
      method: 'retrieval',
      dataset,
      seed: null,
      query: query.id,
      reference: reference.id,
      config,
    };
    await storeEvaluatedCell(ctx, cell, async () => {
      const scores = await index.evaluate(test.features, test.labels, ks);
      const metrics: Record<string, number> = { mAP: scores.mAP };
      for (const k of ks) metrics[`top${k}`] = scores.topK[k]!;
      return { metrics };
    });
  }
}
