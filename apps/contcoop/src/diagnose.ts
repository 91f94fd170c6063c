import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClip } from '@hotplug/backbones';
import { createLearner, tokenSpaceRelation, type TokenSpaceRelation } from '@hotplug/contcoop';
import type { LoadedModel } from './models';
import type { Workbench } from './workbench';

/** Accuracy of each learner's initial (untrained) prompts on old and new: what training adds on top. */
export async function untrainedAccuracy(
  bench: Workbench,
  old: LoadedModel,
  next: LoadedModel,
  dataset: string,
  learners: string[],
): Promise<Record<string, { old: number; new: number }>> {
  const out: Record<string, { old: number; new: number }> = {};
  for (const kind of learners) {
    const learner = createLearner(kind, bench.target(old, dataset), { seed: 1 });
    const onOld = await bench.evaluate(learner, old, dataset);
    const onNew = bench.refusal(learner, next, dataset) ? { accuracy: NaN } : await bench.evaluate(learner, next, dataset);
    out[kind] = { old: onOld.accuracy, new: onNew.accuracy };
    learner.dispose();
  }
  return out;
}

/**
 * How far a model's token embeddings moved from their random initialisation, when its folder's
 * training.json records the seed (apps/pretrain writes it): the table rebuilt from that seed vs the trained one.
 * Undefined when the table was warm-started from another model (training.json says so).
 */
export function driftFromInit(model: LoadedModel): TokenSpaceRelation | undefined {
  const path = join(model.dir, 'training.json');
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, 'utf8')) as { seed?: number; warmStart?: { weights?: string[] } };
  // A warm-started token table did not start from the seed's random values.
  if (typeof record.seed !== 'number' || record.warmStart?.weights?.includes('text.token_embedding')) return undefined;
  const seed = record.seed;
  const init = createClip(model.clip.config, { seed });
  try {
    return tokenSpaceRelation({ clip: init, tokenizer: model.tokenizer }, model);
  } finally {
    init.dispose();
  }
}
