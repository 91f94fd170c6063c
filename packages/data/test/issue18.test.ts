// Regression cases of issue 18 that belong to this package's readers: each is refused with a
// named error whose message says what is wrong (the messages are printed for the closing note).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DataListingError,
  decodeImage,
  IdxFileError,
  ImageDecodeError,
  indexCaptionFile,
  indexCoopSplitFile,
  indexImageFolder,
  PathOutsideRootError,
  readIdx,
} from '../src/index';
import { expectMemoryBounded, memoryNow, thrown } from '../../../tools/test-support/fuzz';
import { grayPng, scanlines } from './fuzz-helpers';
import { FIXTURES, tempDir } from './helpers';

const show = (label: string, err: unknown) => console.log(`[issue 18] ${label}: ${(err as Error).constructor.name}: ${(err as Error).message}`);

describe('issue 18, data readers', () => {
  it('case 2: caption CSV / JSONL, CoOp split and folder paths that escape their folder are refused', () => {
    const dir = tempDir('i18-paths');
    writeFileSync(join(dir, 'caps.csv'), 'path,caption\nok.png,fine\n../../../../etc/passwd,escape\n');
    const csv = thrown(() => indexCaptionFile(join(dir, 'caps.csv')));
    expect(csv).toBeInstanceOf(PathOutsideRootError);
    expect(csv.message).toMatch(/\(record 2, path\): path "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" resolves outside/);
    show('case 2 (caption CSV)', csv);
    writeFileSync(join(dir, 'caps.jsonl'), '{"image": "/etc/passwd", "text": "absolute"}\n');
    const jsonl = thrown(() => indexCaptionFile(join(dir, 'caps.jsonl')));
    expect(jsonl).toBeInstanceOf(PathOutsideRootError);
    show('case 2 (caption JSONL, absolute)', jsonl);
    // The same refusal whether or not the outside file exists: nothing is revealed.
    writeFileSync(join(dir, 'caps2.jsonl'), '{"image": "/no/such/file.png", "text": "absolute"}\n');
    expect(
      thrown(() => indexCaptionFile(join(dir, 'caps2.jsonl')))
        .message.replace('/no/such/file.png', '/etc/passwd')
        .replace('caps2', 'caps'),
    ).toBe(jsonl.message);
    writeFileSync(
      join(dir, 'split.json'),
      JSON.stringify({
        train: [
          ['a/1.jpg', 0, 'cat'],
          ['../../x.jpg', 0, 'cat'],
        ],
      }),
    );
    const coop = thrown(() => indexCoopSplitFile(join(dir, 'split.json'), join(dir, 'images'), 'train'));
    expect(coop).toBeInstanceOf(PathOutsideRootError);
    expect(coop.message).toMatch(/\(train\[1\]\): path "\.\.\/\.\.\/x\.jpg" resolves outside/);
    show('case 2 (CoOp split)', coop);
    mkdirSync(join(dir, 'folder', 'cat'), { recursive: true });
    writeFileSync(join(dir, 'folder', 'cat', '0.png'), grayPng(2, 2, scanlines(2, 2)));
    symlinkSync(join(FIXTURES, 'png', 'gray.png'), join(dir, 'folder', 'cat', 'linked.png'));
    const link = thrown(() => indexImageFolder(join(dir, 'folder')));
    expect(link).toBeInstanceOf(PathOutsideRootError);
    show('case 2 (image folder link)', link);
    expect(indexImageFolder(join(dir, 'folder'), { allowedRoots: [FIXTURES] }).entries).toHaveLength(2);
    // An explicit allowed root lets a listing point elsewhere on purpose.
    expect(indexCaptionFile(join(dir, 'caps.csv'), { allowedRoots: ['/etc'] }).entries[1]!.path).toBe('/etc/passwd');
  });

  it('case 3: a 100-byte PNG declaring 30000x30000 is refused before allocating', () => {
    const png = grayPng(30000, 30000, new Uint8Array(0));
    expect(png.length).toBeLessThan(100);
    const before = memoryNow();
    const err = thrown(() => decodeImage(png, { file: 'huge.png' }));
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(/declares 30000x30000 pixels, above the limits \(maxWidth 16384, maxHeight 16384, maxPixels 40000000\)/);
    expectMemoryBounded(before, 64);
    show('case 3 (30000x30000 PNG)', err);
  });

  it('case 3: a truncated PNG (pixel data shorter than its header says) and a truncated JPEG are refused, not zero-filled', () => {
    const short = grayPng(4, 10, scanlines(4, 3));
    const err = thrown(() => decodeImage(short, { file: 'short.png' }));
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(/pixel data inflates to 15 bytes but 4x10 needs 50: the image is truncated/);
    show('case 3 (truncated PNG)', err);
    const whole = grayPng(4, 10, scanlines(4, 10));
    expect(Array.from(decodeImage(whole).data.subarray(0, 4))).toEqual([7, 7, 7, 255]);
    const cut = thrown(() => decodeImage(whole.subarray(0, whole.length - 12), { file: 'cut.png' }));
    expect(cut.message).toMatch(/no IEND chunk: the file is truncated/);
    const jpeg = readFileSync(join(FIXTURES, 'jpeg/photo.jpg'));
    const jerr = thrown(() => decodeImage(jpeg.subarray(0, jpeg.length >> 1), { file: 'half.jpg' }));
    expect(jerr).toBeInstanceOf(ImageDecodeError);
    show('case 3 (truncated JPEG)', jerr);
  });

  it('case 3: a 2.9 MB gzip bomb (2.95 GB of zeros) stops at maxOutputLength', () => {
    const dir = tempDir('i18-gz');
    // Gzip members concatenate: one 128 MiB member of zeros, repeated, makes the bomb in well under a second.
    const member = gzipSync(Buffer.alloc(128 * 2 ** 20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 22 }, () => member)); // 2.9 MB declaring 2.95 GB
    expect(bomb.length).toBeGreaterThan(2.8e6);
    expect(bomb.length).toBeLessThan(3.1e6);
    writeFileSync(join(dir, 'bomb-idx3-ubyte.gz'), bomb);
    const before = memoryNow();
    const err = thrown(() => readIdx(join(dir, 'bomb-idx3-ubyte.gz'), { maxOutputLength: 64 * 2 ** 20 }));
    expect(err).toBeInstanceOf(IdxFileError);
    expect(err.message).toMatch(/decompresses to more than 67108864 bytes \(maxOutputLength\)/);
    expectMemoryBounded(before, 400);
    show('case 3 (gzip bomb)', err);
    // Header dims are checked against the length: 60000x28x28 declared over 100 bytes.
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
    writeFileSync(join(dir, 'lies-idx3-ubyte'), Buffer.concat([header, Buffer.alloc(84)]));
    expect(thrown(() => readIdx(join(dir, 'lies-idx3-ubyte'))).message).toMatch(
      /IDX header says 60000x28x28 uint8 \(47040016 bytes\) but the file has 100 bytes/,
    );
  });

  it('case 3: label 999999999 in a caption file is refused before allocating; 300k labelled rows index without overflowing the stack', () => {
    const dir = tempDir('i18-labels');
    writeFileSync(join(dir, 'caps.csv'), 'path,caption,label\na.png,x,0\nb.png,y,999999999\n');
    const err = thrown(() => indexCaptionFile(join(dir, 'caps.csv')));
    expect(err).toBeInstanceOf(DataListingError);
    expect(err.message).toMatch(/\(record 2, label\): integer label 999999999 would make 1000000000 classes, above maxClasses 100000/);
    show('case 3 (label 999999999)', err);
    const rows = Array.from({ length: 300_000 }, (_, i) => `img/${i}.png,caption ${i},${i % 1000}`);
    writeFileSync(join(dir, 'big.csv'), `path,caption,label\n${rows.join('\n')}\n`);
    const index = indexCaptionFile(join(dir, 'big.csv'));
    expect(index.entries).toHaveLength(300_000);
    expect(index.classNames).toHaveLength(1000);
    expect(index.entries[299_999]!.label).toBe(999);
    console.log('[issue 18] case 3 (300k labelled rows): indexed, 300000 entries, 1000 classes');
  });
});
