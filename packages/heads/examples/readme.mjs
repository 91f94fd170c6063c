// @ts-check
// The README example on synthetic features: a linear head trained, saved and loaded, refused
// features of another width, and a retrieval index.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHead, loadHead, RetrievalIndex, featureMatrix, DimensionMismatchError } from '@hotplug/heads';

// Three classes around orthogonal centres in 32 dimensions, seeded: linearly separable by construction.
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31 - 0.5;
};
const make = (/** @type {number} */ rows, /** @type {number} */ dim) => {
  const data = new Float32Array(rows * dim),
    labels = [];
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    labels.push(c);
    for (let j = 0; j < dim; j++) data[r * dim + j] = (j === c ? 3 : 0) + 0.5 * rand();
  }
  return { data, labels };
};
const train = make(90, 32),
  test = make(30, 32);
const head = createHead('linear', { epochs: 30, seed: 1 });
await head.fit(featureMatrix(train.data, 90, 32, 'clip-old'), train.labels);
const dir = mkdtempSync(join(tmpdir(), 'heads-readme-'));
try {
  head.save(join(dir, 'linear-old'));
  const again = loadHead(join(dir, 'linear-old'));
  const predicted = Array.from(again.predict(featureMatrix(test.data, 30, 32)));
  const accuracy = predicted.filter((p, i) => p === test.labels[i]).length / 30;
  assert.ok(accuracy >= 0.95, `accuracy ${accuracy}`);
  assert.deepEqual(Array.from(head.predict(featureMatrix(test.data, 30, 32))), predicted); // save/load round trip
  assert.throws(() => again.predict(featureMatrix(new Float32Array(30 * 48), 30, 48)), DimensionMismatchError);

  const index = new RetrievalIndex({ modelId: 'clip-old' });
  index.add(
    featureMatrix(train.data, 90, 32),
    train.labels,
    train.labels.map((_, i) => `img-${i}`),
  );
  const hits = await index.search(featureMatrix(test.data, 30, 32), 5);
  assert.equal(hits.length, 30);
  const scores = await index.evaluate(featureMatrix(test.data, 30, 32), test.labels, [1, 5]);
  assert.ok(scores.topK[1] >= 0.95, JSON.stringify(scores));
  console.log(`heads README example (ESM): accuracy ${accuracy}, top-1 ${scores.topK[1]}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
