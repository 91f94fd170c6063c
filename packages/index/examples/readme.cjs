// @ts-check
// The README example on synthetic embeddings: a LanceDB gallery of an old model's 16-dim
// vectors, queries from a new 24-dim model (refused as they are), and a Procrustes map fitted
// on a paired sample that lets them search the old table, add to it, and export to ONNX.
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Rng } = require('@hotplug/runtime');
const { LanceGallery, SpaceMismatchError, fitMap, loadMap, mapToOnnx, matrix, normalizeRows, saveMap } = require('@hotplug/index');

(async () => {
  const oldSpace = { model: 'old-0123456789ab', modelName: 'old', dim: 16, normalized: true, adapters: [] };
  const newSpace = { model: 'new-ba9876543210', modelName: 'new', dim: 24, normalized: true, adapters: [] };

  // 300 items. The new model sees each through a rotation of its own (a signed permutation into 24
  // dimensions, the last 8 small noise), so a map from new to old exists.
  const rng = new Rng(1);
  const n = 300;
  const oldVectors = normalizeRows(
    matrix(
      Float32Array.from({ length: n * 16 }, () => rng.normal()),
      n,
      16,
    ),
  );
  const perm = Array.from(rng.permutation(16)),
    sign = perm.map(() => (rng.next() < 0.5 ? -1 : 1));
  const newData = new Float32Array(n * 24);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 24; j++)
      newData[i * 24 + j] = j < 16 ? (sign[j] ?? 1) * (oldVectors.data[i * 16 + (perm[j] ?? 0)] ?? 0) + 0.02 * rng.normal() : 0.02 * rng.normal();
  const newVectors = normalizeRows(matrix(newData, n, 24));
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);

  const dir = mkdtempSync(join(tmpdir(), 'index-readme-'));
  try {
    // The deployed table: the old model's embeddings, stamped with its space.
    const gallery = await LanceGallery.create(join(dir, 'db'), oldSpace, { items: { ids, vectors: oldVectors } });
    const queries = matrix(newVectors.data.slice(200 * 24), 100, 24); // the new model's view of items 200..299
    await assert.rejects(gallery.search(queries, 5, { space: newSpace }), SpaceMismatchError); // names both spaces and the fix

    // Fit a map on a sample encoded by both models (items 0..99, never the queries), keep it next to the table.
    const sample = (/** @type {import('@hotplug/index').Matrix} */ m) => matrix(m.data.slice(0, 100 * m.dim), 100, m.dim);
    const map = await fitMap('procrustes', { source: sample(newVectors), target: sample(oldVectors), from: newSpace, to: oldSpace });
    saveMap(map, join(dir, 'maps', 'procrustes')); // map.safetensors + map.json (atomic)
    const hits = await gallery.search(queries, 5, { space: newSpace, via: loadMap(join(dir, 'maps', 'procrustes')) });
    // hits[q] = [{ id, score (cosine), metadata }], best first: each query finds its own item.
    const top1 = hits.filter((h, q) => h[0]?.id === `item-${200 + q}`).length / hits.length;
    assert.ok(top1 >= 0.99, `top-1 ${top1}`);

    // New items from the new model join the old table through the same map.
    const added = await gallery.upsert({ ids: ['new-item'], vectors: matrix(newVectors.data.slice(0, 24), 1, 24) }, { space: newSpace, via: map });
    assert.equal(added.inserted, 1);
    const onnx = mapToOnnx(map); // input "embedding" [batch, 24] -> "mapped" [batch, 16], for onnxruntime
    assert.ok(onnx.byteLength > 16 * 24 * 4);
    await gallery.close();
    console.log(
      `index README example (CommonJS): raw new queries refused; through the Procrustes map top-1 ${top1.toFixed(2)} on 100 queries (score ${hits[0]?.[0]?.score.toFixed(3)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
