import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { writeSafetensors } from '@hotplug/backbones';
import {
  CONTCOOP_DEFAULTS,
  type ContcoopLearner,
  LearnerOptionError,
  meanNormalisedEntropy,
  PROMPT_FORMAT,
  PromptTarget,
  createLearner,
  l2Normalize,
  loadLearner,
  trainPromptLearner,
  type ContcoopOptions,
  type ImageFeatures,
  type PromptModel,
} from '../src/index';
import { FASHION, tinyModel } from './helpers';

// One-token and multi-token class names in the test tokenizer ('T-shirt/top' is 5 tokens, 'ankle boot' 2).
const SINGLE = ['trouser', 'dress', 'sneaker'];
const MULTI = ['T-shirt/top', 'ankle boot'];

let model: PromptModel;
let small: PromptModel; // token width 8: small enough to difference every coordinate
const dir = mkdtempSync(join(tmpdir(), 'contcoop-attention-'));

beforeAll(async () => {
  await initBackend();
  model = tinyModel(7);
  small = tinyModel(8, { tokenWidth: 8 });
});
afterAll(() => {
  model.clip.dispose();
  small.clip.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function withTarget<T>(m: PromptModel, names: readonly string[], fn: (t: PromptTarget) => T): T {
  const t = new PromptTarget(m, names);
  try {
    return fn(t);
  } finally {
    t.dispose();
  }
}

function batch(t: PromptTarget, n: number, seed: number) {
  const images = l2Normalize(tf.randomNormal([n, t.embedDim], 0, 1, 'float32', seed) as tf.Tensor2D);
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % t.numClasses),
    'int32',
  );
  return { images, labels };
}

/** Largest |gradient| of every learned tensor of the learner on one batch of its loss. */
function gradientMaxima(learner: ContcoopLearner, t: PromptTarget): Record<string, number> {
  const { images, labels } = batch(t, 6, 3);
  const { value, grads } = tf.variableGrads(() => learner.loss(t, images, labels).loss);
  const out: Record<string, number> = {};
  for (const [name, v] of learner.parameters()) out[name] = tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]!);
  tf.dispose([value, images, labels, ...Object.values(grads)]);
  return out;
}

const contcoop = (t: PromptTarget, options: Partial<ContcoopOptions>, seed = 1) => createLearner('contcoop', t, { seed, options }) as ContcoopLearner;
const PARAMS = ['ctx', 'attn.q.weight', 'attn.k.weight', 'attn.v.weight', 'attn.out.weight'];
const CONDITIONING: Partial<ContcoopOptions>[] = (['name+template', 'name+context'] as const).flatMap((keys) =>
  [false, true].flatMap((residual) => [true, false].map((qkNorm) => ({ keys, residual, qkNorm }))),
);
const label = (o: Partial<ContcoopOptions>) => `keys ${o.keys}, residual ${o.residual}, qkNorm ${o.qkNorm}`;

describe('contcoop gradients reach every learned tensor', () => {
  it('the default key set conditions on more than the name', () => {
    expect(CONTCOOP_DEFAULTS.keys).not.toBe('name');
  });

  for (const options of CONDITIONING) {
    for (const [kind, names] of [
      ['one-token', SINGLE],
      ['multi-token', MULTI],
    ] as const) {
      it(`${label(options)}: every tensor has a non-zero gradient on ${kind} class names`, () => {
        withTarget(model, names, (t) => {
          const learner = contcoop(t, options);
          const g = gradientMaxima(learner, t);
          expect(Object.keys(g).sort()).toEqual([...PARAMS].sort());
          for (const name of PARAMS) expect(g[name], name).toBeGreaterThan(1e-6);
          learner.dispose();
        });
      });
    }
  }

  it("keys 'name' (legacy) is degenerate on one-token names: context, W_q and W_k get exactly zero gradient", () => {
    withTarget(model, SINGLE, (t) => {
      for (const [residual, qkNorm] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        const learner = contcoop(t, { keys: 'name', residual, qkNorm });
        const g = gradientMaxima(learner, t);
        // A softmax over one key is 1 whatever the scores, so the query side has no effect.
        expect(g['attn.q.weight']).toBe(0);
        expect(g['attn.k.weight']).toBe(0);
        expect(g['attn.v.weight']).toBeGreaterThan(1e-6);
        expect(g['attn.out.weight']).toBeGreaterThan(1e-6);
        // Without the residual the context reaches the loss only through the softmax; with it, directly.
        if (residual) expect(g.ctx).toBeGreaterThan(1e-6);
        else expect(g.ctx).toBe(0);
        learner.dispose();
      }
    });
  });

  it("keys 'name' conditions on multi-token names (the degeneracy is the one-token case)", () => {
    withTarget(model, MULTI, (t) => {
      const learner = contcoop(t, { keys: 'name' });
      const g = gradientMaxima(learner, t);
      for (const name of PARAMS) expect(g[name], name).toBeGreaterThan(1e-6);
      learner.dispose();
    });
  });
});

// ---------------------------------------------------------------------------------------------
// An independent float64 reference of the attention block, written from the definition.

type Matrix = number[][];
const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));

interface RefParams {
  ctx: Matrix;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  o: Matrix;
}

/** Rows divided by their root-mean-square. */
const rms = (m: Matrix, on: boolean): Matrix =>
  on
    ? m.map((r) => {
        const s = Math.sqrt(r.reduce((a, v) => a + v * v, 0) / r.length + 1e-12);
        return r.map((v) => v / s);
      })
    : m;

/** Context [M, W] of one class: multi-head softmax(Q Kᵀ / √d_h) V, heads concatenated, times W_o, plus ctx when residual; qkNorm: Q and K from unit-RMS rows. */
function referenceContext(p: RefParams, keyRows: Matrix, heads: number, residual: boolean, qkNorm: boolean): Matrix {
  const w = p.ctx[0]!.length;
  const dh = w / heads;
  const Q = matmul(rms(p.ctx, qkNorm), p.q);
  const K = matmul(rms(keyRows, qkNorm), p.k);
  const V = matmul(keyRows, p.v);
  const merged = Q.map((qi) => {
    const out = new Array<number>(w).fill(0);
    for (let h = 0; h < heads; h++) {
      const cols = Array.from({ length: dh }, (_, j) => h * dh + j);
      const scores = K.map((kj) => cols.reduce((s, c) => s + qi[c]! * kj[c]!, 0) / Math.sqrt(dh));
      const m = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      cols.forEach((c) => {
        out[c] = V.reduce((s, vj, j) => s + (e[j]! / z) * vj[c]!, 0);
      });
    }
    return out;
  });
  const y = matmul(merged, p.o);
  return residual ? y.map((row, i) => row.map((v, j) => v + p.ctx[i]![j]!)) : y;
}

/** Attention weights [heads][M][keys] of one class: softmax over keys of Q Kᵀ / √d_h per head. */
function referenceWeights(p: RefParams, keyRows: Matrix, heads: number, qkNorm: boolean): number[][][] {
  const dh = p.ctx[0]!.length / heads;
  const Q = matmul(rms(p.ctx, qkNorm), p.q);
  const K = matmul(rms(keyRows, qkNorm), p.k);
  return Array.from({ length: heads }, (_, h) =>
    Q.map((qi) => {
      const scores = K.map((kj) => Array.from({ length: dh }, (_, j) => qi[h * dh + j]! * kj[h * dh + j]!).reduce((a, b) => a + b, 0) / Math.sqrt(dh));
      const m = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / z);
    }),
  );
}

describe('contcoop attention block against a float64 reference', () => {
  const heads = 2;
  const nCtx = 3;
  const names = ['T-shirt/top', 'sneaker', 'ankle boot'];

  for (const options of [
    { keys: 'name', residual: false, qkNorm: false },
    { keys: 'name', residual: false, qkNorm: true },
    ...CONDITIONING,
  ] as Partial<ContcoopOptions>[]) {
    it(`${label(options)}: same context and attention weights, and gradients match central differences of the reference`, () => {
      withTarget(small, names, (t) => {
        const learner = contcoop(t, { ...options, heads, nCtx, valueInit: 'random' }, 4);
        const params = learner.parameters();
        const read = (name: string) => params.get(name)!.arraySync() as Matrix;
        const p: RefParams = { ctx: read('ctx'), q: read('attn.q.weight'), k: read('attn.k.weight'), v: read('attn.v.weight'), o: read('attn.out.weight') };
        // Key rows read straight from the model's token table and tokenizer, not through the target.
        const table = small.clip.text.tokenEmbedding.arraySync() as Matrix;
        const rows = (text: string) => small.tokenizer.tokenize(text).map((id) => table[id]!);
        const keyRows = (c: number, q: RefParams) =>
          options.keys === 'name+template'
            ? [...rows(names[c]!), ...rows('a photo of a')]
            : options.keys === 'name+context'
              ? [...rows(names[c]!), ...q.ctx]
              : rows(names[c]!);
        const reference = (q: RefParams) => names.map((_, c) => referenceContext(q, keyRows(c, q), heads, options.residual!, options.qkNorm!));

        const ours = tf.tidy(() => learner.classContext(t).arraySync() as number[][][]);
        const ref = reference(p);
        let worst = 0;
        ours.forEach((m, c) => {
          m.forEach((row, i) => {
            row.forEach((v, j) => {
              worst = Math.max(worst, Math.abs(v - ref[c]![i]![j]!));
            });
          });
        });
        expect(worst).toBeLessThan(1e-5);
        // The diagnostic weights are the same softmax.
        const weights = learner.attentionWeights(t);
        weights.forEach((wc, c) => {
          const refW = referenceWeights(p, keyRows(c, p), heads, options.qkNorm!);
          const got = wc.arraySync();
          expect(wc.shape).toEqual([heads, nCtx, keyRows(c, p).length]);
          got.forEach((hm, h) => {
            hm.forEach((row, i) => {
              row.forEach((v, j) => {
                expect(Math.abs(v - refW[h]![i]![j]!)).toBeLessThan(1e-5);
              });
            });
          });
        });
        tf.dispose(weights);

        // Objective: <context, R> for a fixed R, so every output coordinate carries gradient.
        const R = names.map((_, c) => Array.from({ length: nCtx }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(1 + c * 31 + i * 7 + j * 3))));
        const objective = (q: RefParams) =>
          reference(q).reduce((s, m, c) => s + m.reduce((a, row, i) => a + row.reduce((b, v, j) => b + v * R[c]![i]![j]!, 0), 0), 0);
        const Rt = tf.tensor3d(R);
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(learner.classContext(t), Rt)) as tf.Scalar);
        const keyOf: Record<string, keyof RefParams> = { ctx: 'ctx', 'attn.q.weight': 'q', 'attn.k.weight': 'k', 'attn.v.weight': 'v', 'attn.out.weight': 'o' };
        const h = 1e-5;
        for (const [name, v] of params) {
          const g = grads[v.name]!.arraySync() as Matrix;
          const key = keyOf[name]!;
          p[key].forEach((row, i) => {
            row.forEach((x, j) => {
              const shifted = (d: number) => {
                const copy = { ...p, [key]: p[key].map((r) => [...r]) } as RefParams;
                copy[key][i]![j] = x + d;
                return objective(copy);
              };
              const numeric = (shifted(h) - shifted(-h)) / (2 * h);
              expect(Math.abs(g[i]![j]! - numeric), `${name}[${i}][${j}]: ${g[i]![j]} vs ${numeric}`).toBeLessThan(2e-4 + 2e-3 * Math.abs(numeric));
            });
          });
        }
        tf.dispose([value, Rt, ...Object.values(grads)]);
        learner.dispose();
      });
    });
  }
});

describe('contcoop training and options', () => {
  it('a training step leaks no tensors (every key set)', async () => {
    for (const keys of ['name+template', 'name+context', 'name'] as const) {
      const t = new PromptTarget(model, FASHION.classNames);
      try {
        const rows = 20;
        const data = tf.tidy(() => l2Normalize(tf.randomNormal([rows, t.embedDim], 0, 1, 'float32', 5) as tf.Tensor2D).dataSync() as Float32Array);
        const features: ImageFeatures = { data, rows, dim: t.embedDim, labels: Int32Array.from({ length: rows }, (_, i) => i % t.numClasses) };
        const learner = contcoop(t, { keys });
        t.zeroShotFeatures(); // cached once per target, on purpose
        t.fixedRows();
        const before = tf.memory().numTensors;
        const perStep: number[] = [];
        await trainPromptLearner(learner, t, features, { steps: 3, batchSize: 8, progress: false, onStep: () => perStep.push(tf.memory().numTensors) });
        expect(perStep[2], `${keys}: tensors after step 3 vs step 2`).toBe(perStep[1]);
        expect(tf.memory().numTensors, keys).toBe(before);
        learner.dispose();
      } finally {
        t.dispose();
      }
    }
  });

  it('counts the keys of each class: name tokens, plus the template or the context', () => {
    withTarget(model, [...SINGLE, ...MULTI], (t) => {
      const names = t.classTokens.map((ids) => ids.length);
      expect(names).toEqual([1, 1, 1, 5, 2]);
      const count = (options: Partial<ContcoopOptions>) => {
        const l = contcoop(t, options);
        const n = l.keyCounts(t);
        l.dispose();
        return n;
      };
      expect(count({ keys: 'name' })).toEqual(names);
      expect(count({ keys: 'name+template' })).toEqual(names.map((n) => n + 4)); // "a photo of a"
      expect(count({ keys: 'name+context', nCtx: 3 })).toEqual(names.map((n) => n + 3));
    });
  });

  it('attention entropy: 1 for uniform weights (zero queries), 0 for one key per class', () => {
    withTarget(model, SINGLE, (t) => {
      const l = contcoop(t, { keys: 'name+template' });
      const q = l.parameters().get('attn.q.weight')!;
      q.assign(tf.zerosLike(q));
      expect(meanNormalisedEntropy(l, t)).toBeCloseTo(1, 6);
      l.dispose();
      const n = contcoop(t, { keys: 'name' });
      expect(meanNormalisedEntropy(n, t)).toBe(0);
      n.dispose();
    });
  });

  it('qkNorm: raw token rows (RMS about 0.02) give a uniform softmax at initialisation; unit-RMS queries and keys do not', () => {
    withTarget(model, [...SINGLE, ...MULTI], (t) => {
      const entropy = (qkNorm: boolean) => {
        const l = contcoop(t, { keys: 'name+template', qkNorm });
        const h = meanNormalisedEntropy(l, t);
        l.dispose();
        return h;
      };
      expect(entropy(false)).toBeGreaterThan(0.9999);
      expect(entropy(true)).toBeLessThan(0.97);
    });
  });

  it('creating and disposing a learner leaves no tensor behind', () => {
    withTarget(model, SINGLE, (t) => {
      const before = tf.memory().numTensors;
      contcoop(t, {}).dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('rejects unknown key sets and an empty template with a LearnerOptionError naming the fix', () => {
    withTarget(model, SINGLE, (t) => {
      expect(() => contcoop(t, { keys: 'name+image' as never })).toThrow(LearnerOptionError);
      expect(() => contcoop(t, { keys: 'name+image' as never })).toThrow(/keys must be one of 'name', 'name\+template', 'name\+context'/);
      expect(() => contcoop(t, { keys: 'name+template', keyTemplate: ' ' })).toThrow(/needs a non-empty keyTemplate/);
      expect(() => contcoop(t, { residual: 'yes' as never })).toThrow(/residual must be true or false/);
      expect(() => contcoop(t, { qkNorm: 1 as never })).toThrow(/qkNorm must be true or false/);
      // The template is not needed by the other key sets.
      contcoop(t, { keys: 'name+context', keyTemplate: '' }).dispose();
    });
  });

  it("a state saved before the key-set options existed loads as keys 'name' without qkNorm, the way it was trained", () => {
    withTarget(model, SINGLE, (t) => {
      const learner = contcoop(t, { keys: 'name', qkNorm: false });
      const { keys: _k, keyTemplate: _t, qkNorm: _n, ...legacyConfig } = learner.config as Record<string, unknown>;
      const path = join(dir, 'legacy.safetensors');
      writeSafetensors(
        path,
        [...learner.parameters()].map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array })),
        {
          format: PROMPT_FORMAT,
          kind: 'contcoop',
          config: JSON.stringify(legacyConfig),
          shape: JSON.stringify(learner.shape),
        },
      );
      const loaded = loadLearner(path) as ContcoopLearner;
      expect(loaded.config.keys).toBe('name');
      expect(loaded.config.qkNorm).toBe(false);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(loaded.classContext(t), learner.classContext(t)))).dataSync()[0]!);
      expect(diff).toBe(0);
      loaded.dispose();
      learner.dispose();
    });
  });
});
