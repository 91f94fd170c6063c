import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { assemblePrompts, createLearner, promptLayout, PromptTarget, type PromptModel } from '../src/index';
import { FASHION, MNIST, tinyModel } from './helpers';

let model: PromptModel;
let target: PromptTarget;

beforeAll(async () => {
  await initBackend();
  model = tinyModel(2);
  target = new PromptTarget(model, MNIST.classNames);
});
afterAll(() => {
  target.dispose();
  model.clip.dispose();
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('promptLayout', () => {
  it('lays out SOS, context, class tokens, period, EOS and padding in each order (hand-worked)', () => {
    const tok = model.tokenizer;
    const name = target.classTokens[3]!; // "three"
    const period = target.periodTokens;
    const ids = (row: readonly ({ ctx: number } | { token: number })[]) => row.map((s) => ('ctx' in s ? `c${s.ctx}` : s.token));
    const pad = (row: (string | number)[]) => [...row, ...Array(16 - row.length).fill(tok.padTokenId)];
    const end = promptLayout(target, 3, 'end');
    expect(ids(end.slots[3]!)).toEqual(pad([tok.sotTokenId, 'c0', 'c1', 'c2', ...name, ...period, tok.eotTokenId]));
    expect(end.eot[3]).toBe(1 + 3 + name.length + period.length);
    const middle = promptLayout(target, 3, 'middle');
    expect(ids(middle.slots[3]!)).toEqual(pad([tok.sotTokenId, 'c0', ...name, 'c1', 'c2', ...period, tok.eotTokenId]));
    const front = promptLayout(target, 3, 'front');
    expect(ids(front.slots[3]!)).toEqual(pad([tok.sotTokenId, ...name, 'c0', 'c1', 'c2', ...period, tok.eotTokenId]));
  });

  it('says which class does not fit the context length and how to fix it', () => {
    expect(() => promptLayout(target, 14, 'end')).toThrow(/class "zero" needs \d+ tokens .* context length is 16; use fewer context vectors \(nCtx\)/);
    expect(() => promptLayout(target, 0, 'end')).toThrow(/nCtx .* positive integer/);
    expect(() => promptLayout(target, 2, 'back' as never)).toThrow(/unknown class position "back"/);
  });
});

describe('assemblePrompts', () => {
  it('equals the token embeddings looked up by the text encoder, with the context spliced in', () => {
    const layout = promptLayout(target, 2, 'middle');
    const ctx = tf.randomNormal([10, 2, target.tokenWidth], 0, 1, 'float32', 7) as tf.Tensor3D;
    const { embeddings, eot } = assemblePrompts(target, layout, ctx, 'class');
    expect(embeddings.shape).toEqual([10, 16, target.tokenWidth]);
    expect(eot).toEqual(layout.eot);
    // Reference: ids through the encoder's own embedding lookup, then context rows written in.
    const ids = layout.slots.map((row) => row.map((s) => ('token' in s ? s.token : model.tokenizer.padTokenId)));
    const reference = tf.tidy(() => {
      const looked = model.clip.text.embedTokens(tf.tensor2d(ids, [10, 16], 'int32')).arraySync() as number[][][];
      const c = ctx.arraySync();
      layout.slots.forEach((row, k) => {
        row.forEach((s, i) => {
          if ('ctx' in s) looked[k]![i] = c[k]![s.ctx]!;
        });
      });
      return tf.tensor3d(looked);
    });
    expect(maxAbs(embeddings, reference)).toBe(0);
    tf.dispose([ctx, embeddings, reference]);
  });

  it('gives CoOp initialised from "a photo of a" exactly the features of the tokenized prompt "a photo of a CLASS."', () => {
    const fashionTarget = new PromptTarget(model, FASHION.classNames);
    const coop = createLearner('coop', fashionTarget, { options: { nCtx: 4, initText: 'a photo of a' } });
    const learned = coop.classFeatures(fashionTarget);
    const reference = tf.tidy(() => model.clip.text.encodeTokens(model.tokenizer.encodeBatch(FASHION.classNames.map((c) => `a photo of a ${c}.`))).embedding);
    expect(maxAbs(learned, reference)).toBeLessThan(1e-5);
    tf.dispose([learned, reference]);
    coop.dispose();
    fashionTarget.dispose();
  });

  it('rejects context of another width, naming both widths', () => {
    const layout = promptLayout(target, 2, 'end');
    const ctx = tf.zeros([1, 2, 48]) as tf.Tensor3D;
    expect(() => assemblePrompts(target, layout, ctx, 'shared')).toThrow(/width 48 .* token-embedding width 32/);
    ctx.dispose();
  });
});
