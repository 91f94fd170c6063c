// Property-based fuzzing of every file reader of this package: generated malformed inputs
// must end in a named InvalidFileError or a valid result, never a raw TypeError/RangeError
// or a crash; accepted paths stay inside their folder; memory stays bounded; nothing is written.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, indexCaptionFile, indexCoopSplitFile, indexImageFolder, InvalidFileError, parseCsv, parseIdx, readIdx } from '../src/index';
import { damagedBytes, expectMemoryBounded, expectOnly, fuzzByReader, memoryNow } from '../../../tools/test-support/fuzz';
import { grayPng, scanlines } from './fuzz-helpers';
import { FIXTURES, tempDir } from './helpers';

const RUNS = 150;
const seed = Number(process.env.FUZZ_SEED ?? 18);
const LIMITS = { maxWidth: 4096, maxHeight: 4096, maxPixels: 4_000_000 };

// Stricter than the default (any InputError): this package's file-error family, with a message.
const isClear = (err: unknown) => err instanceof InvalidFileError && err.message.length > 0;
const fuzz = fuzzByReader({ isClear });
/** One malformed input for `reader`: a clear error or a valid result; anything else fails the test. */
const tryInput = (reader: string, fn: () => unknown) => fuzz.runSync(reader, fn);

const damage = damagedBytes;

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
};
// Path pieces that try to leave a folder, plus harmless ones.
const pathString = fc.oneof(
  fc
    .array(fc.constantFrom('..', '.', 'a', 'b.png', 'etc', 'passwd', '', '/', '\\', '%2e%2e', '..\\..'), { minLength: 1, maxLength: 6 })
    .map((s) => s.join('/')),
  fc.string({ maxLength: 10 }),
  fc.constantFrom('/etc/passwd', '../../../../etc/passwd', 'img/0.png', './img/1.png', 'img/../../x.png'),
);

/** RFC 4180 as a plain one-character-at-a-time state machine: the reference parseCsv's fast path must equal. */
function referenceCsv(text: string): string[][] | 'unclosed' {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (quoted) {
      if (ch === '"' && t[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      field = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      if (ch === '\r' && t[i + 1] === '\n') i++;
    } else field += ch;
  }
  if (quoted) return 'unclosed';
  row.push(field);
  if (!(row.length === 1 && row[0] === '')) rows.push(row);
  return rows;
}

describe('fuzz: data readers', () => {
  let memory = 0;
  beforeAll(() => {
    memory = memoryNow();
  });
  afterAll(() => {
    console.log(`[fuzz data, seed ${seed}]\n${fuzz.table()}`);
  });

  it('PNG and JPEG: damaged files and generated header dimensions', () => {
    const png = grayPng(6, 5, scanlines(6, 5));
    const jpeg = readFileSync(join(FIXTURES, 'jpeg/gray.jpg'));
    const accepted = (img: { width: number; height: number; data: Uint8Array }) => {
      expect(img.width * img.height).toBeLessThanOrEqual(LIMITS.maxPixels);
      expect(img.data.length).toBe(img.width * img.height * 4);
    };
    fc.assert(
      fc.property(damage(png), (b) => void tryInput('PNG', () => accepted(decodeImage(b, { limits: LIMITS })))),
      { numRuns: RUNS, seed },
    );
    fc.assert(
      fc.property(damage(jpeg), (b) => void tryInput('JPEG', () => accepted(decodeImage(b, { limits: LIMITS })))),
      { numRuns: RUNS, seed },
    );
    const side = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(30000, 2 ** 31 - 1, 2 ** 32 - 1, 65535));
    fc.assert(
      fc.property(side, side, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), (w, h, rw0, rh0, same) => {
        const [rw, rh] = same ? [w > 40 ? 1 : w, h > 40 ? 1 : h] : [rw0, rh0];
        // The header says w x h; the pixel data holds rw x rh (often not the same).
        tryInput('PNG', () => accepted(decodeImage(grayPng(w, h, scanlines(rw, rh)), { limits: LIMITS })));
      }),
      { numRuns: RUNS, seed },
    );
  });

  it('IDX and gzip: generated headers, lengths and decompression sizes', () => {
    const dir = tempDir('fz-idx');
    const header = fc.tuple(fc.constantFrom(0, 1), fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x42), fc.integer({ min: 0, max: 5 }));
    const dim = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(60000, 2 ** 32 - 1, 2 ** 31));
    fc.assert(
      fc.property(header, fc.array(dim, { maxLength: 5 }), fc.nat(600), fc.boolean(), ([zero, type, ndim], dims, bodyLength, gz) => {
        const head = Buffer.alloc(4 + 4 * dims.length);
        head[1] = zero;
        head[2] = type;
        head[3] = ndim;
        dims.forEach((d, i) => {
          head.writeUInt32BE(d, 4 + 4 * i);
        });
        const bytes = Buffer.concat([head, Buffer.alloc(bodyLength, 3)]);
        tryInput('IDX', () => parseIdx(bytes, 'generated'));
        writeFileSync(join(dir, 'x.gz'), gzipSync(bytes));
        if (gz) tryInput('IDX (gzip)', () => readIdx(join(dir, 'x.gz'), { maxOutputLength: 256 }));
      }),
      { numRuns: RUNS, seed },
    );
    fc.assert(
      fc.property(damage(gzipSync(Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 4]), Buffer.alloc(4, 1)]))), (b) => {
        writeFileSync(join(dir, 'x.gz'), b);
        tryInput('IDX (gzip)', () => readIdx(join(dir, 'x.gz')));
      }),
      { numRuns: RUNS, seed },
    );
    expectOnly(dir, ['x.gz']);
  });

  it('caption CSV / JSONL: generated paths, labels and broken structure', () => {
    const dir = tempDir('fz-cap');
    const label = fc.oneof(fc.nat(50), fc.constantFrom(999999999, 2 ** 53, -1, 1.5), fc.string({ maxLength: 4 }));
    const row = fc.record({ path: pathString, caption: fc.string({ maxLength: 8 }), label });
    const check = (file: string) =>
      tryInput('caption file', () => {
        const index = indexCaptionFile(file);
        for (const e of index.entries) expect(inside(dir, e.path), e.path).toBe(true);
        expect(index.classNames.length).toBeLessThanOrEqual(100_000);
      });
    fc.assert(
      fc.property(fc.array(row, { minLength: 0, maxLength: 6 }), fc.boolean(), fc.string({ maxLength: 12 }), (rows, jsonl, junk) => {
        if (jsonl) {
          writeFileSync(
            join(dir, 'c.jsonl'),
            rows.map((r) => JSON.stringify({ image: r.path, text: r.caption, label: r.label })).join('\n') + (junk ? `\n${junk}` : ''),
          );
          check(join(dir, 'c.jsonl'));
        } else {
          const q = (s: unknown) => `"${String(s).replace(/"/g, '""')}"`;
          writeFileSync(join(dir, 'c.csv'), `path,caption,label\n${rows.map((r) => [q(r.path), q(r.caption), q(r.label)].join(',')).join('\n')}${junk}`);
          check(join(dir, 'c.csv'));
        }
      }),
      { numRuns: RUNS, seed },
    );
    expectOnly(dir, ['c.csv', 'c.jsonl']);
  });

  it('parseCsv equals a character-at-a-time reference on generated text', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ',', '"', '""', '\n', '\r', '\r\n', ' ', '\ufeff'), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const ref = referenceCsv(t);
        if (ref === 'unclosed') expect(() => parseCsv(t)).toThrow(/a quoted field is not closed/);
        else expect(parseCsv(t)).toEqual(ref);
      }),
      { numRuns: 300, seed },
    );
  });

  it('CoOp split files: generated JSON, paths and labels', () => {
    const dir = tempDir('fz-coop');
    const images = join(dir, 'images');
    const item = fc.oneof(
      fc.tuple(pathString, fc.oneof(fc.nat(20), fc.constantFrom(999999999, -1, 0.5)), fc.constantFrom('cat', 'dog', '')),
      fc.anything({ maxDepth: 1 }),
    );
    const split = fc.oneof(fc.dictionary(fc.constantFrom('train', 'val', 'test'), fc.array(item, { maxLength: 5 })), fc.anything({ maxDepth: 2 }));
    fc.assert(
      fc.property(split, (json) => {
        writeFileSync(join(dir, 'split.json'), JSON.stringify(json) ?? 'undefined');
        tryInput('CoOp split file', () => {
          const index = indexCoopSplitFile(join(dir, 'split.json'), images, 'train');
          for (const e of index.entries) expect(inside(images, e.path), e.path).toBe(true);
        });
      }),
      { numRuns: RUNS, seed },
    );
    expectOnly(dir, ['split.json']);
  });

  it('image folders: generated class folder names', () => {
    const dir = tempDir('fz-folder');
    mkdirSync(join(dir, 'root', 'cat'), { recursive: true });
    writeFileSync(join(dir, 'root', 'cat', '0.png'), grayPng(2, 2, scanlines(2, 2)));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', '1.png'), grayPng(2, 2, scanlines(2, 2)));
    fc.assert(
      fc.property(fc.array(fc.oneof(pathString, fc.constantFrom('cat', '../outside', '..')), { minLength: 1, maxLength: 3 }), (folders) => {
        tryInput('image folder', () => {
          const index = indexImageFolder(join(dir, 'root'), { classFolders: folders });
          for (const e of index.entries) expect(inside(join(dir, 'root'), e.path), e.path).toBe(true);
        });
      }),
      { numRuns: RUNS, seed },
    );
  });

  it('memory stayed bounded across the whole suite', () => {
    expectMemoryBounded(memory, 768);
  });
});
