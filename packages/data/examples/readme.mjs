// @ts-check
// The README example on the Fashion-MNIST test split: load and verify it, take a seeded few-shot
// split, and iterate augmented, normalised batches.
// Installed with: npm install @hotplug/data @hotplug/datasets
import assert from 'node:assert/strict';
import { initBackend } from '@hotplug/kernels';
import { BatchIterator, NORMALIZATION, classPrompts, fewShotSplit, loadDataset } from '@hotplug/data';

await initBackend(); // the batches are tfjs tensors
const test = loadDataset('fashion-mnist', 'test'); // 10,000 x 28x28x1, sha256-checked on first load
assert.deepEqual([test.size, test.height, test.width, test.channels], [10000, 28, 28, 1]);
const shots = fewShotSplit(test, { shots: 4, seed: 1 }); // 4 per class, seeded
assert.equal(shots.size, 40);
assert.deepEqual(Array.from(fewShotSplit(test, { shots: 4, seed: 1 }).labels), Array.from(shots.labels));
const { classNames, prompts } = classPrompts('fashion-mnist'); // prompts[c] = ['a photo of the trouser.', ...]
assert.equal(classNames.length, 10);

const batches = new BatchIterator(shots, {
  batchSize: 16,
  seed: 1,
  epochs: 1,
  transform: [
    { kind: 'randomAffine', degrees: 10, translate: [0.1, 0.1] },
    { kind: 'normalize', ...NORMALIZATION['fashion-mnist'] },
  ],
});
let seen = 0;
for await (const { images, labels } of batches) {
  // images: Tensor4D [B,28,28,1] float32, labels: Tensor1D int32; both disposed when the loop moves on
  assert.deepEqual(images.shape.slice(1), [28, 28, 1]);
  seen += labels.shape[0];
}
assert.equal(seen, 40);
console.log(`data README example (ESM): ${test.size} test images, ${shots.size} shots in ${Math.ceil(seen / 16)} batches; "${prompts[1]?.[0]}"`);
