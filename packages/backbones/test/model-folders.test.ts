import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@hotplug/runtime';
import {
  createClip,
  detectModelFolder,
  loadClip,
  ModelConfigError,
  ModelFolderError,
  resolveModelSource,
  saveClip,
  type Clip,
  type ClipConfig,
  type Tokenizer,
} from '../src/index';
import { FIXTURES, loadClipFixture, maxAbsDiff, randomImages, setupBackend, tempDir } from './helpers';
import { writeHfFolder, writeOpenClipFolder } from './folder-writers';

// A tiny CLIP sized for the CLIP-like tokenizer fixture (540 ids, <|endoftext|> = 539, the last, as in CLIP).
const base = loadClipFixture().config;
const tiny = (over: Partial<ClipConfig['text']> = {}, activation?: 'gelu' | 'quickgelu'): ClipConfig => ({
  ...base,
  name: 'tiny-folders',
  vision: { ...base.vision, ...(activation ? { activation } : {}) },
  text: { ...base.text, vocabSize: 540, eotTokenId: 539, contextLength: 8, ...(activation ? { activation } : {}), ...over },
});

const PRE = {
  do_resize: true,
  size: { shortest_edge: 8 },
  do_center_crop: true,
  crop_size: { height: 8, width: 8 },
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.1, 0.2, 0.3],
  image_std: [0.5, 0.6, 0.7],
};
const TEXTS = ['a photo of a dog', 'two red shirts'];

/** Largest difference between two models' image and text embeddings on the same inputs. */
async function embeddingGap(a: Clip, b: Clip, tokenizer: Tokenizer): Promise<number> {
  const images = randomImages(a.config, 3, 11);
  const ids = tokenizer.encodeBatch(TEXTS);
  const [ia, ib, ta, tb] = await Promise.all([a.visual.encode(images), b.visual.encode(images), a.text.encode(ids), b.text.encode(ids)]);
  const gap = Math.max(maxAbsDiff(ia.dataSync(), ib.dataSync()), maxAbsDiff(ta.dataSync(), tb.dataSync()));
  tf.dispose([images, ids, ia, ib, ta, tb]);
  return gap;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('loadClip reads Hugging Face, open_clip and hotplug folders', () => {
  let original: Clip;
  let openClipOriginal: Clip;
  beforeAll(async () => {
    await setupBackend();
    original = createClip(tiny(), { seed: 17 });
    openClipOriginal = createClip(tiny({}, 'quickgelu'), { seed: 23 }); // open_clip has one activation for both towers
  });

  it('Hugging Face folder: one call, same embeddings, mean/std/size from preprocessor_config.json', async () => {
    // eos_token_id 2: the legacy value early CLIP configs carry; the pooled token is still <|endoftext|> (539).
    const dir = writeHfFolder(original, join(tempDir('hf'), 'clip-tiny-hf'), PRE, 2);
    const loaded = loadClip(dir);
    expect(loaded.kind).toBe('hf');
    expect(loaded.tokenizer!.eotTokenId).toBe(539);
    expect(loaded.clip.config.text.eotTokenId).toBe(539);
    expect(loaded.clip.config.name).toBe('clip-tiny-hf');
    const gap = await embeddingGap(original, loaded.clip, loaded.tokenizer!);
    console.info(`[hf folder] max abs embedding difference vs the original model: ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(1e-5);
    expect(loaded.clip.config.vision.mean).toEqual([0.1, 0.2, 0.3]);
    expect(loaded.clip.config.vision.std).toEqual([0.5, 0.6, 0.7]);
    expect(loaded.clip.config.vision.imageSize).toBe(8);
    loaded.clip.dispose();

    // Other statistics in the file are what the model gets; a rescale factor other than 1/255 is folded in.
    writeFileSync(
      join(dir, 'preprocessor_config.json'),
      JSON.stringify({ ...PRE, image_mean: [0.4, 0.45, 0.5], image_std: [0.2, 0.25, 0.3], rescale_factor: 1 / 127.5 }),
    );
    const { clip: rescaled } = loadClip(dir);
    rescaled.config.vision.mean.forEach((m, i) => {
      expect(m).toBeCloseTo([0.2, 0.225, 0.25][i]!, 12);
    });
    rescaled.config.vision.std.forEach((s, i) => {
      expect(s).toBeCloseTo([0.1, 0.125, 0.15][i]!, 12);
    });
    rescaled.dispose();
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...PRE, do_normalize: false }));
    const { clip: raw } = loadClip(dir);
    expect([raw.config.vision.mean, raw.config.vision.std]).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    raw.dispose();

    // A crop size the position embeddings do not fit is an error, not silently replaced.
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...PRE, crop_size: { height: 16, width: 16 } }));
    const crop = errorOf(() => loadClip(dir));
    expect(crop).toBeInstanceOf(ModelConfigError);
    expect(crop.message).toMatch(/preprocessor_config\.json \(crop_size\): crop_size 16 does not match vision_config\.image_size 8/);
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...PRE, image_mean: [0.5] }));
    expect(() => loadClip(dir)).toThrow(/image_mean must be 3 numbers \(one per channel\), got \[0.5\]/);
  });

  it('open_clip folder: open_clip_model.safetensors or model.safetensors, mean/std from preprocess_cfg', async () => {
    const dir = writeOpenClipFolder(openClipOriginal, join(tempDir('oc'), 'tiny-open-clip'), { mean: [0.3, 0.2, 0.1], std: [0.7, 0.6, 0.5] });
    const loaded = loadClip(dir);
    expect(loaded.kind).toBe('open_clip');
    expect(loaded.files.weights).toBe(join(dir, 'open_clip_model.safetensors'));
    const gap = await embeddingGap(openClipOriginal, loaded.clip, loaded.tokenizer!);
    console.info(`[open_clip folder] max abs embedding difference vs the original model: ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(1e-5);
    expect([loaded.clip.config.vision.mean, loaded.clip.config.vision.std]).toEqual([
      [0.3, 0.2, 0.1],
      [0.7, 0.6, 0.5],
    ]);
    expect(loaded.clip.config.vision.activation).toBe('quickgelu');
    loaded.clip.dispose();
    // The same weights under the name model.safetensors (open_clip names inside) load the same.
    renameSync(join(dir, 'open_clip_model.safetensors'), join(dir, 'model.safetensors'));
    const renamed = loadClip(dir);
    expect(renamed.kind).toBe('open_clip');
    expect(await embeddingGap(openClipOriginal, renamed.clip, renamed.tokenizer!)).toBeLessThan(1e-5);
    renamed.clip.dispose();
    // Only the pickle: refused, saying how to convert it.
    renameSync(join(dir, 'model.safetensors'), join(dir, 'open_clip_pytorch_model.bin'));
    const pickle = errorOf(() => loadClip(dir));
    expect(pickle).toBeInstanceOf(ModelFolderError);
    expect(pickle.message).toMatch(
      /open_clip folder: looked for open_clip_config\.json[^\n]*; found open_clip_config\.json; missing: open_clip_model\.safetensors is missing and only open_clip_pytorch_model\.bin is there: that is a PyTorch pickle[^\n]*st\.save_file/,
    );
  });

  it('hotplug folder (saveClip) is still read, and detected as such', async () => {
    const dir = tempDir('hotplug');
    saveClip(original, dir);
    copyFileSync(join(FIXTURES, 'clip-like-tokenizer.json'), join(dir, 'tokenizer.json'));
    const loaded = loadClip(dir);
    expect(loaded.kind).toBe('hotplug');
    expect(detectModelFolder(dir).kind).toBe('hotplug');
    expect(await embeddingGap(original, loaded.clip, loaded.tokenizer!)).toBeLessThan(1e-5);
    loaded.clip.dispose();
  });

  it('a hub snapshot of an open_clip model carries both layouts: read as the Hugging Face folder, the first kind that fits', () => {
    const dir = writeHfFolder(original, tempDir('both'), PRE);
    writeOpenClipFolder(openClipOriginal, dir, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    const both = loadClip(dir);
    expect([both.kind, both.files.weights]).toEqual(['hf', join(dir, 'model.safetensors')]);
    both.clip.dispose();
    rmSync(join(dir, 'preprocessor_config.json'));
    const oc = loadClip(dir);
    expect([oc.kind, oc.files.weights]).toEqual(['open_clip', join(dir, 'open_clip_model.safetensors')]);
    oc.clip.dispose();
  });

  it('the comparison can fail: a differently seeded model is far from the original', async () => {
    const other = createClip(tiny(), { seed: 18 });
    const dir = writeHfFolder(original, tempDir('hf-gap'), PRE);
    const { tokenizer } = loadClip(dir);
    expect(await embeddingGap(original, other, tokenizer!)).toBeGreaterThan(1e-2);
    other.dispose();
  });

  it('a folder missing pieces gets ModelFolderError naming, per kind, what it looked for and what is missing', () => {
    const dir = writeHfFolder(original, tempDir('hf-missing'), PRE);
    rmSync(join(dir, 'preprocessor_config.json'));
    const err = errorOf(() => loadClip(dir)) as ModelFolderError;
    expect(err).toBeInstanceOf(ModelFolderError);
    expect(err).toBeInstanceOf(InputError);
    // The likeliest kind first: Hugging Face has config.json and model.safetensors.
    expect(err.kinds.map((k) => k.kind)).toEqual(['hf', 'hotplug', 'open_clip']);
    expect(err.kinds[0]!.found).toEqual(['config.json', 'model.safetensors']);
    expect(err.message).toMatch(/is not a model folder of any kind loadClip reads:/);
    expect(err.message).toMatch(
      /- Hugging Face CLIP folder: looked for config\.json \(CLIPConfig[^\n]*preprocessor_config\.json[^\n]*; found config\.json, model\.safetensors; missing: preprocessor_config\.json is missing/,
    );
    expect(err.message).toMatch(
      /- hotplug folder \(saveClip\): [^\n]*missing: config\.json is not a hotplug config[^\n]*model\.safetensors holds Hugging Face weight names, not hotplug ones/,
    );
    expect(err.message).toMatch(/- open_clip folder: [^\n]*missing: open_clip_config\.json is missing/);

    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(PRE));
    renameSync(join(dir, 'model.safetensors'), join(dir, 'pytorch_model.bin'));
    expect(() => loadClip(dir)).toThrow(/model\.safetensors is missing; pytorch_model\.bin is a PyTorch pickle, which is not read/);
    rmSync(join(dir, 'pytorch_model.bin'));
    writeFileSync(join(dir, 'model.safetensors.index.json'), '{}');
    expect(() => loadClip(dir)).toThrow(/model\.safetensors is missing; the weights are sharded \(model\.safetensors\.index\.json\), which is not read/);
    rmSync(join(dir, 'model.safetensors.index.json'));
    expect(() => loadClip(dir)).toThrow(/missing: model\.safetensors is missing/);
    expect(() => loadClip(join(dir, 'nowhere'))).toThrow(ModelFolderError);
    expect(() => loadClip(join(dir, 'config.json'))).toThrow(/is a file, not a model folder/);
  });

  it('a Hugging Face config that leaves fields at their defaults, and a tokenizer that really ends texts at id 2', async () => {
    const dir = writeHfFolder(original, tempDir('hf-eos'), PRE, 539);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(detectModelFolder(dir).config.text.eotTokenId).toBe(539);
    // A hotplug-style vocabulary puts <|endoftext|> at 2: eos_token_id 2 is then meant literally.
    const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const swap = (id: number) => (id === 539 ? 2 : id === 2 ? 539 : id);
    for (const t of tok.added_tokens) t.id = swap(t.id);
    for (const k of Object.keys(tok.model.vocab)) tok.model.vocab[k] = swap(tok.model.vocab[k]);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, text_config: { ...json.text_config, eos_token_id: 2 } }));
    const loaded = loadClip(dir);
    expect([loaded.tokenizer!.eotTokenId, loaded.clip.config.text.eotTokenId]).toEqual([2, 2]);
    loaded.clip.dispose();
  });

  it('resolveModelSource: a registered name, or a folder path relative to a base folder', () => {
    const root = tempDir('sources');
    const dir = writeHfFolder(original, join(root, 'models', 'mine'), PRE);
    const registered = { old: join(root, 'embedded-old'), 'new-lineage': join(root, 'embedded-lineage') };
    expect(resolveModelSource('new-lineage', { registered, baseDir: root })).toEqual({
      spec: 'new-lineage',
      dir: registered['new-lineage'],
      registered: 'new-lineage',
    });
    expect(resolveModelSource('models/mine', { registered, baseDir: root })).toEqual({ spec: 'models/mine', dir });
    expect(resolveModelSource(dir, { registered, baseDir: '/elsewhere' }).dir).toBe(dir);
    // A registered name wins over a folder of that name; "./" makes it a path.
    writeHfFolder(original, join(root, 'old'), PRE);
    expect(resolveModelSource('old', { registered, baseDir: root }).dir).toBe(registered.old);
    expect(resolveModelSource('./old', { registered, baseDir: root }).dir).toBe(join(root, 'old'));
    const err = errorOf(() => resolveModelSource('newer', { registered, baseDir: root, source: 'spec.json systems[1].model' }));
    expect(err).toBeInstanceOf(ModelFolderError);
    expect(err.message).toMatch(
      /^spec\.json systems\[1\]\.model: "newer" is neither a registered model nor a model folder: .*newer does not exist\. Name one of the registered models: old, new-lineage, or give the path/,
    );
    expect(() => resolveModelSource('models/missing', { registered, baseDir: root })).toThrow(/"models\/missing" is not a model folder: .* does not exist/);
    expect(() => resolveModelSource('', { registered })).toThrow(/a model must be a registered name or a folder path, got ""/);
  });
});
