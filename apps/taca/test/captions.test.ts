import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClip } from '@hotplug/backbones';
import { PathOutsideRootError } from '@hotplug/data';
import { initBackend } from '@hotplug/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { captionFileCorpus } from '../src/captions';
import { parseOptions, runCli } from '../src/index';
import { rgbPngOf, TINY_CLASSES, writeTinyImageFolder } from '../../../tools/test-support/image-folder';
import { writeTinyPair } from '../../../tools/test-support/tiny-models';

const temp = (label: string) => mkdtempSync(join(tmpdir(), `taca-captions-${label}-`));
// ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), worked by hand for a solid colour.
const luma = ([r, g, b]: readonly number[]) => Math.round(0.299 * r! + 0.587 * g! + 0.114 * b!);

let pair: { oldDir: string; newDir: string };
let data: { root: string; captions: string; files: number };
let format: { size: number; channels: 1 | 3 };
beforeAll(async () => {
  await initBackend();
  pair = writeTinyPair(temp('models'));
  data = writeTinyImageFolder(temp('images'));
  const { clip } = loadClip(pair.newDir);
  format = { size: clip.config.vision.imageSize, channels: clip.config.vision.channels as 1 | 3 };
  clip.dispose();
});

describe('--captions FILE', () => {
  it('is resolved and checked before any model loads', () => {
    expect(parseOptions(['train', '--captions', data.captions]).captions).toBe(data.captions);
    expect(parseOptions(['train']).captions).toBeUndefined();
    expect(() => parseOptions(['train', '--captions', join(data.root, 'missing.csv')])).toThrow(/--captions .*missing\.csv does not exist/);
  });

  it("reads the file's images at the new model's input size and channels, captions in file order", () => {
    const corpus = captionFileCorpus(data.captions, format);
    expect(corpus.size).toBe(data.files);
    expect([corpus.height, corpus.width, corpus.channels]).toEqual([format.size, format.size, format.channels]);
    expect(corpus.captions[0]).toBe('a red picture, number 0');
    expect(corpus.classNames).toEqual(['blue', 'green', 'red']);
    // The 40x40 source has a white top-left quarter on a solid colour: after the resize the first pixel is white
    // and the last one the fill colour (interpolation only mixes at the quarter's edge).
    const per = format.size * format.size * format.channels;
    const fill = TINY_CLASSES.red.map((v) => Math.max(0, v - 12));
    const expected = format.channels === 1 ? [luma(fill)] : fill;
    const last = Array.from(corpus.images.subarray(per - format.channels, per));
    for (const [c, v] of last.entries()) expect(Math.abs(v - expected[c]!)).toBeLessThanOrEqual(1);
    expect(corpus.images[0]).toBe(255);
    // A 3-channel model gets RGB at its own size.
    const rgb = captionFileCorpus(data.captions, { size: 20, channels: 3 });
    expect([rgb.height, rgb.width, rgb.channels]).toEqual([20, 20, 3]);
    const end = 20 * 20 * 3;
    for (const [c, v] of Array.from(rgb.images.subarray(end - 3, end)).entries()) expect(Math.abs(v - fill[c]!)).toBeLessThanOrEqual(1);
    // Another file gives another cache key for the old model's features.
    const other = join(data.root, 'first-two.csv');
    writeFileSync(other, readFileSync(data.captions, 'utf8').split('\n').slice(0, 3).join('\n'));
    expect(captionFileCorpus(other, format).sourceNames).not.toEqual(corpus.sourceNames);
  });

  it('keeps the aspect ratio of a tall image: shorter side scaled, centre cropped (white bands above and below are cut)', () => {
    const dir = temp('tall');
    // 30 wide, 90 high: white rows 0-29 and 60-89, green in the middle third, which is exactly the centre crop.
    writeFileSync(
      join(dir, 'tall.png'),
      rgbPngOf(30, 90, (_, y) => (y >= 30 && y < 60 ? TINY_CLASSES.green : [255, 255, 255])),
    );
    writeFileSync(join(dir, 'c.jsonl'), `${JSON.stringify({ image: 'tall.png', caption: 'a tall one' })}\n`);
    const corpus = captionFileCorpus(join(dir, 'c.jsonl'), { size: 12, channels: 3 });
    // Output rows 1-10 read only the middle third: its green exactly. The antialiasing filter of rows 0 and 11
    // reaches a row or two past the crop (as PIL's), so they are mostly green; a stretch would make them white.
    const at = (row: number, c: number) => corpus.images[(row * 12 + 6) * 3 + c]!;
    for (let row = 1; row <= 10; row++) for (let c = 0; c < 3; c++) expect(Math.abs(at(row, c) - TINY_CLASSES.green[c]!)).toBeLessThanOrEqual(1);
    for (const row of [0, 11]) for (let c = 0; c < 3; c++) expect(Math.abs(at(row, c) - TINY_CLASSES.green[c]!)).toBeLessThan(Math.abs(255 - at(row, c)));
  });

  it("refuses a path that leaves the file's folder with the readers' PathOutsideRootError (exit code 2)", async () => {
    const bad = join(data.root, 'escape.jsonl');
    writeFileSync(bad, `${JSON.stringify({ image: '../outside.png', caption: 'x' })}\n`);
    expect(() => captionFileCorpus(bad, format)).toThrow(PathOutsideRootError);
    expect(await runCli(['train', '--quick', '--old', pair.oldDir, '--new', pair.newDir, '--out', temp('bad'), '--captions', bad])).toBe(2);
  });

  it('trains an adapter on the caption file for 5 steps', async () => {
    const out = temp('run');
    const code = await runCli([
      'train',
      '--quick',
      '--steps',
      '5',
      '--batch-size',
      '4',
      '--old',
      pair.oldDir,
      '--new',
      pair.newDir,
      '--out',
      out,
      '--variant',
      'taca-symmetric',
      '--captions',
      data.captions,
    ]);
    expect(code).toBe(0);
    const record = JSON.parse(readFileSync(join(out, 'adapters', 'taca-symmetric', 'training.json'), 'utf8'));
    expect(record.steps).toBe(5);
    expect(record.corpusSize).toBe(data.files);
    expect(Number.isFinite(record.finalLoss)).toBe(true);
    expect(existsSync(join(out, 'adapters', 'taca-symmetric', 'adapter.safetensors'))).toBe(true);
    // The old model's features were computed on this file's pairs, not on the scene corpus.
    expect(readdirSync(join(out, 'cache')).some((f) => /old-features-.*captions-[0-9a-f]{16}-12\.safetensors$/.test(f))).toBe(true);
  }, 60_000);
});
