import { createHead, loadHead, type ClassifierHead } from '@hotplug/heads';
import { accuracy, correctness } from '../metrics/accuracy';
import { cachedCell, storeEvaluatedCell, systemPairs, type RunContext } from './context';
import { cellKey } from './keys';
import type { CellIdentity } from './results';
import type { HeadSpec, SystemSpec } from './spec';

/**
 * Trains each head on each system's train split (or loads it from the cache) and applies it
 * to every system's test split. `seed` null: a head that trains deterministically (kNN),
 * built once and given no seed.
 */
export async function runHeadCells(ctx: RunContext, dataset: string, seed: number | null, spec: HeadSpec): Promise<void> {
  const heads = new Map<string, Promise<ClassifierHead>>();
  for (const { reference, query } of systemPairs(ctx.spec)) {
    const options = seed === null ? { ...(spec.options ?? {}) } : { ...(spec.options ?? {}), seed };
    const trainConfig = { stage: 'head', head: { kind: spec.kind, options }, train: ctx.features.config(reference, dataset, 'train') };
    const trainKey = cellKey(trainConfig);
    const config = { stage: 'head-eval', train: trainConfig, query: ctx.features.config(query, dataset, 'test') };
    const key = cellKey(config);
    if (cachedCell(ctx, key)) continue;
    if (!heads.has(trainKey)) heads.set(trainKey, trainedHead(ctx, trainKey, reference, dataset, spec, options));
    const head = await heads.get(trainKey)!;
    const test = await ctx.features.get(query, dataset, 'test');
    const cell: CellIdentity = {
      key,
      task: 'head',
      method: spec.id,
      dataset,
      seed,
      query: query.id,
      reference: reference.id,
      config,
    };
    await storeEvaluatedCell(ctx, cell, async () => {
      const predictions = head.predict(test.features);
      return {
        metrics: { accuracy: accuracy(predictions, test.labels) },
        items: { accuracy: correctness(predictions, test.labels) },
        predictions,
        labels: test.labels,
      };
    });
  }
}

async function trainedHead(
  ctx: RunContext,
  trainKey: string,
  system: SystemSpec,
  dataset: string,
  spec: HeadSpec,
  options: Record<string, unknown>,
): Promise<ClassifierHead> {
  const dir = ctx.cache.headDir(trainKey);
  if (ctx.cache.hasHead(trainKey)) {
    try {
      const head = loadHead(dir);
      ctx.stats.headsCached++;
      return head;
    } catch {
      // A damaged cached head (checksum, missing weights) is retrained and overwritten.
    }
  }
  const train = await ctx.features.get(system, dataset, 'train');
  const head = createHead(spec.kind, options);
  await head.fit(train.features, train.labels, { modelId: system.id });
  head.save(dir);
  ctx.stats.headsTrained++;
  return head;
}
