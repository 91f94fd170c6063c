import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createClip, loadWeights, SafetensorsReader, writeSafetensors } from '../src/index';
import { FIXTURES, loadClipFixture, maxAbsDiff, setupBackend, tempDir } from './helpers';

// Expected outputs come from tools/fixtures/backbones/make_clip_fixture.py (numpy, float64).
const fx = loadClipFixture();

describe('loading Hugging Face and open_clip checkpoints', () => {
  beforeAll(setupBackend);

  for (const [layout, file] of [
    ['hf', 'tiny-clip-hf.safetensors'],
    ['open_clip', 'tiny-clip-openclip.safetensors'],
  ] as const) {
    it(`${layout}: image and text embeddings match the numpy reference`, async () => {
      const clip = createClip(fx.config, { seed: 99 });
      const report = loadWeights(clip, join(FIXTURES, file));
      expect(report.layout).toBe(layout);
      expect(report.ignored.length).toBe(layout === 'hf' ? 1 : 0); // position_ids buffer
      const images = tf.tensor4d(fx.images.data, fx.images.shape as [number, number, number, number]);
      const ids = tf.tensor2d(fx.ids, undefined, 'int32');
      const imageOut = clip.visual.forward(images);
      const textOut = clip.text.encodeTokens(ids);
      const imageErr = maxAbsDiff(imageOut.embedding.dataSync(), fx.imageEmbedding.flat());
      const pooledErr = maxAbsDiff(imageOut.pooled.dataSync(), fx.imagePooled.flat());
      const textErr = maxAbsDiff(textOut.embedding.dataSync(), fx.textEmbedding.flat());
      const textPooledErr = maxAbsDiff(textOut.pooled.dataSync(), fx.textPooled.flat());
      console.info(`[${layout}] max abs error vs numpy: image ${imageErr.toExponential(2)}, text ${textErr.toExponential(2)}`);
      expect(imageErr).toBeLessThan(1e-4);
      expect(pooledErr).toBeLessThan(1e-4);
      expect(textErr).toBeLessThan(1e-4);
      expect(textPooledErr).toBeLessThan(1e-4);
      expect(clip.logitScale.dataSync()[0]).toBeCloseTo(Math.log(1 / 0.07), 5);
      // encode() (chunked) gives the same as the single forward pass.
      const chunked = await clip.visual.encode(images, { batchSize: 2 });
      expect(maxAbsDiff(chunked.dataSync(), imageOut.embedding.dataSync())).toBeLessThan(1e-5);
      tf.dispose([images, ids, imageOut.embedding, imageOut.pooled, textOut.embedding, textOut.pooled, chunked]);
      clip.dispose();
    });
  }

  it('lists missing, unexpected and wrongly shaped tensors in one error', () => {
    const wrong = createClip({ ...fx.config, text: { ...fx.config.text, vocabSize: 21, depth: 1 } });
    let message = '';
    try {
      loadWeights(wrong, join(FIXTURES, 'tiny-clip-hf.safetensors'));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/does not fit model/);
    expect(message).toMatch(/unexpected tensors \(16\):[\s\S]*text_model\.encoder\.layers\.1\.mlp\.fc1\.weight/);
    expect(message).toMatch(
      /wrongly shaped tensors \(1\):\s+text_model\.embeddings\.token_embedding\.weight: file has \[20, 16\], model "tiny-fixture" needs \[21, 16\]/,
    );
    expect(message).not.toMatch(/missing tensors/);
    wrong.dispose();
    const deeper = createClip({ ...fx.config, vision: { ...fx.config.vision, depth: 3 } });
    expect(() => loadWeights(deeper, join(FIXTURES, 'tiny-clip-openclip.safetensors'))).toThrow(
      /missing tensors \(12\):\s+visual\.transformer\.resblocks\.2\.ln_1\.weight \[16\]/,
    );
    deeper.dispose();
  });

  it('leaves the model untouched when the checkpoint does not fit', () => {
    const clip = createClip({ ...fx.config, text: { ...fx.config.text, vocabSize: 21 } }, { seed: 5 });
    const before = clip.visual.namedWeights().get('visual.class_token')!.dataSync().slice();
    expect(() => loadWeights(clip, join(FIXTURES, 'tiny-clip-hf.safetensors'))).toThrow();
    expect(Array.from(clip.visual.namedWeights().get('visual.class_token')!.dataSync())).toEqual(Array.from(before));
    clip.dispose();
  });

  it('skips the buffers and scalars that open_clip and OpenAI checkpoints carry', () => {
    const src = SafetensorsReader.open(join(FIXTURES, 'tiny-clip-openclip.safetensors'));
    const path = join(tempDir('openai-extras'), 'openai.safetensors');
    const extras = ['input_resolution', 'context_length', 'vocab_size', 'attn_mask', 'visual.transformer.resblocks.0.attn_mask'];
    writeSafetensors(path, [
      ...src.names.map((name) => ({ name, shape: src.entry(name).shape, data: () => src.readFloat32(name) })),
      ...extras.map((name) => ({ name, shape: [1], data: () => Float32Array.of(1) })),
    ]);
    src.close();
    const clip = createClip(fx.config);
    expect(loadWeights(clip, path).ignored.sort()).toEqual([...extras].sort());
    clip.dispose();
  });

  it('explains a layout it cannot detect, and a forced layout that does not match', () => {
    const clip = createClip(fx.config);
    const dir = tempDir('layout');
    const odd = join(dir, 'odd.safetensors');
    writeSafetensors(odd, [{ name: 'encoder.weight', shape: [2], data: () => Float32Array.of(1, 2) }]);
    expect(() => loadWeights(clip, odd)).toThrow(
      /cannot tell the layout of .*odd.safetensors \(first tensors: encoder.weight\); pass \{ layout: 'hf' \| 'open_clip' \| 'hotplug' \}/,
    );
    let msg = '';
    try {
      loadWeights(clip, join(FIXTURES, 'tiny-clip-openclip.safetensors'), { layout: 'hf' });
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/\(hf layout\) does not fit/);
    expect(msg).toMatch(/missing tensors \(\d+\):\s+vision_model\.embeddings\.class_embedding \[16\]/);
    expect(msg).toMatch(/unexpected tensors \(\d+\):\s+visual\.class_embedding/);
    clip.dispose();
  });

  it('loads one tower from a checkpoint that has only that tower', async () => {
    const full = SafetensorsReader.open(join(FIXTURES, 'tiny-clip-hf.safetensors'));
    const visionOnly = join(tempDir('vision-only'), 'vision.safetensors');
    const keep = full.names.filter((n) => n.startsWith('vision_model.') || n === 'visual_projection.weight');
    writeSafetensors(
      visionOnly,
      keep.map((name) => ({ name, shape: full.entry(name).shape, data: () => full.readFloat32(name) })),
    );
    full.close();
    const clip = createClip(fx.config, { seed: 3 });
    const textBefore = clip.text.namedWeights().get('text.token_embedding')!.dataSync().slice();
    expect(() => loadWeights(clip, visionOnly)).toThrow(/missing tensors \(\d+\):\s+text_model/);
    const report = loadWeights(clip, visionOnly, { only: 'visual' });
    expect(report.loaded).toBe(8 + 2 * 16); // embeddings, 2 LayerNorms, projection + 16 tensors per block
    const images = tf.tensor4d(fx.images.data, fx.images.shape as [number, number, number, number]);
    const emb = await clip.visual.encode(images);
    expect(maxAbsDiff(emb.dataSync(), fx.imageEmbedding.flat())).toBeLessThan(1e-4);
    expect(Array.from(clip.text.namedWeights().get('text.token_embedding')!.dataSync())).toEqual(Array.from(textBefore));
    // From a full checkpoint, the other tower is skipped rather than reported as unexpected.
    const textOnly = loadWeights(clip, join(FIXTURES, 'tiny-clip-hf.safetensors'), { only: 'text' });
    expect(textOnly.ignored).toContain('vision_model.embeddings.class_embedding');
    expect(() => loadWeights(clip, visionOnly, { only: 'audio' as never })).toThrow(/only must be 'visual' or 'text'/);
    tf.dispose([images, emb]);
    clip.dispose();
  });
});
