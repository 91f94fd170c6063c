import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classCounts,
  decodeIndex,
  indexCaptionFile,
  indexCoopDataset,
  indexImageFolder,
  indexLabels,
  parseCsv,
  readCaptionFile,
  readCoopDataset,
  readImageFolder,
  subsetIndex,
} from '../src/index';
import { FIXTURES, expected } from './helpers';

const folder = join(FIXTURES, 'folder');
const coopRoot = join(FIXTURES, 'coop');
const rel = (p: string) => relative(folder, p);

describe('image folder reader', () => {
  it('indexes root/CLASS/* in sorted order, images only', () => {
    const index = indexImageFolder(folder);
    expect(index.classNames).toEqual(expected.folder.classes);
    expect(index.entries.map((e) => rel(e.path))).toEqual([
      'cat/0.png',
      'cat/1.png',
      'cat/2.png',
      'cat/truncated.png',
      'dog/0.jpg',
      'dog/1.jpg',
      'dog/empty.jpg',
      'dog/fake.jpg',
    ]);
    expect(Array.from(indexLabels(index))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it("fails by default on a corrupt image, naming it and the 'skip' option", () => {
    expect(() => readImageFolder(folder, { channels: 1 })).toThrow(/cat\/truncated\.png.*cannot decode.*onBadImage: .skip./);
  });

  it('skips corrupt images when asked, reporting each with its path and reason', () => {
    const warnings: string[] = [];
    const { dataset, skipped } = readImageFolder(folder, { channels: 1, onBadImage: 'skip', warn: (m) => warnings.push(m) });
    expect(skipped.map((s) => rel(s.path)).sort()).toEqual(expected.folder.bad);
    expect(skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/skipped .*truncated\.png/);
    expect(dataset.size).toBe(5);
    expect(classCounts(dataset)).toEqual([3, 2]);
    dataset.paths!.forEach((p, i) => {
      const ref: number[] = expected.folder.good[rel(p)];
      const got = Array.from(dataset.images.subarray(i * 64, (i + 1) * 64));
      // PNGs are exact; JPEGs within 2 levels of libjpeg.
      got.forEach((v, j) => {
        expect(Math.abs(v - ref[j]!)).toBeLessThanOrEqual(p.endsWith('.png') ? 0 : 2);
      });
    });
  });

  it('maps folder names to display names and resizes to a requested size', () => {
    const { dataset } = readImageFolder(folder, { displayNames: { cat: 'a cat' }, size: [4, 5], channels: 3, onBadImage: 'skip', warn: () => {} });
    expect(dataset.classNames).toEqual(['a cat', 'dog']);
    expect([dataset.height, dataset.width, dataset.channels]).toEqual([4, 5, 3]);
    expect(dataset.images.length).toBe(5 * 4 * 5 * 3);
  });

  it('rejects a missing folder and mixed sizes without a target size', () => {
    expect(() => indexImageFolder(join(FIXTURES, 'nope'))).toThrow(/does not exist/);
    const index = {
      name: 'mixed',
      split: 'all',
      classNames: ['x'],
      entries: [
        { path: join(FIXTURES, 'png/gray.png'), label: 0 },
        { path: join(FIXTURES, 'png/rgba.png'), label: 0 },
      ],
    };
    expect(() => decodeIndex(index)).toThrow(/rgba\.png is 3x5 but earlier images are 5x7\. Pass size/);
  });
});

describe('caption files', () => {
  it('parses RFC 4180 CSV: quotes, doubled quotes, commas and newlines in fields', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n"two\nlines",z\r\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', 'z'],
    ]);
    expect(() => parseCsv('a\n"open')).toThrow(/not closed/);
  });

  it('reads a CSV of path, caption, label relative to the file', () => {
    // The fixtures point at ../folder: outside the listing's folder, so it is allowed explicitly.
    expect(() => indexCaptionFile(join(FIXTURES, 'captions/captions.csv'))).toThrow(/record 1, path.*resolves outside/);
    const { dataset } = readCaptionFile(join(FIXTURES, 'captions/captions.csv'), { channels: 1, allowedRoots: [join(FIXTURES, 'folder')] });
    expect(dataset.captions).toEqual(['a cat, sitting', 'a dog said "woof"', 'two lines\nof caption']);
    expect(dataset.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(dataset.labels)).toEqual([0, 1, 0]);
    expect(Array.from(dataset.images.subarray(0, 64))).toEqual(expected.folder.good['cat/0.png']);
  });

  it('reads JSONL (image/text keys), skipping a broken image with a report', () => {
    const warnings: string[] = [];
    const { dataset, skipped } = readCaptionFile(join(FIXTURES, 'captions/captions.jsonl'), {
      channels: 1,
      allowedRoots: [join(FIXTURES, 'folder')],
      onBadImage: 'skip',
      warn: (m) => warnings.push(m),
    });
    expect(dataset.captions).toEqual(['a dog', 'a cat']);
    expect(dataset.classNames).toEqual(['unlabelled']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.path).toMatch(/truncated\.png$/);
    expect(warnings).toHaveLength(1);
  });

  it('names the line or the missing column of a bad file', () => {
    expect(() => indexCaptionFile(join(FIXTURES, 'captions/bad.jsonl'))).toThrow(/bad\.jsonl \(line 2\): not valid JSON/);
    expect(() => indexCaptionFile(join(FIXTURES, 'captions/nocaption.csv'))).toThrow(/no caption column; name one of: caption/);
    expect(() => indexCaptionFile(join(FIXTURES, 'captions/none.csv'))).toThrow(/cannot read caption file/);
  });
});

describe('CoOp layouts', () => {
  it('reads a split_zhou JSON: splits, labels and class names', () => {
    for (const [split, per] of [
      ['train', 3],
      ['val', 1],
      ['test', 2],
    ] as const) {
      const index = indexCoopDataset(coopRoot, 'oxford_pets', split);
      expect(index.classNames).toEqual(expected.coop.pets_classes);
      expect(classCounts({ labels: indexLabels(index), classNames: index.classNames })).toEqual([per, per, per]);
    }
    const { dataset } = readCoopDataset(coopRoot, 'oxford_pets', 'test');
    expect([dataset.size, dataset.height, dataset.width, dataset.channels]).toEqual([6, 6, 6, 3]);
    expect(() => indexCoopDataset(coopRoot, 'oxford_pets', 'holdout')).toThrow(/no split 'holdout'; it has: train, val, test/);
  });

  it('decodes only the entries a few-shot subset keeps', () => {
    const index = indexCoopDataset(coopRoot, 'oxford_pets', 'train');
    const { dataset } = decodeIndex(subsetIndex(index, [0, 4]));
    expect(Array.from(dataset.labels)).toEqual([0, 1]);
  });

  it('reads FGVC-Aircraft variant lists', () => {
    const index = indexCoopDataset(coopRoot, 'fgvc_aircraft', 'train');
    expect(index.classNames).toEqual(expected.coop.fgvc_classes);
    expect(Array.from(indexLabels(index))).toEqual([0, 2, 1]);
    expect(index.entries[1]!.path).toMatch(/images\/0002\.jpg$/);
    expect(readCoopDataset(coopRoot, 'fgvc_aircraft', 'test').dataset.size).toBe(2);
  });

  it('reads ImageNet folders with classnames.txt, V2 numeric folders and the A subset', () => {
    const names = expected.coop.imagenet_classes;
    expect(indexCoopDataset(coopRoot, 'imagenet', 'train').classNames).toEqual(names);
    expect(indexCoopDataset(coopRoot, 'imagenet', 'test').entries).toHaveLength(3);
    expect(indexCoopDataset(coopRoot, 'imagenetv2', 'test').classNames).toEqual(names);
    const a = indexCoopDataset(coopRoot, 'imagenet_a', 'test');
    expect(a.classNames).toEqual([names[2]]);
    expect(() => indexCoopDataset(coopRoot, 'imagenetv2', 'train')).toThrow(/no split 'train'; splits: test/);
  });

  it('says where a dataset should be and which names exist', () => {
    expect(() => indexCoopDataset(coopRoot, 'dtd', 'train')).toThrow(/dtd.*not found; put the dataset there/);
    expect(() => indexCoopDataset(coopRoot, 'mystery', 'train')).toThrow(/unknown CoOp dataset 'mystery'; known: imagenet, caltech101/);
  });
});
