import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import {
  createClip,
  exportImageEncoder,
  exportTextEncoder,
  loadOnnxImageEncoder,
  loadOnnxTextEncoder,
  loadWeights,
  type Clip,
  type EncoderHooks,
} from '../src/index';
import { ModelProto } from '../src/onnx/proto';
import { attentionMaskFor } from '../src/onnx/ort-encoder';
import { writeFileAtomic } from '@hotplug/runtime';
import { imageEncoderToOnnx, OnnxRecorder } from '../src/index';
import { FIXTURES, loadClipFixture, maxAbsDiff, randomImages, setupBackend, tempDir } from './helpers';

const fx = loadClipFixture();

describe('ONNX export and onnxruntime-node inference', () => {
  let clip: Clip;
  let dir: string;
  beforeAll(async () => {
    await setupBackend();
    clip = createClip(fx.config);
    loadWeights(clip, join(FIXTURES, 'tiny-clip-hf.safetensors'));
    dir = tempDir('onnx');
  });
  afterAll(() => clip.dispose());

  it('writes a ModelProto with opset 17, named initializers, a dynamic batch and the config in metadata', () => {
    const bytes = imageEncoderToOnnx(clip.visual, { includePooled: true });
    const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as {
      irVersion: number;
      opsetImport: { version: number }[];
      metadataProps: { key: string; value: string }[];
      graph: {
        initializer: { name: string; dims: number[] }[];
        input: { name: string; type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[];
        output: { name: string }[];
      };
    };
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport[0]!.version).toBe(17);
    const q = model.graph.initializer.find((i) => i.name === 'visual.blocks.1.attn.q.weight');
    expect(q?.dims).toEqual([16, 16]);
    expect(model.graph.input[0]!.name).toBe('images');
    expect(model.graph.input[0]!.type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 8 }, { dimValue: 8 }, { dimValue: 3 }]);
    expect(model.graph.output.map((o) => o.name)).toEqual(['embedding', 'pooled']);
    const meta = Object.fromEntries(model.metadataProps.map((m) => [m.key, m.value]));
    expect(meta.hotplug_kind).toBe('image');
    expect(JSON.parse(meta.hotplug_config!)).toEqual(fx.config);
  });

  it('image encoder: onnxruntime matches tfjs and the numpy reference', async () => {
    const path = join(dir, 'visual.onnx');
    exportImageEncoder(clip.visual, path);
    const ort = await loadOnnxImageEncoder(path, { batchSize: 2, intraOpNumThreads: 1 });
    const images = tf.tensor4d(fx.images.data, fx.images.shape as [number, number, number, number]);
    const fromOrt = await ort.encode(images);
    const fromTf = await clip.visual.encode(images);
    const err = maxAbsDiff(fromOrt.dataSync(), fromTf.dataSync());
    console.info(`[onnx image] max abs error onnxruntime vs tfjs: ${err.toExponential(2)}`);
    expect(fromOrt.shape).toEqual([3, fx.config.embedDim]);
    expect(ort.embedDim).toBe(fx.config.embedDim);
    expect(err).toBeLessThan(1e-4);
    expect(maxAbsDiff(fromOrt.dataSync(), fx.imageEmbedding.flat())).toBeLessThan(1e-4);
    tf.dispose([images, fromOrt, fromTf]);
    ort.dispose();
  });

  it('text encoder: onnxruntime matches tfjs (EOT pooling in the graph)', async () => {
    const path = join(dir, 'text.onnx');
    exportTextEncoder(clip.text, path);
    const ort = await loadOnnxTextEncoder(path);
    const ids = tf.tensor2d(fx.ids, undefined, 'int32');
    const fromOrt = await ort.encode(ids);
    const fromTf = await clip.text.encode(ids);
    const err = maxAbsDiff(fromOrt.dataSync(), fromTf.dataSync());
    console.info(`[onnx text] max abs error onnxruntime vs tfjs: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
    expect(maxAbsDiff(fromOrt.dataSync(), fx.textEmbedding.flat())).toBeLessThan(1e-4);
    tf.dispose([ids, fromOrt, fromTf]);
    ort.dispose();
  });

  it('exports injected adapters written against TensorOps (the ONNX output changes with them and matches tfjs)', async () => {
    const w = fx.config.vision.width;
    const down = tf.variable(tf.randomNormal([w, 4], 0, 0.3, 'float32', 7));
    const up = tf.variable(tf.randomNormal([4, w], 0, 0.3, 'float32', 8));
    // A parallel bottleneck adapter on the MLP of block 1 and a LoRA-style term on q of block 0.
    const adapter: EncoderHooks = {
      blocks: [0, 1],
      sublayer({ ops, block, sublayer, input, output }) {
        if (sublayer !== 'mlp' || block !== 1) return undefined;
        const h = ops.relu(ops.linear(input, ops.weight('adapter.down', down)));
        return ops.add(output, ops.scale(ops.linear(h, ops.weight('adapter.up', up)), 0.5));
      },
      linear({ ops, block, linear, input, output }) {
        if (linear !== 'q' || block !== 0) return undefined;
        return ops.add(output, ops.linear(ops.linear(input, ops.weight('lora.a', down)), ops.weight('lora.b', up)));
      },
    };
    const images = randomImages(fx.config, 5, 3);
    const plain = await clip.visual.encode(images);
    const remove = clip.visual.addHooks(adapter);
    const adapted = await clip.visual.encode(images);
    const path = join(dir, 'visual-adapted.onnx');
    exportImageEncoder(clip.visual, path);
    remove();
    const ort = await loadOnnxImageEncoder(path);
    const fromOrt = await ort.encode(images);
    const err = maxAbsDiff(fromOrt.dataSync(), adapted.dataSync());
    console.info(`[onnx adapted image] max abs error onnxruntime vs tfjs: ${err.toExponential(2)}`);
    expect(maxAbsDiff(adapted.dataSync(), plain.dataSync())).toBeGreaterThan(1e-2);
    expect(err).toBeLessThan(1e-4);
    tf.dispose([images, plain, adapted, fromOrt, down, up]);
    ort.dispose();
  });

  it('every TensorOps operation an adapter may use records the same result as tfjs', async () => {
    const w = fx.config.vision.width;
    const key = tf.variable(tf.randomNormal([w, 3], 0, 0.4, 'float32', 12));
    const value = tf.variable(tf.randomNormal([3, w], 0, 0.4, 'float32', 13));
    const outW = tf.variable(tf.randomNormal([2 * w, w], 0, 0.2, 'float32', 14));
    const gamma = tf.variable(tf.ones([w]));
    const beta = tf.variable(tf.zeros([w]));
    // An attention-over-memory adapter using matmul, softmax, concat, the activations, layerNorm, l2Normalize, sub and mul.
    const hooks: EncoderHooks = {
      blocks: [0],
      sublayer({ ops, sublayer, normed, output }) {
        if (sublayer !== 'attention') return undefined;
        const scores = ops.softmax(ops.matmul(normed, ops.weight('mem.key', key)));
        const read = ops.matmul(scores, ops.weight('mem.value', value));
        const mixed = ops.add(ops.mul(ops.tanh(read), ops.sigmoid(read)), ops.sub(ops.gelu(read), ops.quickGelu(read)));
        const both = ops.concat([ops.l2Normalize(mixed), ops.layerNorm(read, ops.weight('mem.gamma', gamma), ops.weight('mem.beta', beta), 1e-5)], 2);
        return ops.add(output, ops.linear(both, ops.weight('mem.out', outW)));
      },
    };
    const images = randomImages(fx.config, 4, 31);
    const plain = await clip.visual.encode(images);
    const remove = clip.visual.addHooks(hooks);
    const expected = await clip.visual.encode(images);
    const path = join(dir, 'visual-memory-adapter.onnx');
    exportImageEncoder(clip.visual, path);
    remove();
    const ort = await loadOnnxImageEncoder(path);
    const got = await ort.encode(images);
    expect(maxAbsDiff(expected.dataSync(), plain.dataSync())).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(got.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([key, value, outW, gamma, beta, images, plain, expected, got]);
    ort.dispose();
  });

  it('hooks on the final feature (before and after projection) run in tfjs and export', async () => {
    const e = fx.config.embedDim;
    const head = tf.variable(tf.randomNormal([e, e], 0, 0.3, 'float32', 41));
    const shift = tf.variable(tf.randomNormal([fx.config.vision.width], 0, 0.3, 'float32', 42));
    const seen: number[][] = [];
    const hooks: EncoderHooks = {
      blocks: [], // final hooks are not limited by the block selection
      pooled: ({ ops, output }) => ops.add(output, ops.weight('final.shift', shift)),
      embedding: ({ ops, pooled, output }) => {
        if (ops.kind === 'tfjs') seen.push((pooled as tf.Tensor).shape);
        return ops.add(output, ops.linear(output, ops.weight('final.head', head)));
      },
    };
    const images = randomImages(fx.config, 3, 43);
    const plain = tf.tidy(() => clip.visual.forward(images).embedding);
    const expected = tf.tidy(() => clip.visual.forward(images, { hooks: [hooks] }).embedding);
    expect(seen).toEqual([[3, fx.config.vision.width]]);
    expect(maxAbsDiff(expected.dataSync(), plain.dataSync())).toBeGreaterThan(1e-3);
    const path = join(dir, 'visual-final-hooks.onnx');
    exportImageEncoder(clip.visual, path, { hooks: [hooks] });
    const ort = await loadOnnxImageEncoder(path);
    const got = await ort.encode(images);
    expect(maxAbsDiff(got.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([head, shift, images, plain, expected, got]);
    ort.dispose();
  });

  it('text encoder with a prompt-side hook on the last block exports and matches tfjs', async () => {
    const shift = tf.variable(tf.randomNormal([fx.config.text.width], 0, 0.5, 'float32', 4));
    const hooks: EncoderHooks = {
      blocks: [fx.config.text.depth - 1],
      sublayer: ({ ops, sublayer, output }) => (sublayer === 'attention' ? ops.add(output, ops.weight('text.adapter.shift', shift)) : undefined),
    };
    const ids = tf.tensor2d(fx.ids, undefined, 'int32');
    const expected = tf.tidy(() => clip.text.encodeTokens(ids, { hooks: [hooks] }).embedding);
    const path = join(dir, 'text-adapted.onnx');
    exportTextEncoder(clip.text, path, { hooks: [hooks] });
    const ort = await loadOnnxTextEncoder(path);
    const got = await ort.encode(ids);
    expect(maxAbsDiff(got.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.dataSync(), fx.textEmbedding.flat())).toBeGreaterThan(1e-3);
    tf.dispose([shift, ids, expected, got]);
    ort.dispose();
  });

  it('runs an NCHW ONNX encoder (as PyTorch exports are) behind the same NHWC encode()', async () => {
    const path = join(dir, 'visual-nchw.onnx');
    exportImageEncoder(clip.visual, path, { inputLayout: 'NCHW' });
    const images = randomImages(fx.config, 3, 11);
    const expected = await clip.visual.encode(images);
    const nchw = await loadOnnxImageEncoder(path, { inputLayout: 'NCHW', intraOpNumThreads: 2, interOpNumThreads: 1 });
    const got = await nchw.encode(images);
    expect(maxAbsDiff(got.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    // Feeding it NHWC by mistake is caught by onnxruntime and reported with the batch shape.
    const wrong = await loadOnnxImageEncoder(path);
    await expect(wrong.encode(images)).rejects.toThrow(/onnxruntime failed on a batch of shape \[3, 8, 8, 3\]/);
    tf.dispose([images, expected, got]);
    nchw.dispose();
    wrong.dispose();
  });

  it('runs a Hugging Face-style text graph (input_ids + attention_mask -> text_embeds)', async () => {
    // Built with the recorder's public API: same encoder, HF input/output names, an extra mask input.
    const rec = new OnnxRecorder();
    const ids = rec.input('input_ids', [-1, fx.config.text.contextLength], 'int64');
    rec.input('attention_mask', [-1, fx.config.text.contextLength], 'int64');
    rec.output(clip.text.trace(rec, { ids }).embedding, 'text_embeds');
    const path = join(dir, 'hf-style-text.onnx');
    writeFileAtomic(path, rec.toBytes('hf-style'));
    await expect(loadOnnxTextEncoder(path)).rejects.toThrow(/takes an attention_mask: pass \{ eotTokenId \}/);
    const ort = await loadOnnxTextEncoder(path, { eotTokenId: fx.config.text.eotTokenId });
    const batch = tf.tensor2d(fx.ids, undefined, 'int32');
    const got = await ort.encode(batch);
    expect(maxAbsDiff(got.dataSync(), fx.textEmbedding.flat())).toBeLessThan(1e-4);
    expect(Array.from(attentionMaskFor([18, 3, 19, 0, 19, 5, 18, 19, 2], 3, 3, 19))).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 0]);
    tf.dispose([batch, got]);
    ort.dispose();
  });

  it('clear errors for bad ONNX inputs', async () => {
    await expect(loadOnnxImageEncoder(join(dir, 'nope.onnx'))).rejects.toThrow(/does not exist/);
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, Buffer.from('not a protobuf at all'));
    await expect(loadOnnxImageEncoder(garbage)).rejects.toThrow(/not an ONNX model|onnxruntime cannot load/);
    await expect(loadOnnxImageEncoder(join(dir, 'visual.onnx'), { inputName: 'pixels' })).rejects.toThrow(/has no input "pixels"; its inputs are images/);
    await expect(loadOnnxImageEncoder(join(dir, 'visual.onnx'), { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    const ort = await loadOnnxImageEncoder(join(dir, 'visual.onnx'));
    const flat = tf.zeros([2, 8, 8]);
    await expect(ort.encode(flat as unknown as tf.Tensor4D)).rejects.toThrow(/expects NHWC images/);
    ort.dispose();
    await expect(ort.encode(randomImages(fx.config, 1))).rejects.toThrow(/disposed/);
    flat.dispose();
    const clash = tf.zeros([fx.config.vision.width]);
    const twice: EncoderHooks = { sublayer: ({ ops, output }) => ops.add(output, ops.weight('adapter.bias', clash)) };
    const other = tf.ones([fx.config.vision.width]);
    const again: EncoderHooks = { sublayer: ({ ops, output }) => ops.add(output, ops.weight('adapter.bias', other)) };
    expect(() => exportImageEncoder(clip.visual, join(dir, 'clash.onnx'), { hooks: [twice, again] })).toThrow(
      /weight name "adapter.bias" is used for two different tensors/,
    );
    expect(() => exportImageEncoder(clip.visual, join(dir, 'x.onnx'), { inputLayout: 'HWCN' as never })).toThrow(/inputLayout must be 'NHWC' or 'NCHW'/);
    tf.dispose([clash, other]);
  });
});

describe('ONNX parity on the embedded default models', () => {
  beforeAll(setupBackend);

  for (const name of ['hotplug-old', 'hotplug-new']) {
    it(`${name}: image and text encoders, onnxruntime vs tfjs on the same weights`, async () => {
      const clip = createClip(name, { seed: 7 });
      const dir = tempDir('onnx-embedded');
      exportImageEncoder(clip.visual, join(dir, 'visual.onnx'));
      exportTextEncoder(clip.text, join(dir, 'text.onnx'));
      const ortImage = await loadOnnxImageEncoder(join(dir, 'visual.onnx'), { batchSize: 4 });
      const ortText = await loadOnnxTextEncoder(join(dir, 'text.onnx'));
      const images = randomImages(clip.config, 6, 21);
      const t = clip.config.text;
      const rows = [
        [1, 17, 300, 2],
        [1, 5, 6, 7, 8, 9, 10, 2],
        [1, ...Array.from({ length: t.contextLength - 2 }, (_, i) => 100 + i), 2],
      ];
      const ids = tf.tensor2d(
        rows.map((r) => [...r, ...new Array(t.contextLength - r.length).fill(0)]),
        undefined,
        'int32',
      );
      const [a, b, c, d] = [await ortImage.encode(images), await clip.visual.encode(images), await ortText.encode(ids), await clip.text.encode(ids)];
      const imageErr = maxAbsDiff(a.dataSync(), b.dataSync());
      const textErr = maxAbsDiff(c.dataSync(), d.dataSync());
      console.info(`[onnx ${name}] max abs error onnxruntime vs tfjs: image ${imageErr.toExponential(2)}, text ${textErr.toExponential(2)}`);
      expect(a.shape).toEqual([6, clip.config.embedDim]);
      expect(c.shape).toEqual([3, clip.config.embedDim]);
      expect(imageErr).toBeLessThan(1e-4);
      expect(textErr).toBeLessThan(1e-4);
      tf.dispose([images, ids, a, b, c, d]);
      ortImage.dispose();
      ortText.dispose();
      clip.dispose();
    });
  }
});
