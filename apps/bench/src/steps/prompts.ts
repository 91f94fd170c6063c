import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectItems, type LearnerRequest, type LearnerStep } from '@hotplug/bench';
import { PromptTarget, createLearner, loadLearner, predictClasses, saveLearner, trainPromptLearner, type PromptTrainConfig } from '@hotplug/contcoop';
import { fewShotIndices } from '@hotplug/data';
import type { Workspace } from '../systems';
import type { AdapterSteps } from './adapters';

/**
 * A prompt learner of @hotplug/contcoop as a benchmark learner: trained few-shot on one
 * model's cached image features, its state (prompt parameters only) is then plugged into
 * another model, whose text encoder and class-name embeddings it uses from then on.
 */
export function promptLearner(ws: Workspace, adapters: AdapterSteps, kind: string, training: Partial<PromptTrainConfig>): LearnerStep {
  const target = (request: LearnerRequest) => {
    // The workspace knows the class names of user datasets too.
    const prompts = ws.classPrompts(request.dataset);
    return new PromptTarget(ws.model(request.model), prompts.classNames, { zeroShotPrompts: prompts.prompts });
  };
  return {
    version: `prompt-${kind}-v2-${JSON.stringify(training)}-${ws.dataVersion}`,
    async train(request) {
      if (request.adapter)
        throw new Error(`prompt learner "${kind}" trains on a model's own image and text encoders; leave adapted systems out of its "systems"`);
      const t = target(request);
      const train = await adapters.features(request.model, undefined, request.dataset, 'train');
      const rows = fewShotIndices(train.labels, { shots: request.shots, seed: request.seed, numClasses: t.numClasses });
      const few = selectItems(train, rows);
      const learner = createLearner(kind, t, { seed: request.seed, options: request.options });
      try {
        await trainPromptLearner(
          learner,
          t,
          { data: few.features.data, rows: few.features.rows, dim: few.features.dim, labels: few.labels },
          { ...training, seed: request.seed, progress: false },
        );
        const dir = mkdtempSync(join(tmpdir(), 'hotplug-bench-prompt-'));
        try {
          saveLearner(learner, join(dir, 'state.safetensors'));
          return new Uint8Array(readFileSync(join(dir, 'state.safetensors')));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        learner.dispose();
      }
    },
    async evaluate(request) {
      const dir = mkdtempSync(join(tmpdir(), 'hotplug-bench-prompt-'));
      writeFileSync(join(dir, 'state.safetensors'), request.state);
      const learner = loadLearner(join(dir, 'state.safetensors'));
      rmSync(dir, { recursive: true, force: true });
      try {
        const test = selectItems(await adapters.features(request.model, request.adapter, request.dataset, 'test'), request.testIndices);
        const f = test.features;
        return { predictions: predictClasses(learner, target(request), { data: f.data, rows: f.rows, dim: f.dim, labels: test.labels }), labels: test.labels };
      } finally {
        learner.dispose();
      }
    },
  };
}
