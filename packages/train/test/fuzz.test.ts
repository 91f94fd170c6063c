// Property-based fuzzing of the checkpoint reader: malformed manifests and weight files must give
// a named error (an InputError), never a crash or a raw TypeError, keep memory bounded and write
// nothing. The tally printed at the end is what the issue-18 closing note quotes.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { Trainer } from '../src/index';
import { killedRun, runConfig, tinyProblem } from './fixtures';
import { expectMemoryBounded, expectUnchanged, fingerprint, fuzzTally, memoryNow, type Outcome } from '../../../tools/test-support/fuzz';

// A clear error is any InputError; the line is printed after the suite.
const tally = fuzzTally('checkpoint');
let folder = '';
let manifest: Record<string, unknown> = {};

beforeAll(async () => {
  await initBackend();
  folder = await killedRun();
  manifest = JSON.parse(readFileSync(join(folder, 'checkpoint.json'), 'utf8'));
});

/** Writes `text` as the manifest (and maybe replaces the weights), resumes, classifies the outcome. */
async function attempt(text: string, weights?: Uint8Array): Promise<void> {
  const bin = readdirSync(folder).find((f) => f.endsWith('.bin'))!;
  const goodWeights = readFileSync(join(folder, bin));
  writeFileSync(join(folder, 'checkpoint.json'), text);
  if (weights) writeFileSync(join(folder, bin), weights);
  const before = fingerprint(folder);
  const rss = memoryNow({ arrayBuffers: false });
  const p = tinyProblem();
  // The fuzzed run must not train: a "finished" total makes an accepted checkpoint a no-op.
  const t = new Trainer(p.params, runConfig(folder));
  let outcome: Outcome | undefined;
  try {
    outcome = await tally.run(async () => {
      try {
        await t.fit((step) => {
          // An accepted, unfinished checkpoint trains; stop at once so nothing is written.
          throw Object.assign(new Error(`accepted at step ${step}`), { accepted: true });
        });
      } catch (err) {
        if (!(err as { accepted?: boolean }).accepted) throw err;
      }
    });
  } finally {
    t.dispose();
    p.dispose();
  }
  expectMemoryBounded(rss, 256, { arrayBuffers: false });
  // A refused checkpoint leaves the folder exactly as it was (an accepted one may trim the log).
  if (outcome === 'clear error') expectUnchanged(folder, before);
  writeFileSync(join(folder, 'checkpoint.json'), JSON.stringify(manifest));
  writeFileSync(join(folder, bin), goodWeights);
}

const FIELDS = ['format', 'step', 'optimizerStep', 'totalSteps', 'weightsFile', 'specs', 'run', 'finalLoss', 'seconds'];
const hostile = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 1e9, 1e300, 0.5, '3', '../checkpoint.json', '/etc/passwd', null, [], {}, [{ name: 'param/w', shape: [1e9, 1e9], dtype: 'float32' }]),
);

describe('checkpoint reader fuzz', () => {
  it('a field replaced by an arbitrary or hostile value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), hostile, async (field, value) => {
        await attempt(JSON.stringify({ ...manifest, [field]: value }));
      }),
      { numRuns: 120, seed: 18 },
    );
  });

  it('a field removed, or an unknown one added', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), fc.boolean(), async (field, add) => {
        const m: Record<string, unknown> = { ...manifest };
        if (add) m[`${field}X`] = 1;
        else delete m[field];
        await attempt(JSON.stringify(m));
      }),
      { numRuns: 30, seed: 18 },
    );
  });

  it('spec shapes and dtypes mutated', async () => {
    const specs = manifest.specs as Array<{ name: string; shape: number[]; dtype: string }>;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(specs.length - 1),
        fc.array(fc.integer({ min: -5, max: 2 ** 32 }), { maxLength: 10 }),
        fc.constantFrom('float32', 'float64', 'int32', 'string'),
        async (i, shape, dtype) => {
          const mutated = specs.map((s, j) => (j === i ? { ...s, shape, dtype } : s));
          await attempt(JSON.stringify({ ...manifest, specs: mutated }));
        },
      ),
      { numRuns: 60, seed: 18 },
    );
  });

  it('arbitrary bytes as the manifest, and truncated or random weights', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await attempt(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 40, seed: 18 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        await attempt(JSON.stringify(manifest), bytes);
      }),
      { numRuns: 30, seed: 18 },
    );
  });
});
