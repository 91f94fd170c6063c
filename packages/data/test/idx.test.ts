import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdx, readIdxDataset } from '../src/index';
import { FIXTURES, expected } from './helpers';

const dir = join(FIXTURES, 'idx');

describe('IDX reader', () => {
  it('reads uint8 images (raw) and labels (gzipped) to the values numpy wrote', () => {
    const ds = readIdxDataset({
      images: join(dir, 'images-idx3-ubyte'),
      labels: join(dir, 'labels-idx1-ubyte.gz'),
      classNames: ['a', 'b', 'c'],
      name: 'tiny',
      split: 'train',
    });
    expect([ds.size, ds.height, ds.width, ds.channels]).toEqual([6, 4, 3, 1]);
    expect(Array.from(ds.images)).toEqual(expected.idx.images);
    expect(Array.from(ds.labels)).toEqual(expected.idx.labels);
    expect(ds.classNames).toEqual(['a', 'b', 'c']);
  });

  it('defaults class names to the label numbers', () => {
    const ds = readIdxDataset({ images: join(dir, 'images-idx3-ubyte'), labels: join(dir, 'labels-idx1-ubyte.gz') });
    expect(ds.classNames).toEqual(['0', '1', '2']);
  });

  it('decodes big-endian int32 arrays', () => {
    const arr = readIdx(join(dir, 'int32-idx2'));
    expect(arr.type).toBe('int32');
    expect(arr.dims).toEqual([2, 2]);
    expect(Array.from(arr.data)).toEqual(expected.idx.int32);
  });

  it('names the file and the problem for broken files', () => {
    expect(() => readIdx(join(dir, 'truncated-idx3-ubyte'))).toThrow(/truncated-idx3-ubyte.*truncated or corrupt/);
    expect(() => readIdx(join(dir, 'badmagic-idx3-ubyte'))).toThrow(/badmagic-idx3-ubyte is not an IDX file/);
    expect(() => readIdx(join(dir, 'corrupt.gz'))).toThrow(/corrupt\.gz looks gzipped but does not decompress/);
    expect(() => readIdx(join(dir, 'missing'))).toThrow(/cannot read .*missing/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x')).toThrow(/unknown IDX element type 0x42/);
    expect(() => readIdxDataset({ images: join(dir, 'images-idx3-ubyte'), labels: join(dir, 'short-labels-idx1-ubyte') })).toThrow(/6 images but .*5 labels/);
    expect(() => readIdxDataset({ images: join(dir, 'images-idx3-ubyte'), labels: join(dir, 'labels-idx1-ubyte.gz'), classNames: ['a'] })).toThrow(
      /label 2 but only 1 class names/,
    );
  });
});
