// Issue 18, case 6 (heads): corrupt head stores and out-of-range kNN labels are refused, heads record the
// embedding space they were trained on; plus property-based fuzzing of head.json / weights.bin.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { IdentityMismatchError, sha256 } from '@hotplug/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHead, HeadStoreError, loadHead } from '../src/index';
import { expectMemoryBounded, expectUnchanged, folderFingerprint, fuzzTally, memoryNow } from '../../../tools/test-support/fuzz';

const OLD = { fingerprint: 'e07488d30ae5f64c', name: 'hotplug-old' };
const NEW = { fingerprint: '2ee3cc4436f1dbf7', name: 'hotplug-new' };
const gallery = [
  [1, 0],
  [0.8, 0.6],
  [0.6, 0.8],
  [0, 1],
  [-1, 0],
];
const labels = [0, 1, 1, 0, 2];
const dirs: Record<string, string> = {};

beforeAll(async () => {
  for (const kind of ['knn', 'linear', 'mlp'] as const) {
    const head = createHead(kind, kind === 'knn' ? { k: 3 } : { epochs: 2, ...(kind === 'mlp' ? { hidden: [3] } : {}) });
    await head.fit(gallery, labels, { space: OLD });
    dirs[kind] = mkdtempSync(join(tmpdir(), `heads-${kind}-`));
    head.save(dirs[kind]!);
  }
});

/** A copy of a saved head with head.json edited (and, if asked, weights replaced with a matching checksum). */
// biome-ignore lint/suspicious/noExplicitAny: callers write wrong values at arbitrary paths of parsed JSON
function variant(kind: string, edit: (m: any) => void, weights?: (w: Buffer) => Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'heads-bad-'));
  const m = JSON.parse(readFileSync(join(dirs[kind]!, 'head.json'), 'utf8'));
  let w: Buffer = readFileSync(join(dirs[kind]!, 'weights.bin'));
  if (weights) {
    w = weights(Buffer.from(w));
    m.weightsSha256 = sha256(w);
  }
  edit(m);
  writeFileSync(join(dir, 'weights.bin'), w);
  writeFileSync(join(dir, 'head.json'), typeof m === 'string' ? m : JSON.stringify(m));
  return dir;
}

describe('head stores (regression)', () => {
  it('refuses a negative offset', () => {
    const dir = variant('knn', (m) => (m.arrays[1].offset = -4));
    expect(() => loadHead(dir)).toThrow(HeadStoreError);
    expect(() => loadHead(dir)).toThrow(/arrays\[1\]\.offset: Too small: expected number to be >=0/);
  });
  it('refuses a fractional offset', () => {
    const dir = variant('knn', (m) => (m.arrays[1].offset = 2.5));
    expect(() => loadHead(dir)).toThrow(/arrays\[1\]\.offset: Invalid input: expected int, received number/);
  });
  it('refuses a float64 array (it would be read as float32)', () => {
    const dir = variant('linear', (m) => (m.arrays[0].dtype = 'float64'));
    expect(() => loadHead(dir)).toThrow(/arrays\[0\]\.dtype: Invalid option: expected one of "float32"\|"int32"/);
  });
  it('refuses a byteLength that disagrees with the shape, and overlapping arrays', () => {
    expect(() => loadHead(variant('linear', (m) => (m.arrays[0].byteLength += 4)))).toThrow(/byteLength/);
    expect(() => loadHead(variant('linear', (m) => (m.arrays[1].offset = 0)))).toThrow(/overlaps the array before it/);
  });
  it('refuses kNN labels out of range instead of voting into another row', () => {
    // labels are the int32 array after the 5x2 float32 gallery (offset 40): set row 2 to 7, checksum kept valid.
    const dir = variant(
      'knn',
      () => {},
      (w) => {
        w.writeInt32LE(7, 40 + 2 * 4);
        return w;
      },
    );
    expect(() => loadHead(dir)).toThrow(/label 7 \(row 2\) is outside \[0, 3\)/);
    const neg = variant(
      'knn',
      () => {},
      (w) => {
        w.writeInt32LE(-1, 40);
        return w;
      },
    );
    expect(() => loadHead(neg)).toThrow(/label -1 \(row 0\) is outside \[0, 3\)/);
  });
  it('refuses a declared dimension of 1e9 before allocating', () => {
    expect(() => loadHead(variant('knn', (m) => (m.config.info.dim = 1e9)))).toThrow(/info\.dim: Too big/);
  });
});

describe('head identity', () => {
  it('records the space it was trained on and refuses another, naming both, unless forced', () => {
    expect(loadHead(dirs.knn!, { space: OLD }).info!.space).toEqual(OLD);
    let err: unknown;
    try {
      loadHead(dirs.linear!, { space: NEW });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IdentityMismatchError);
    expect((err as Error).message).toContain(
      'was trained on embedding space "hotplug-old" (fingerprint e07488d30ae5f64c), but is being loaded into "hotplug-new" (fingerprint 2ee3cc4436f1dbf7)',
    );
    const warnings: string[] = [];
    loadHead(dirs.linear!, { space: NEW, force: true, warn: (w) => warnings.push(w) });
    expect(warnings[0]).toContain('(forced)');
  });
});

// A clear error is any InputError; the line is printed after the suite.
const tally = fuzzTally('head store');

function attempt(dir: string): void {
  const before = folderFingerprint(dir);
  const rss = memoryNow({ arrayBuffers: false });
  tally.runSync(() => {
    const head = loadHead(dir);
    // Whatever loads must score without writing outside its rows.
    const s = head.scores([[1, 0]]);
    expect(s.data.every(Number.isFinite)).toBe(true);
  });
  expectMemoryBounded(rss, 256, { arrayBuffers: false });
  expectUnchanged(dir, before);
}

describe('head store fuzz', () => {
  const hostile = fc.oneof(fc.jsonValue(), fc.constantFrom(-1, 2.5, 1e9, 2 ** 53, '4', 'float64', null, [], {}, [1e9, 1e9]));
  it('head.json fields replaced by arbitrary values (checksum kept valid)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the fuzz writes hostile values at arbitrary paths of parsed JSON
    const paths: Array<(m: any, v: unknown) => void> = [
      (m, v) => (m.arrays[0].offset = v),
      (m, v) => (m.arrays[0].byteLength = v),
      (m, v) => (m.arrays[0].shape = v),
      (m, v) => (m.arrays[0].dtype = v),
      (m, v) => (m.arrays[1].shape = [v]),
      (m, v) => (m.config.info.dim = v),
      (m, v) => (m.config.info.numClasses = v),
      (m, v) => (m.config.options = v),
      (m, v) => (m.kind = v),
      (m, v) => (m.arrays = v),
      (m, v) => (m.config.info.space = v),
      (m, v) => (m.config = v),
      (m, v) => (m.format = v),
    ];
    fc.assert(
      fc.property(fc.constantFrom('knn', 'linear', 'mlp'), fc.nat(paths.length - 1), hostile, (kind, i, v) => {
        attempt(variant(kind, (m) => paths[i]!(m, v)));
      }),
      { numRuns: 250, seed: 18 },
    );
  });
  it('weights.bin bytes flipped or truncated (checksum kept valid), and random head.json text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('knn', 'linear', 'mlp'),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(64),
        (kind, flips, cut) => {
          attempt(
            variant(
              kind,
              () => {},
              (w) => {
                for (const [at, byte] of flips) w[at % w.length] = byte;
                return cut % 3 === 0 ? w.subarray(0, Math.max(0, w.length - cut)) : w;
              },
            ),
          );
        },
      ),
      { numRuns: 120, seed: 18 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const dir = variant('knn', () => {});
        writeFileSync(join(dir, 'head.json'), text);
        attempt(dir);
      }),
      { numRuns: 40, seed: 18 },
    );
  });
});
