import { createLearner } from '@hotplug/contcoop';
import type { LoadedModel } from './models';
import type { Workbench } from './workbench';

/** Accuracy of each learner's initial (untrained) prompts on old and new: what training adds on top. */
export async function untrainedAccuracy(bench: Workbench, old: LoadedModel, next: LoadedModel, dataset: string, learners: string[]): Promise<Record<string, { old: number; new: number }>> {
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
