import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, type Clip, type Tokenizer } from '@hotplug/backbones';
import { initBackend } from '@hotplug/kernels';
import { Rng } from '@hotplug/runtime';
import type { Adapter, ImageCaptionSet } from '../src/index';

export async function setup(): Promise<void> {
  await initBackend();
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `taca-${label}-`));
}

const CLASSES = ['circle', 'square', 'stripe', 'dot'];

/** A small image/caption corpus: 8x8 grayscale patterns per class, captions naming the class. */
export function tinyCorpus(size = 48, seed = 0): ImageCaptionSet & { labels: Int32Array } {
  const rng = new Rng(seed);
  const images = new Uint8Array(size * 64);
  const captions: string[] = [];
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % CLASSES.length;
    labels[i] = c;
    for (let p = 0; p < 64; p++) {
      const y = Math.floor(p / 8),
        x = p % 8;
      const on =
        c === 0 ? (x - 3.5) ** 2 + (y - 3.5) ** 2 < 9 : c === 1 ? x > 1 && x < 6 && y > 1 && y < 6 : c === 2 ? y % 2 === 0 : x % 3 === 0 && y % 3 === 0;
      images[i * 64 + p] = Math.min(255, (on ? 200 : 20) + rng.int(40));
    }
    captions.push(`a photo of a ${CLASSES[c]}`);
  }
  return { size, height: 8, width: 8, channels: 1, images, captions, labels };
}

export const PROMPTS = CLASSES.map((c) => [`a photo of a ${c}`, `a ${c}`]);

export function tinyTokenizer(): Tokenizer {
  return buildTokenizer([...tinyCorpus().captions, ...PROMPTS.flat()], { contextLength: 8, minFrequency: 1 });
}

/** A tiny old/new pair: old width 16 depth 1 (quickgelu), new width 24 depth 2 (gelu). */
export function tinyPair(options: { oldEmbed?: number; newEmbed?: number } = {}): { old: Clip; next: Clip; tokenizer: Tokenizer } {
  const tokenizer = tinyTokenizer();
  const text = { contextLength: 8, width: 16, depth: 1, heads: 2 };
  const old = createClip(
    configForTokenizer(
      resolveConfig({
        base: 'hotplug-old',
        name: 'tiny-old',
        embedDim: options.oldEmbed ?? 12,
        vision: { imageSize: 8, patchSize: 4, width: 16, depth: 1, heads: 2, activation: 'quickgelu' },
        text,
      }),
      tokenizer,
    ),
    { seed: 1 },
  );
  const next = createClip(
    configForTokenizer(
      resolveConfig({
        base: 'hotplug-new',
        name: 'tiny-new',
        embedDim: options.newEmbed ?? 12,
        vision: { imageSize: 8, patchSize: 2, width: 24, depth: 2, heads: 2, activation: 'gelu' },
        text,
      }),
      tokenizer,
    ),
    { seed: 2 },
  );
  return { old, next, tokenizer };
}

/** Gives every adapter variable random values (up-projections start at zero, which would hide bugs). */
export function randomizeAdapter(adapter: Adapter, seed = 7, std = 0.2): void {
  const rng = new Rng(seed);
  for (const v of adapter.params.values()) {
    const values = Float32Array.from({ length: v.size }, () => rng.normal() * std);
    const t = tf.tensor(values, v.shape);
    v.assign(t);
    t.dispose();
  }
}

export function normalizedImages(set: ImageCaptionSet, count: number, mean: number[], std: number[]): tf.Tensor4D {
  const per = set.height * set.width * set.channels;
  const data = Float32Array.from(set.images.subarray(0, count * per), (b, i) => (b / 255 - mean[i % set.channels]!) / std[i % set.channels]!);
  return tf.tensor4d(data, [count, set.height, set.width, set.channels]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
