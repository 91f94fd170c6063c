import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@hotplug/data';
import { describe, expect, it } from 'vitest';
import { Collection, JobCheckpoint, parseAugment, parseSource, planShards, UsageError } from '../src/index';

describe('collections', () => {
  it('parses sources and augmentations, naming the fix for bad ones', () => {
    expect(parseSource('fashion-mnist:test:10:5')).toEqual({ dataset: 'fashion-mnist', split: 'test', start: 10, count: 5 });
    expect(parseSource('mnist:train')).toEqual({ dataset: 'mnist', split: 'train' });
    expect(() => parseSource('mnist:val')).toThrow(/dataset:split\[:start\[:count\]\] with split train or test/);
    expect(() => parseSource('mnist:test:-1')).toThrow(UsageError);
    expect(parseAugment('none,hflip')).toEqual(['none', 'hflip']);
    expect(() => parseAugment('none,rotate')).toThrow(/unknown augmentation "rotate"; known: none, hflip/);
  });

  it('lists every image once per augmentation, with stable ids and per-dataset label offsets', () => {
    const c = new Collection({
      sources: [
        { dataset: 'fashion-mnist', split: 'test', start: 3, count: 2 },
        { dataset: 'mnist', split: 'test', count: 1 },
      ],
      augment: ['none', 'hflip'],
    });
    expect(c.size).toBe(6);
    const ids = Array.from({ length: 6 }, (_, i) => c.item(i).id);
    expect(ids).toEqual([
      'fashion-mnist/test/3',
      'fashion-mnist/test/3#hflip',
      'fashion-mnist/test/4',
      'fashion-mnist/test/4#hflip',
      'mnist/test/0',
      'mnist/test/0#hflip',
    ]);
    const fm = loadDataset('fashion-mnist', 'test');
    const mn = loadDataset('mnist', 'test');
    expect(c.item(2).label).toBe(fm.labels[4]);
    // MNIST's classes come after Fashion-MNIST's ten: a digit never counts as a garment.
    expect(c.item(4).label).toBe(mn.labels[0]! + 10);
    expect(() => c.item(6)).toThrow(/outside the collection/);
  });

  it('augments pixels as hand-computed: flip mirrors columns, a shift moves by 2 and fills 0', () => {
    const c = new Collection({ sources: [{ dataset: 'fashion-mnist', split: 'test', count: 1 }], augment: ['none', 'hflip', 'shift-right', 'shift-up'] });
    const { images } = c.slice(0, 4);
    const px = (k: number, x: number, y: number) => images.images[k * 784 + y * 28 + x]!;
    const raw = loadDataset('fashion-mnist', 'test').images;
    for (const [x, y] of [
      [0, 0],
      [5, 13],
      [27, 20],
      [14, 14],
    ] as const) {
      expect(px(0, x, y)).toBe(raw[y * 28 + x]);
      expect(px(1, x, y)).toBe(raw[y * 28 + (27 - x)]);
      expect(px(2, x, y)).toBe(x >= 2 ? raw[y * 28 + x - 2] : 0);
      expect(px(3, x, y)).toBe(y + 2 < 28 ? raw[(y + 2) * 28 + x] : 0);
    }
  });

  it('cuts contiguous shards, the last one shorter', () => {
    expect(planShards(10, 4)).toEqual([
      { shard: 0, start: 0, end: 4 },
      { shard: 1, start: 4, end: 8 },
      { shard: 2, start: 8, end: 10 },
    ]);
    expect(() => planShards(10, 0)).toThrow(/--shard-size must be a positive integer/);
  });
});

describe('job checkpoints', () => {
  it('resumes under the same configuration, refuses another one, and starts over on restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'index-cp-'));
    const a = JobCheckpoint.open(dir, 'job', { shardSize: 5, x: [1, 2] }, 3, false);
    a.markDone(1);
    a.markDone(1);
    // Key order does not matter: the configuration is compared as data.
    const again = JobCheckpoint.open(dir, 'job', { x: [1, 2], shardSize: 5 }, 3, false);
    expect([...again.done]).toEqual([1]);
    expect(again.runKey).toBe(a.runKey);
    expect(() => JobCheckpoint.open(dir, 'job', { shardSize: 6, x: [1, 2] }, 3, false)).toThrow(/different configuration .* pass --restart to start over/);
    const fresh = JobCheckpoint.open(dir, 'job', { shardSize: 6, x: [1, 2] }, 3, true);
    expect(fresh.done.size).toBe(0);
    expect(fresh.runKey).not.toBe(a.runKey);
    for (const s of [0, 1, 2]) fresh.markDone(s);
    expect(fresh.finished).toBe(true);
  });
});
