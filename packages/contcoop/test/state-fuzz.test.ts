// Issue 18 (identity, corruption) for prompt states: a state records the model and class list it was
// trained on; loading into another is refused unless forced; malformed metadata is refused (fuzzed).
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { SafetensorsReader, writeSafetensors } from '@hotplug/backbones';
import { IdentityMismatchError } from '@hotplug/runtime';
import { createLearner, loadLearner, PromptStateError, PromptTarget, promptModelIdentity, saveLearner, type PromptModel } from '../src/index';
import { FASHION, MNIST, tinyModel } from './helpers';
import { expectMemoryBounded, expectUnchanged, fingerprint, fuzzTally, memoryNow } from '../../../tools/test-support/fuzz';

const dir = mkdtempSync(join(tmpdir(), 'contcoop-state-fuzz-'));
let a: PromptModel;
let b: PromptModel;
let targetA: PromptTarget, targetB: PromptTarget, targetMnist: PromptTarget;
let path = '';
let meta: Record<string, string> = {};
let tensors: Array<{ name: string; shape: number[]; data: Float32Array }> = [];

beforeAll(async () => {
  await initBackend();
  a = tinyModel(10);
  b = tinyModel(20, { textDepth: 2, visionWidth: 48 });
  targetA = new PromptTarget(a, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  targetB = new PromptTarget(b, FASHION.classNames, { zeroShotPrompts: FASHION.prompts });
  targetMnist = new PromptTarget(a, MNIST.classNames, { zeroShotPrompts: MNIST.prompts });
  const learner = createLearner('contcoop', targetA, { seed: 3 });
  path = join(dir, 'contcoop.safetensors');
  saveLearner(learner, path, targetA);
  learner.dispose();
  const reader = SafetensorsReader.open(path);
  meta = { ...reader.metadata };
  tensors = reader.names.map((name) => ({ name, shape: [...reader.entries.get(name)!.shape], data: reader.readFloat32(name) }));
  reader.close();
});
afterAll(() => {
  for (const t of [targetA, targetB, targetMnist]) t.dispose();
  for (const m of [a, b]) m.clip.dispose();
});

function rewrite(file: string, metadata: Record<string, string>, data = tensors): string {
  writeSafetensors(
    file,
    data.map((t) => ({ name: t.name, shape: t.shape, data: () => t.data })),
    metadata,
  );
  return file;
}

describe('prompt-state identity', () => {
  it('loads into the model and classes it was trained on', () => {
    loadLearner(path, { target: targetA }).dispose();
  });
  it('refuses another model, naming both, unless forced (a deliberate transfer)', () => {
    let err: unknown;
    try {
      loadLearner(path, { target: targetB });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IdentityMismatchError);
    const want = `was trained on model "${a.clip.config.name}" (fingerprint ${promptModelIdentity(a).fingerprint}), but is being loaded into "${b.clip.config.name}" (fingerprint ${promptModelIdentity(b).fingerprint})`;
    expect((err as Error).message).toContain(want);
    const warnings: string[] = [];
    loadLearner(path, { target: targetB, force: true, warn: (w) => warnings.push(w) }).dispose();
    expect(warnings.some((w) => w.includes('(forced)'))).toBe(true);
  });
  it('refuses another class list (its output space)', () => {
    expect(() => loadLearner(path, { target: targetMnist })).toThrow(
      /trained on class list "T-shirt\/top, trouser, pullover, … \(10 classes\)" \(fingerprint [0-9a-f]{16}\), but is being loaded into "zero, one, two, … \(10 classes\)"/,
    );
  });
  it('a state saved without fingerprints loads with a warning', () => {
    const { trainedOn: _t, ...legacy } = meta;
    const file = rewrite(join(dir, 'legacy.safetensors'), legacy);
    const warnings: string[] = [];
    loadLearner(file, { target: targetA, warn: (w) => warnings.push(w) }).dispose();
    expect(warnings[0]).toMatch(/records no model fingerprint/);
  });
  it('refuses NaN parameters and an absurd declared shape', () => {
    const nan = tensors.map((t, i) => (i === 0 ? { ...t, data: Float32Array.from(t.data, () => NaN) } : t));
    // The safetensors reader refuses it first; loadLearner checks again for states from other readers.
    expect(() => loadLearner(rewrite(join(dir, 'nan.safetensors'), meta, nan))).toThrow(/holds NaN/);
    const huge = rewrite(join(dir, 'huge.safetensors'), { ...meta, shape: JSON.stringify({ tokenWidth: 32, embedDim: 16, numClasses: 1e9 }) });
    expect(() => loadLearner(huge)).toThrow(PromptStateError);
    expect(() => loadLearner(huge)).toThrow(/numClasses: Too big/);
  });
});

// A clear error is any InputError; the line is printed after the suite.
const tally = fuzzTally('prompt state');

describe('prompt-state metadata fuzz', () => {
  it('kind, config, shape and trainedOn replaced by arbitrary text or JSON', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{"tokenWidth":32,"embedDim":16,"numClasses":-1}',
        '{"tokenWidth":"32","embedDim":16,"numClasses":10}',
        '{"nCtx":1e9}',
        '{"nCtx":-4}',
        '{"model":{"fingerprint":"zz"}}',
      ),
    );
    let n = 0;
    fc.assert(
      fc.property(fc.constantFrom('kind', 'config', 'shape', 'trainedOn', 'format'), text, (key, value) => {
        const file = rewrite(join(dir, `fuzz-${n++}.safetensors`), { ...meta, [key]: value });
        const before = fingerprint(file);
        const rss = memoryNow({ arrayBuffers: false });
        tally.runSync(() => loadLearner(file, { target: targetA }).dispose());
        expectMemoryBounded(rss, 256, { arrayBuffers: false });
        expectUnchanged(file, before);
      }),
      { numRuns: 200, seed: 18 },
    );
    expect(tf.memory().numTensors).toBeLessThan(10_000);
  });
});
