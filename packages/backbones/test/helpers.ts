import { afterAll } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@hotplug/kernels';
import type { ClipConfig } from '../src/config';

export const FIXTURES = join(__dirname, 'fixtures');

export interface ClipFixture {
  config: ClipConfig;
  images: { shape: number[]; data: number[] };
  ids: number[][];
  imageEmbedding: number[][];
  imagePooled: number[][];
  textEmbedding: number[][];
  textPooled: number[][];
}

export function loadClipFixture(): ClipFixture {
  return JSON.parse(readFileSync(join(FIXTURES, 'tiny-clip-expected.json'), 'utf8'));
}

export async function setupBackend(): Promise<void> {
  await initBackend(undefined, { log: () => {} });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const created: string[] = [];
// Registered on the importing test file's root suite.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hotplug-backbones-${label}-`));
  created.push(dir);
  return dir;
}

export function randomImages(config: ClipConfig, batch: number, seed = 1): tf.Tensor4D {
  const v = config.vision;
  return tf.randomNormal([batch, v.imageSize, v.imageSize, v.channels], 0, 1, 'float32', seed) as tf.Tensor4D;
}
