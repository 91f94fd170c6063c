import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTER_CORPUS, PRETRAINING_CORPUS, adapterCorpus, pretrainingCorpus, resizeBytes, sceneWorld } from '../src/index';

describe('training corpora', () => {
  it("are train-split scenes in the model's format (gray by Rec. 601 luma, then resized), cached atomically and rebuilt when corrupt", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-corpus-'));
    const format = { size: 28, channels: 1 } as const;
    const a = adapterCorpus({ size: 300, format, cacheDir: dir });
    expect([a.size, a.height, a.width, a.channels, a.images.length, a.captions.length, a.split]).toEqual([300, 28, 28, 1, 300 * 784, 300, 'train']);
    // Pair i is scene i of the adapter stream, converted by hand here.
    const world = sceneWorld('train');
    for (const i of [0, 123, 299]) {
      const scene = world.scene(ADAPTER_CORPUS.seed, i);
      expect(a.captions[i]).toBe(world.caption(scene));
      const rgb = world.render(scene);
      const gray = new Uint8Array(64 * 64);
      for (let p = 0; p < gray.length; p++) gray[p] = Math.round(0.299 * rgb[3 * p]! + 0.587 * rgb[3 * p + 1]! + 0.114 * rgb[3 * p + 2]!);
      const want = resizeBytes(gray, 64, 64, 1, 28, 28);
      const got = a.images.subarray(i * 784, (i + 1) * 784);
      let worst = 0;
      for (let p = 0; p < 784; p++) worst = Math.max(worst, Math.abs(got[p]! - want[p]!));
      expect(worst).toBeLessThanOrEqual(1);
    }
    const files = readdirSync(dir).filter((f) => f.startsWith('scenes-adapter'));
    expect(files.length).toBe(1);
    const again = adapterCorpus({ size: 300, format, cacheDir: dir });
    expect(Buffer.from(again.images).equals(Buffer.from(a.images))).toBe(true);
    expect(again.captions).toEqual(a.captions);
    const path = join(dir, files[0]!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    const warnings: string[] = [];
    const rebuilt = adapterCorpus({ size: 300, format, cacheDir: dir, warn: (m) => warnings.push(m) });
    expect(warnings.join()).toMatch(/checksum mismatch/);
    expect(Buffer.from(rebuilt.images).equals(Buffer.from(a.images))).toBe(true);
  });

  it('pretraining and adapter corpora are different streams of the train world, with captions only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-corpus-'));
    const p = pretrainingCorpus({ size: 200, cacheDir: dir });
    const a = adapterCorpus({ size: 200, cacheDir: dir });
    expect(PRETRAINING_CORPUS.seed).not.toBe(ADAPTER_CORPUS.seed);
    expect([p.height, p.channels]).toEqual([64, 3]);
    const per = 64 * 64 * 3;
    const hashes = new Set(Array.from({ length: 200 }, (_, i) => Buffer.from(p.images.subarray(i * per, (i + 1) * per)).toString('base64')));
    for (let i = 0; i < 200; i++) expect(hashes.has(Buffer.from(a.images.subarray(i * per, (i + 1) * per)).toString('base64'))).toBe(false);
    expect(Object.keys(p)).not.toContain('labels');
    expect(() => adapterCorpus({ size: 0 })).toThrow(/positive integer/);
    expect(() => adapterCorpus({ size: 10, format: { size: 28, channels: 2 as 1 } })).toThrow(/channels must be 1 or 3/);
  });
});
