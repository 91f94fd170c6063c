#!/usr/bin/env node
// Side-by-side ContCoOp key-set / residual variants on the embedded old -> new pair:
// trained few-shot on old, scored on old and plugged into new, next to each model's zero-shot.
// Run after `npm run build -w @hotplug/contcoop`:
//   node packages/contcoop/scripts/compare-variants.mjs [--dataset mnist] [--shots 16] [--seeds 1,2] [--steps 200] [--test-per-class 100] [--json out.json]
import { parseArgs } from 'node:util';
import { initBackend } from '@hotplug/kernels';
import { loadEmbeddedModel } from '@hotplug/models';
import { classPrompts, fewShotIndices, fewShotSplit, loadDataset, subset } from '@hotplug/data';
import { writeJsonAtomic } from '@hotplug/runtime';
import { PromptTarget, compareContcoopVariants, encodeImages, variantTableMarkdown } from '@hotplug/contcoop';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'mnist' },
    shots: { type: 'string', default: '16' },
    seeds: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '200' },
    'test-per-class': { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const int = (name, text) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
};
const shots = int('shots', values.shots);
const steps = int('steps', values.steps);
const perClass = int('test-per-class', values['test-per-class']);
const seeds = values.seeds.split(',').map((s) => int('seeds', s));

await initBackend();
const t0 = performance.now();
const old = loadEmbeddedModel('old');
const next = loadEmbeddedModel('new');
const { classNames, prompts } = classPrompts(values.dataset);
const onOld = new PromptTarget(old, classNames, { zeroShotPrompts: prompts });
const onNew = new PromptTarget(next, classNames, { zeroShotPrompts: prompts });
const single = onOld.classTokens.filter((t) => t.length === 1).length;
console.error(`${values.dataset}: ${single} of ${classNames.length} class names are one token`);

const trainSplit = loadDataset(values.dataset, 'train');
const testSplit = loadDataset(values.dataset, 'test');
// Seeded, stratified test sample (the test split is ordered by class).
const test = subset(testSplit, fewShotIndices(testSplit.labels, { shots: perClass, seed: 0, numClasses: classNames.length }));
const train = await encodeImages(old.clip, fewShotSplit(trainSplit, { shots, seed: 1 }));
const testOld = await encodeImages(old.clip, test);
const testNew = await encodeImages(next.clip, test);
console.error(`encoded ${train.rows} training and ${test.labels.length} test images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const result = await compareContcoopVariants({
  source: onOld,
  train,
  evaluations: [
    { name: 'old → old', target: onOld, test: testOld },
    { name: 'old → new', target: onNew, test: testNew },
  ],
  seeds,
  training: { steps },
});
const seconds = (performance.now() - t0) / 1000;
console.log(
  `ContCoOp variants, ${values.dataset}, ${shots} shots, seeds ${seeds.join(',')}, ${steps} steps, ${test.labels.length} test images (stratified), ${seconds.toFixed(0)} s\n`,
);
console.log(variantTableMarkdown(result));
if (values.json) writeJsonAtomic(values.json, { dataset: values.dataset, shots, seeds, steps, testImages: test.labels.length, seconds, ...result });
for (const t of [onOld, onNew]) t.dispose();
old.clip.dispose();
next.clip.dispose();
