import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, fitBytes, resizeBytes, rgbaToChannels, sniffFormat } from '../src/index';
import { FIXTURES, expected, initTestBackend } from './helpers';

const read = (p: string) => decodeImage(readFileSync(join(FIXTURES, p)));

describe('PNG and JPEG decoding', () => {
  it('decodes hand-encoded PNGs (gray, RGB with Sub filter, RGBA, 16-bit) exactly', () => {
    for (const [file, ref] of Object.entries(expected.png) as [string, { height: number; width: number; rgb?: number[]; gray?: number[] }][]) {
      const img = read(`png/${file}`);
      expect([img.height, img.width]).toEqual([ref.height, ref.width]);
      if (ref.rgb) expect(Array.from(rgbaToChannels(img, 3))).toEqual(ref.rgb);
      if (ref.gray) expect(Array.from(rgbaToChannels(img, 1))).toEqual(ref.gray);
    }
    expect(Array.from(rgbaToChannels(read('png/rgb-sub-filter.png'), 1))).toEqual(expected.png['rgb-sub-filter.png'].luma);
  });

  it('decodes JPEG within 2 levels of libjpeg (djpeg)', () => {
    const ref = expected.jpeg['photo.jpg'];
    const img = read('jpeg/photo.jpg');
    expect([img.height, img.width]).toEqual([ref.height, ref.width]);
    const got = rgbaToChannels(img, 3);
    let maxDiff = 0;
    got.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - ref.rgb[i]));
    });
    expect(maxDiff).toBeLessThanOrEqual(2);
  });

  it('decodes a grayscale (one-component) JPEG within 2 levels of libjpeg', () => {
    const ref = expected.jpeg['gray.jpg'];
    const img = read('jpeg/gray.jpg');
    expect([img.height, img.width]).toEqual([ref.height, ref.width]);
    const got = rgbaToChannels(img, 1);
    got.forEach((v, i) => {
      expect(Math.abs(v - ref.gray[i])).toBeLessThanOrEqual(2);
    });
  });

  it('tells formats by magic bytes and rejects anything else', () => {
    expect(sniffFormat(readFileSync(join(FIXTURES, 'jpeg/photo.jpg')))).toBe('jpeg');
    expect(sniffFormat(readFileSync(join(FIXTURES, 'png/gray.png')))).toBe('png');
    expect(() => decodeImage(new TextEncoder().encode('hello'))).toThrow(/not a PNG or JPEG/);
    expect(() => read('folder/cat/truncated.png')).toThrow();
  });
});

describe('resampling', () => {
  beforeAll(initTestBackend);
  const src = () => rgbaToChannels(read('resize/src.png'), 1);

  it('shrinks with the antialiasing triangle filter (numpy reference)', () => {
    expect(Array.from(resizeBytes(src(), 12, 10, 1, 5, 4))).toEqual(expected.resize.down_5x4);
  });

  it('centre-crops to the target aspect ratio (numpy reference)', () => {
    expect(Array.from(fitBytes(src(), 12, 10, 1, 6, 6, 'center-crop'))).toEqual(expected.resize.crop_6x6);
  });

  it('enlarges exactly like tf.image.resizeBilinear with half-pixel centres', () => {
    const img = src();
    const ours = resizeBytes(img, 12, 10, 1, 17, 23);
    const theirs = tf.tidy(() =>
      tf.clipByValue(tf.round(tf.image.resizeBilinear(tf.tensor4d(Float32Array.from(img), [1, 12, 10, 1]), [17, 23], false, true)), 0, 255).dataSync(),
    );
    let maxDiff = 0;
    ours.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - theirs[i]!));
    });
    // Rounding ties may fall either way between float64 and float32 arithmetic.
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('keeps a constant image constant at any size and returns a copy at the same size', () => {
    const flat = new Uint8Array(9 * 7 * 3).fill(77);
    expect(new Set(resizeBytes(flat, 9, 7, 3, 4, 3))).toEqual(new Set([77]));
    expect(new Set(resizeBytes(flat, 9, 7, 3, 20, 11))).toEqual(new Set([77]));
    const same = resizeBytes(flat, 9, 7, 3, 9, 7);
    expect(same).not.toBe(flat);
    expect(same).toEqual(flat);
    expect(() => resizeBytes(flat, 9, 7, 1, 2, 2)).toThrow(/is not 9x7x1/);
  });
});
