// @ts-check
// The README example on a least-squares line fit: AdamW with warm-up and cosine decay, gradient
// clipping, a checkpoint, and a rerun that finds the run finished.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import { StepSampler, Trainer } from '@hotplug/train';

await initBackend();
// 256 points on y = 3x - 2; the model y = w x + b starts at w = b = 0.
const xs = Float32Array.from({ length: 256 }, (_, i) => i / 128 - 1);
const ys = xs.map((x) => 3 * x - 2);
const w = tf.variable(tf.scalar(0), true, 'w');
const b = tf.variable(tf.scalar(0), true, 'b');
const params = new Map([
  ['w', w],
  ['b', b],
]);
const sampler = new StepSampler(xs.length, 32, /* seed */ 1); // batch(step) is the same on every run
const lossOfBatch = (/** @type {number} */ step) =>
  tf.tidy(() => {
    const rows = Array.from(sampler.batch(step));
    const x = tf.tensor1d(rows.map((r) => xs[r] ?? 0));
    const y = tf.tensor1d(rows.map((r) => ys[r] ?? 0));
    return /** @type {tf.Scalar} */ (tf.mean(tf.square(tf.sub(tf.add(tf.mul(w, x), b), y))));
  });

const dir = mkdtempSync(join(tmpdir(), 'train-readme-'));
try {
  const config = {
    totalSteps: 300,
    schedule: { lr: 0.1, warmupSteps: 10, kind: /** @type {const} */ ('cosine'), minLrRatio: 0.05 },
    clipGradNorm: 10,
    checkpoint: { dir: join(dir, 'ckpt'), every: 100 }, // rerun the same command to resume
    logFile: join(dir, 'metrics.jsonl'),
    run: { data: sampler.fingerprint() },
    progress: false,
  };
  const summary = await new Trainer(params, config).fit(lossOfBatch);
  const [slope, intercept] = [w.dataSync()[0] ?? Number.NaN, b.dataSync()[0] ?? Number.NaN];
  assert.ok(Math.abs(slope - 3) < 0.05 && Math.abs(intercept + 2) < 0.05, `w ${slope}, b ${intercept}`);
  assert.ok(summary.finalLoss < 1e-3, `final loss ${summary.finalLoss}`);

  const again = await new Trainer(params, config).fit(lossOfBatch); // the checkpoint is at totalSteps
  assert.equal(again.alreadyFinished, true);
  assert.equal(again.steps, 0);
  console.log(
    `train README example (ESM): ${summary.steps} steps, w ${slope.toFixed(3)}, b ${intercept.toFixed(3)}, loss ${summary.finalLoss.toExponential(2)}; rerun trained nothing`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
