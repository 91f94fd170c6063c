import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '@hotplug/app-bench';
import { createClip, type Clip, type Tokenizer } from '@hotplug/backbones';
import { createLearner, tokenSpaceRelation, type TokenSpaceRelation } from '@hotplug/contcoop';
import { promptAccuracy, promptTarget } from './workspace';

/** A loaded model and the folder it came from. */
export interface ModelFolder {
  dir: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** Accuracy of each learner's initial (untrained) prompts on old and new: what training adds on top (NaN where a state cannot run on new). */
export async function untrainedAccuracy(ws: Workspace, dataset: string, learners: string[]): Promise<Record<string, { old: number; new: number }>> {
  const out: Record<string, { old: number; new: number }> = {};
  for (const kind of learners) {
    const target = promptTarget(ws, 'old', dataset);
    const learner = createLearner(kind, target, { seed: 1 });
    try {
      const onOld = await promptAccuracy(ws, learner, 'old', dataset);
      const onNew = refused(learner, ws, dataset) ? { accuracy: NaN } : await promptAccuracy(ws, learner, 'new', dataset);
      out[kind] = { old: onOld.accuracy, new: onNew.accuracy };
    } finally {
      learner.dispose();
      target.dispose();
    }
  }
  return out;
}

function refused(learner: ReturnType<typeof createLearner>, ws: Workspace, dataset: string): boolean {
  const target = promptTarget(ws, 'new', dataset);
  try {
    learner.checkTarget(target);
    return false;
  } catch {
    return true;
  } finally {
    target.dispose();
  }
}

/**
 * How far a model's token embeddings moved from their random initialisation, when its folder's
 * training.json records the seed (apps/pretrain writes it): the table rebuilt from that seed vs the trained one.
 * Undefined when the table was warm-started from another model (training.json says so).
 */
export function driftFromInit(model: ModelFolder): TokenSpaceRelation | undefined {
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
