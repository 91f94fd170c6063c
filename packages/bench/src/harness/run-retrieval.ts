import { crossModelRetrieval } from '../metrics/retrieval';
import { cachedCell, storeEvaluatedCell, systemPairs, type RunContext } from './context';
import { cellKey } from './keys';
import type { CellIdentity } from './results';

/** Cross-model retrieval for every (gallery system, query system) pair of a dataset; nothing is trained, so it runs once (seed null). */
export async function runRetrievalCells(ctx: RunContext, dataset: string, ks: number[]): Promise<void> {
  for (const { reference, query } of systemPairs(ctx.spec)) {
    const config = {
      stage: 'retrieval',
      ks,
      gallery: ctx.features.config(reference, dataset, 'train'),
      query: ctx.features.config(query, dataset, 'test'),
    };
    const key = cellKey(config);
    if (cachedCell(ctx, key)) continue;
    const gallery = await ctx.features.get(reference, dataset, 'train');
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
      const scores = await crossModelRetrieval({ features: test.features, labels: test.labels }, { features: gallery.features, labels: gallery.labels }, ks);
      const metrics: Record<string, number> = { mAP: scores.mAP };
      const items: Record<string, ArrayLike<number>> = { mAP: scores.perQuery.ap };
      for (const k of ks) {
        metrics[`top${k}`] = scores.topK[k]!;
        items[`top${k}`] = scores.perQuery.topK[k]!;
      }
      return { metrics, items, labels: test.labels };
    });
  }
}
