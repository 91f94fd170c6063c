import { accuracy, correctness } from '../metrics/accuracy';
import { sampleTestIndices } from '../sampling';
import { cachedCell, learnerPairs, storeEvaluatedCell, type RunContext } from './context';
import { cellKey } from './keys';
import type { CellIdentity } from './results';
import type { LearnerSpec, SystemSpec } from './spec';
import type { LearnerRequest } from './steps';

function systemConfig(ctx: RunContext, s: SystemSpec): Record<string, unknown> {
  const model = { name: s.model, version: ctx.steps.models.get(s.model)!.version };
  const adapter = s.adapter === undefined ? null : { name: s.adapter, version: ctx.steps.adapters.get(s.adapter)!.version };
  return { model, adapter };
}

function request(s: SystemSpec, dataset: string, shots: number, seed: number, options: Record<string, unknown>): LearnerRequest {
  return { model: s.model, ...(s.adapter !== undefined ? { adapter: s.adapter } : {}), dataset, shots, seed, options };
}

/**
 * Trains a learner on each system at one shot count and evaluates it on every system.
 * `seed` null: a learner step that declares itself deterministic (`seeded: false`), run once
 * (its requests carry seed 0).
 */
export async function runLearnerCells(ctx: RunContext, dataset: string, seed: number | null, spec: LearnerSpec, shots: number): Promise<void> {
  const step = ctx.steps.learners.get(spec.learner)!;
  const options = spec.options ?? {};
  const states = new Map<string, Promise<Uint8Array>>();
  let sample: Int32Array | undefined;
  for (const { reference, query } of learnerPairs(ctx.spec, spec)) {
    const trainConfig = {
      stage: 'learner',
      learner: { name: spec.learner, version: step.version, options },
      system: systemConfig(ctx, reference),
      dataset,
      shots,
      seed,
    };
    const trainKey = cellKey(trainConfig);
    const config = {
      stage: 'learner-eval',
      train: trainConfig,
      query: systemConfig(ctx, query),
      ...(spec.testItems !== undefined ? { testItems: spec.testItems } : {}),
    };
    const key = cellKey(config);
    if (cachedCell(ctx, key)) continue;
    if (!states.has(trainKey)) {
      states.set(
        trainKey,
        (async () => {
          const hit = ctx.cache.readBlob('learners', trainKey);
          if (hit) {
            ctx.stats.learnersCached++;
            return new Uint8Array(hit.bytes);
          }
          const state = await step.train(request(reference, dataset, shots, seed ?? 0, options));
          ctx.cache.writeBlob('learners', trainKey, state, { config: trainConfig });
          ctx.stats.learnersTrained++;
          return state;
        })(),
      );
    }
    const state = await states.get(trainKey)!;
    const cell: CellIdentity = {
      key,
      task: 'learner',
      method: spec.id,
      dataset,
      seed,
      shots,
      query: query.id,
      reference: reference.id,
      config,
    };
    if (spec.testItems !== undefined && !sample) {
      // Every system has the same test labels (the harness checks it when pairing), so one sample serves them all.
      const labels = (await ctx.features.get(query, dataset, 'test')).labels;
      sample = sampleTestIndices(labels, Math.min(spec.testItems, labels.length), `learner/${spec.id}`);
    }
    await storeEvaluatedCell(ctx, cell, async () => {
      const out = await step.evaluate({ ...request(query, dataset, shots, seed ?? 0, options), state, ...(sample ? { testIndices: sample } : {}) });
      if (sample && out.labels.length !== sample.length)
        throw new Error(
          `learner "${spec.learner}" returned ${out.labels.length} predictions for the ${sample.length} sampled test items; a step must honour testIndices`,
        );
      return {
        metrics: { accuracy: accuracy(out.predictions, out.labels) },
        items: { accuracy: correctness(out.predictions, out.labels) },
        predictions: out.predictions,
        labels: out.labels,
        ...(sample ? { itemIndices: sample } : {}),
      };
    });
  }
}
