import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchIterator, NORMALIZATION, buildCaptionCorpus, loadDataset, subset, type Batch } from '../src/index';
import { initTestBackend } from './helpers';

beforeAll(initTestBackend);

async function collect(it: BatchIterator, keep: (b: Batch) => unknown = (b) => Array.from(b.indices)): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of it) out.push(keep(b));
  return out;
}

describe('BatchIterator', () => {
  const test = loadDataset('mnist', 'test');
  const small = subset(
    test,
    Array.from({ length: 50 }, (_, i) => i * 7),
  );

  it('yields float images [B,H,W,C] normalised, int32 labels matching the source', async () => {
    const it = new BatchIterator(small, { batchSize: 16, transform: [{ kind: 'normalize', ...NORMALIZATION.mnist }] });
    expect(it.batchesPerEpoch).toBe(4);
    const shapes = await collect(it, (b) => {
      const labels = Array.from(b.labels.dataSync());
      expect(labels).toEqual(Array.from(b.indices, (j) => small.labels[j]));
      expect(b.labels.dtype).toBe('int32');
      expect(b.images.dtype).toBe('float32');
      // Hand check of one pixel: (byte/255 - mean) / std.
      const j = b.indices[0]!;
      const k = 14 * 28 + 14;
      expect(b.images.dataSync()[k]).toBeCloseTo((small.images[j * 784 + k]! / 255 - 0.1307) / 0.3081, 5);
      return b.images.shape;
    });
    expect(shapes).toEqual([
      [16, 28, 28, 1],
      [16, 28, 28, 1],
      [16, 28, 28, 1],
      [2, 28, 28, 1],
    ]);
  });

  it('visits every item once per epoch, in a seeded order that changes per epoch', async () => {
    const batches = (await collect(new BatchIterator(small, { batchSize: 8, seed: 4, epochs: 2 }))) as number[][];
    const epoch0 = batches.slice(0, 7).flat();
    const epoch1 = batches.slice(7).flat();
    expect([...epoch0].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...epoch1].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epoch0).not.toEqual(epoch1);
    expect(await collect(new BatchIterator(small, { batchSize: 8, seed: 4, epochs: 2 }))).toEqual(batches);
    expect(await collect(new BatchIterator(small, { batchSize: 8, seed: 5, epochs: 2 }))).not.toEqual(batches);
    const plain = (await collect(new BatchIterator(small, { batchSize: 8, shuffle: false }))) as number[][];
    expect(plain.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await collect(new BatchIterator(small, { batchSize: 8, dropLast: true }))).toHaveLength(6);
  });

  it('random transforms depend on the seed only, not on prefetch depth', async () => {
    const spec = { batchSize: 10, seed: 2, transform: [{ kind: 'randomAffine' as const, degrees: 20, translate: [0.1, 0.1] as const }] };
    const sum = (b: Batch) => tf.sum(b.images).dataSync()[0];
    const a = await collect(new BatchIterator(small, { ...spec, prefetch: 0 }), sum);
    const b = await collect(new BatchIterator(small, { ...spec, prefetch: 3 }), sum);
    expect(a).toEqual(b);
  });

  it('prefetches: the next batch is ready while the consumer awaits', async () => {
    const it = new BatchIterator(small, { batchSize: 10, prefetch: 1 });
    const iter = it[Symbol.asyncIterator]();
    const first = await iter.next();
    const countWithOne = tf.memory().numTensors;
    await new Promise((r) => setImmediate(r)); // consumer "trains" and yields to the event loop
    expect(tf.memory().numTensors).toBe(countWithOne + 2); // the next batch's images and labels exist
    expect(first.done).toBe(false);
    await iter.return(undefined);
  });

  it('disposes everything it created: after a full pass, after break, and after a throw', async () => {
    const before = tf.memory().numTensors;
    await collect(
      new BatchIterator(small, {
        batchSize: 16,
        prefetch: 2,
        transform: [
          { kind: 'randomCrop', padding: 2 },
          { kind: 'normalize', mean: [0.5], std: [0.5] },
        ],
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    for await (const b of new BatchIterator(small, { batchSize: 4, prefetch: 2 })) {
      if (b.step === 2) break;
    }
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      (async () => {
        for await (const b of new BatchIterator(small, { batchSize: 4 })) if (b.step === 1) throw new Error('training failed');
      })(),
    ).rejects.toThrow('training failed');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batches a caption corpus with its captions and in-batch pair targets', async () => {
    const corpus = buildCaptionCorpus({ maxPerDataset: 20, seed: 1 });
    const it = new BatchIterator(corpus, { batchSize: 16, seed: 1 });
    const seen = await collect(it, (b) => {
      expect(b.captions).toEqual(Array.from(b.indices, (j) => corpus.captions[j]));
      expect(Array.from(b.labels.dataSync())).toEqual(Array.from({ length: b.indices.length }, (_, i) => i));
      return b.captions!.length;
    });
    expect(seen).toEqual([16, 16, 8]);
  });

  it('on a worker: the same batches as the tfjs path, transforms included', async () => {
    const transform = [
      { kind: 'randomCrop' as const, padding: 3 },
      { kind: 'randomFlip' as const },
      { kind: 'randomAffine' as const, degrees: 25, translate: [0.1, 0.1] as const, scale: [0.8, 1.2] as const },
      { kind: 'grayscaleToRgb' as const },
      { kind: 'resize' as const, height: 20, width: 36 },
      { kind: 'normalize' as const, ...NORMALIZATION.clip },
    ];
    const options = { batchSize: 12, seed: 7, epochs: 2, transform };
    const snapshot = (b: Batch) => ({
      indices: Array.from(b.indices),
      labels: Array.from(b.labels.dataSync()),
      shape: b.images.shape,
      images: b.images.dataSync().slice(),
    });
    const inProcess = (await collect(new BatchIterator(small, options), snapshot)) as ReturnType<typeof snapshot>[];
    const before = tf.memory().numTensors;
    const onWorker = (await collect(new BatchIterator(small, { ...options, worker: true, prefetch: 2 }), snapshot)) as ReturnType<typeof snapshot>[];
    expect(tf.memory().numTensors).toBe(before);
    expect(onWorker).toHaveLength(inProcess.length);
    onWorker.forEach((w, i) => {
      const p = inProcess[i]!;
      expect(w.indices).toEqual(p.indices);
      expect(w.labels).toEqual(p.labels);
      expect(w.shape).toEqual([p.indices.length, 20, 36, 3]);
      let maxDiff = 0;
      w.images.forEach((v, k) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - p.images[k]!));
      });
      expect(maxDiff).toBeLessThan(1e-4);
    });
  });

  it('on a worker: the next batch is built while the main thread is blocked (on the event loop: after)', async () => {
    for (const worker of [true, false]) {
      const iter = new BatchIterator(small, { batchSize: 10, worker, prefetch: 1 })[Symbol.asyncIterator]();
      await iter.next();
      const blockedFrom = Date.now();
      while (Date.now() - blockedFrom < 700); // a synchronous "training step" that never yields
      const blockedUntil = Date.now();
      const second = await iter.next();
      expect(second.done).toBe(false);
      const readyAt = (second.value as Batch).readyAt;
      // Ready before the main thread was free again: only another thread could have built it.
      if (worker) expect(readyAt).toBeLessThan(blockedUntil);
      else expect(readyAt).toBeGreaterThanOrEqual(blockedUntil);
      await iter.return(undefined);
    }
  });

  it('on a worker: breaking early disposes and stops the worker', async () => {
    const before = tf.memory().numTensors;
    for await (const b of new BatchIterator(small, { batchSize: 4, worker: true, prefetch: 3 })) if (b.step === 1) break;
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new BatchIterator(small, { batchSize: 4, worker: true, transform: (x) => x })).toThrow(
      /worker: true needs transform as a list of TransformSpec/,
    );
  });

  it('rejects bad options with the fix', () => {
    expect(() => new BatchIterator(small, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new BatchIterator(small, { batchSize: 100, dropLast: true })).toThrow(/yields no batch/);
    expect(() => new BatchIterator({ ...small, images: new Uint8Array(3) }, { batchSize: 2 })).toThrow(/expected 50x28x28x1/);
  });
});
