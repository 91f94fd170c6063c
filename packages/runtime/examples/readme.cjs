// @ts-check
// The README example: seeded random numbers, a progress bar, an atomic JSON write and a checked
// command-line number.
const assert = require('node:assert/strict');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { CliArgumentError, ProgressBar, Rng, numberOption, sha256, writeJsonAtomic } = require('@hotplug/runtime');

(async () => {
  const order = Array.from(new Rng(42).permutation(1000)); // the same numbers on every platform for a seed
  assert.deepEqual(Array.from(new Rng(42).permutation(1000)), order);
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    Array.from({ length: 1000 }, (_, i) => i),
  );

  const bar = new ProgressBar({ total: 100, label: 'demo', unit: 'step' }); // rate, elapsed and ETA on stderr
  for (let step = 0; step < 100; step++) bar.tick(1, { loss: 1 / (step + 1) });
  bar.finish();

  const dir = mkdtempSync(join(tmpdir(), 'runtime-readme-'));
  try {
    const file = join(dir, 'metrics.json');
    writeJsonAtomic(file, { first: order.slice(0, 5) }); // temporary file, fsync, rename: never half-written
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(JSON.parse(text).first, order.slice(0, 5));
    assert.equal(numberOption('--lr', '0.01', { min: 0, exclusiveMin: true }), 0.01);
    assert.throws(() => numberOption('--lr', '-1', { min: 0, exclusiveMin: true }), CliArgumentError);
    console.log(`runtime README example (CommonJS): permutation starts ${order.slice(0, 5).join(',')}, metrics.json sha256 ${sha256(text).slice(0, 12)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
