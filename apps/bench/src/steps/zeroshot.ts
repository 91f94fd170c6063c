import { selectItems, zeroShotClassifier, zeroShotPredict, type LearnerStep } from '@hotplug/bench';
import { featureMatrix } from '@hotplug/heads';
import type { Workspace } from '../systems';
import type { AdapterSteps } from './adapters';

/**
 * Zero-shot classification as a learner: "training" on a system encodes the hand-written
 * prompts with that system's text encoder; evaluating on another system classifies its
 * image features with those class embeddings. M(new+adapter, old) is thus the old text
 * encoder's classifier on adapted new image features.
 */
export function zeroShotLearner(ws: Workspace, adapters: AdapterSteps): LearnerStep {
  return {
    version: `zeroshot-v1-${ws.dataVersion}`,
    // Encoding fixed prompts has no randomness: one measurement, not one per seed.
    seeded: false,
    async train(request) {
      const model = ws.model(request.model);
      const classes = await zeroShotClassifier(model, ws.classPrompts(request.dataset).prompts);
      const header = new Float32Array([classes.rows, classes.dim]);
      const bytes = new Uint8Array((2 + classes.data.length) * 4);
      new Float32Array(bytes.buffer).set(header, 0);
      new Float32Array(bytes.buffer).set(classes.data, 2);
      return bytes;
    },
    async evaluate(request) {
      const f = new Float32Array(request.state.buffer.slice(request.state.byteOffset, request.state.byteOffset + request.state.byteLength));
      const [rows, dim] = [f[0]!, f[1]!];
      const classes = featureMatrix(f.slice(2), rows, dim);
      const test = selectItems(await adapters.features(request.model, request.adapter, request.dataset, 'test'), request.testIndices);
      return { predictions: zeroShotPredict(test.features, classes), labels: test.labels };
    },
  };
}
