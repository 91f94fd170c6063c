import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsReader, writeSafetensors, type Clip, type ImageEncoder, type TextEncoder, type Tokenizer } from '@hotplug/backbones';
import { ProgressBar, sha256 } from '@hotplug/runtime';
import { imageBatch, range, type ImageCaptionSet, type Normalization } from './images';

/**
 * The old model as TaCA needs it: forward only, through the `Encoder` interface, so a tfjs
 * model and an onnxruntime-node export are interchangeable.
 */
export interface Teacher {
  /** Identifies the weights (part of the feature-cache key). */
  readonly id: string;
  readonly image: ImageEncoder;
  readonly text: TextEncoder;
  readonly tokenizer: Tokenizer;
  /** Image normalisation of the old model. */
  readonly normalization: Normalization;
  /** exp(logit_scale) of the old model: the temperature its image-text logits were trained with. */
  readonly logitScale: number;
  readonly embedDim: number;
}

/** A teacher from a tfjs CLIP; `id` defaults to a hash of every weight. */
export function teacherFromClip(clip: Clip, tokenizer: Tokenizer, id?: string): Teacher {
  let key = id;
  if (!key) {
    const parts = [...clip.namedWeights()].map(([n, v]) => `${n}:${sha256(new Uint8Array((v.dataSync() as Float32Array).buffer.slice(0)))}`);
    key = sha256(parts.join('\n'));
  }
  return {
    id: key,
    image: clip.visual,
    text: clip.text,
    tokenizer,
    normalization: { mean: clip.config.vision.mean, std: clip.config.vision.std },
    logitScale: Math.exp(clip.logitScale.dataSync()[0]!),
    embedDim: clip.config.embedDim,
  };
}

/** The old model's features of every corpus row: images [N, dim] and captions [N, dim], not normalised. */
export interface TeacherFeatures {
  readonly rows: number;
  readonly dim: number;
  readonly image: Float32Array;
  readonly text: Float32Array;
}

export interface TeacherFeatureOptions {
  /** Safetensors cache; reused when its key (teacher id + corpus content) matches, rewritten otherwise. */
  cacheFile?: string;
  batchSize?: number;
  progress?: boolean;
}

/** Key of a corpus + teacher pair: the cache is valid only for exactly these. */
export function featureCacheKey(teacher: Teacher, corpus: ImageCaptionSet): string {
  return sha256(
    `${teacher.id}\n${corpus.size}x${corpus.height}x${corpus.width}x${corpus.channels}\n${sha256(corpus.images)}\n${sha256(corpus.captions.join('\n'))}`,
  );
}

function readCache(path: string, key: string, rows: number, dim: number): TeacherFeatures | null {
  if (!existsSync(path)) return null;
  try {
    const reader = SafetensorsReader.open(path);
    try {
      if (reader.metadata.key !== key) return null;
      const image = reader.readFloat32('image');
      const text = reader.readFloat32('text');
      if (image.length !== rows * dim || text.length !== rows * dim) return null;
      return { rows, dim, image, text };
    } finally {
      reader.close();
    }
  } catch {
    return null; // a corrupt cache is recomputed, never trusted
  }
}

/**
 * Runs the old model forward once over the corpus (images and paired captions) and caches
 * the result; every later training run reads the cache instead.
 */
export async function teacherFeatures(
  teacher: Teacher,
  corpus: ImageCaptionSet,
  options: TeacherFeatureOptions = {},
): Promise<TeacherFeatures & { cached: boolean }> {
  if (corpus.captions.length !== corpus.size)
    throw new Error(`corpus has ${corpus.size} images but ${corpus.captions.length} captions; every image needs one caption`);
  const dim = teacher.embedDim;
  const key = featureCacheKey(teacher, corpus);
  if (options.cacheFile) {
    const hit = readCache(options.cacheFile, key, corpus.size, dim);
    if (hit) return { ...hit, cached: true };
  }
  const batch = options.batchSize ?? 256;
  const image = new Float32Array(corpus.size * dim);
  const text = new Float32Array(corpus.size * dim);
  const bar = options.progress === false ? null : new ProgressBar({ total: corpus.size, label: 'old-model features', unit: 'pair' });
  for (let start = 0; start < corpus.size; start += batch) {
    const n = Math.min(batch, corpus.size - start);
    const images = imageBatch(corpus, range(start, n), teacher.normalization);
    const ids = teacher.tokenizer.encodeBatch(corpus.captions.slice(start, start + n));
    const [ie, te] = [await teacher.image.encode(images, { batchSize: batch }), await teacher.text.encode(ids, { batchSize: batch })];
    if (ie.shape[1] !== dim || te.shape[1] !== dim) throw new Error(`the old model's encoders return ${ie.shape[1]}/${te.shape[1]} dims, expected ${dim}`);
    image.set(await ie.data(), start * dim);
    text.set(await te.data(), start * dim);
    tf.dispose([images, ids, ie, te]);
    bar?.tick(n);
  }
  bar?.finish();
  if (options.cacheFile)
    writeSafetensors(
      options.cacheFile,
      [
        { name: 'image', shape: [corpus.size, dim], data: () => image },
        { name: 'text', shape: [corpus.size, dim], data: () => text },
      ],
      { key, teacher: teacher.id },
    );
  return { rows: corpus.size, dim, image, text, cached: false };
}

/**
 * The old model's zero-shot classifier over a set of classes: each class's prompts encoded
 * by the old text encoder, L2-normalised, averaged and renormalised (CLIP's ensembling).
 * Returns [classes, dim] row-major.
 */
export async function textClassifier(teacher: Teacher, promptsByClass: readonly (readonly string[])[]): Promise<Float32Array> {
  const dim = teacher.embedDim;
  const out = new Float32Array(promptsByClass.length * dim);
  for (let c = 0; c < promptsByClass.length; c++) {
    const prompts = promptsByClass[c]!;
    if (prompts.length === 0) throw new Error(`textClassifier: class ${c} has no prompts`);
    const ids = teacher.tokenizer.encodeBatch(prompts);
    const emb = await teacher.text.encode(ids);
    const row = tf.tidy(() => {
      const unit = tf.div(emb, tf.norm(emb, 'euclidean', -1, true));
      const mean = tf.mean(unit, 0);
      return tf.div(mean, tf.norm(mean));
    });
    out.set(await row.data(), c * dim);
    tf.dispose([ids, emb, row]);
  }
  return out;
}
