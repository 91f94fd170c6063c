// The shared fuzz harness itself: outcomes are classified and counted, "other" fails the attempt,
// and the memory / written-files checks notice what they are for.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@hotplug/runtime';
import { describe, expect, it } from 'vitest';
import {
  expectMemoryBounded,
  expectOnly,
  expectUnchanged,
  fingerprint,
  fuzzByReader,
  fuzzTally,
  memoryNow,
  rejected,
  summaryTable,
  thrown,
} from '../test-support/fuzz';

describe('fuzzTally', () => {
  it('counts accepted and InputError (the default criterion) and fails on any other throw', async () => {
    const t = fuzzTally('reader', { print: false });
    expect(t.runSync(() => 1)).toBe('accepted');
    expect(
      t.runSync(() => {
        throw new InputError('bad field: use a number');
      }),
    ).toBe('clear error');
    expect(
      await t.run(async () => {
        throw new InputError('bad');
      }),
    ).toBe('clear error');
    expect(await t.run(async () => {})).toBe('accepted');
    expect(() =>
      t.runSync(() => {
        throw new TypeError('x is undefined');
      }),
    ).toThrow(/reader: not a named error: TypeError: x is undefined/);
    await expect(
      t.run(async () => {
        throw new RangeError('r');
      }),
    ).rejects.toThrow(/not a named error: RangeError/);
    expect(t.counts).toEqual({ tried: 6, clear: 2, accepted: 2, other: 2 });
    expect(t.line()).toBe('fuzz[reader]: 6 inputs tried, 2 clear errors, 2 accepted (still valid), 2 other outcomes');
  });

  it('takes a stricter criterion, per tally or per attempt, and prints one table for several readers', () => {
    const t = fuzzTally('strict', {
      isClear: (e) => e instanceof InputError && (e as Error).message.length > 0,
      unit: 'calls',
      acceptedMeans: 'in range',
      print: false,
    });
    expect(() =>
      t.runSync(() => {
        throw new InputError('');
      }),
    ).toThrow(/not a named error/);
    expect(
      t.runSync(
        () => {
          throw new RangeError('f: n must be >= 0');
        },
        (e) => e instanceof RangeError,
      ),
    ).toBe('clear error');
    t.record('accepted');
    expect(t.line()).toBe('fuzz[strict]: 3 calls tried, 1 clear errors, 1 accepted (in range), 1 other outcomes');
    expect(summaryTable([t])).toBe('reader | tried | clear error | accepted | other\nstrict | 3 | 1 | 1 | 1');
  });
});

describe('fuzzByReader, thrown, rejected', () => {
  it('keeps one tally per reader, in first-use order, as one table', async () => {
    const fuzz = fuzzByReader({ isClear: (e) => e instanceof RangeError });
    fuzz.runSync('b', () => {
      throw new RangeError('r');
    });
    await fuzz.run('a', async () => 1);
    fuzz.runSync('b', () => 2);
    expect(() =>
      fuzz.runSync('a', () => {
        throw new InputError('not this criterion');
      }),
    ).toThrow(/a: not a named error: InputError/);
    expect(fuzz.table()).toBe('reader | tried | clear error | accepted | other\nb | 2 | 1 | 1 | 0\na | 2 | 0 | 1 | 1');
  });

  it('thrown / rejected return the error, and fail when there is none', async () => {
    expect(
      thrown(() => {
        throw new InputError('m');
      }).message,
    ).toBe('m');
    expect(() => thrown(() => 1)).toThrow('expected an error');
    expect((await rejected(Promise.reject(new RangeError('n')))).message).toBe('n');
    await expect(rejected(Promise.resolve(1))).rejects.toThrow('expected a rejection');
  });
});

describe('memory and written-files checks', () => {
  it('a bound that growth exceeds fails; one it stays under passes', () => {
    const before = memoryNow();
    const held = Buffer.alloc(64 * 2 ** 20, 1);
    expect(() => expectMemoryBounded(before, 16)).toThrow();
    expectMemoryBounded(before, 4096);
    expect(held[0]).toBe(1);
  });

  it('notices a changed byte, an added file, and a changed single file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-support-'));
    writeFileSync(join(dir, 'a.json'), '{"x":1}');
    const before = fingerprint(dir);
    const file = fingerprint(join(dir, 'a.json'));
    expectUnchanged(dir, before);
    expectOnly(dir, ['a.json']);
    writeFileSync(join(dir, 'a.json'), '{"x":2}');
    expect(() => expectUnchanged(dir, before)).toThrow();
    expect(() => expectUnchanged(join(dir, 'a.json'), file)).toThrow();
    writeFileSync(join(dir, 'a.json'), '{"x":1}');
    expectUnchanged(dir, before);
    writeFileSync(join(dir, 'b.tmp'), '');
    expect(() => expectUnchanged(dir, before)).toThrow();
    expect(() => expectOnly(dir, ['a.json'])).toThrow();
  });
});
