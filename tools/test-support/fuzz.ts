// The one fuzz-outcome harness every package's fuzz tests share: each generated input ends as
// accepted, a clear (named) error, or "other" — and "other" fails the test. Counts are printed
// after the suite; helpers check that memory stayed bounded and that a reader wrote nothing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@hotplug/runtime';
import fc from 'fast-check';
import { afterAll, expect } from 'vitest';

export type Outcome = 'accepted' | 'clear error' | 'other';
export interface FuzzCounts {
  tried: number;
  clear: number;
  accepted: number;
  other: number;
}

export interface FuzzTallyOptions {
  /** Which thrown values count as a clear error; default: an InputError from @hotplug/runtime. */
  isClear?: (err: unknown) => boolean;
  /** What one attempt is called in the printed line ("inputs", "calls", "files"). */
  unit?: string;
  /** What "accepted" means here, printed in brackets ("still valid", "in range"). */
  acceptedMeans?: string;
  /** Print the line after the suite (registers a vitest afterAll); default true. */
  print?: boolean;
}

export interface FuzzTally {
  readonly reader: string;
  readonly counts: FuzzCounts;
  /**
   * Runs one attempt (sync or async); throws, failing the test, when the outcome is "other".
   * `isClear` replaces the tally's criterion for this attempt (one that depends on the input).
   */
  run(fn: () => unknown, isClear?: (err: unknown) => boolean): Promise<Outcome>;
  /** The same for a synchronous `fn`, for synchronous fast-check properties. */
  runSync(fn: () => unknown, isClear?: (err: unknown) => boolean): Outcome;
  /** Counts an attempt whose outcome the test decided itself (e.g. a third-party coded error). */
  record(outcome: Outcome): void;
  /** `fuzz[reader]: N inputs tried, C clear errors, A accepted (…), O other outcomes`. */
  line(): string;
}

export const isInputError = (err: unknown): boolean => err instanceof InputError;

const describeError = (err: unknown) => `${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`;

export function fuzzTally(reader: string, options: FuzzTallyOptions = {}): FuzzTally {
  const { isClear = isInputError, unit = 'inputs', acceptedMeans = 'still valid', print = true } = options;
  const counts: FuzzCounts = { tried: 0, clear: 0, accepted: 0, other: 0 };
  const record = (outcome: Outcome) => {
    counts.tried++;
    if (outcome === 'accepted') counts.accepted++;
    else if (outcome === 'clear error') counts.clear++;
    else counts.other++;
  };
  const failed = (err: unknown, clear = isClear): Outcome => {
    if (clear(err)) {
      record('clear error');
      return 'clear error';
    }
    record('other');
    throw new Error(`${reader}: not a named error: ${describeError(err)}`, { cause: err });
  };
  const tally: FuzzTally = {
    reader,
    counts,
    async run(fn, clear) {
      try {
        await fn();
      } catch (err) {
        return failed(err, clear);
      }
      record('accepted');
      return 'accepted';
    },
    runSync(fn, clear) {
      try {
        fn();
      } catch (err) {
        return failed(err, clear);
      }
      record('accepted');
      return 'accepted';
    },
    record,
    line: () =>
      `fuzz[${reader}]: ${counts.tried} ${unit} tried, ${counts.clear} clear errors, ${counts.accepted} accepted (${acceptedMeans}), ${counts.other} other outcomes`,
  };
  if (print) afterAll(() => console.log(tally.line()));
  return tally;
}

export interface FuzzByReader {
  /** One attempt for `reader` (its tally is made on first use, sharing the group's options). */
  run(reader: string, fn: () => unknown): Promise<Outcome>;
  runSync(reader: string, fn: () => unknown): Outcome;
  /** The readers' counts as one table, in the order they were first tried. */
  table(): string;
}

/** Tallies for a package's several readers, printed together as a table by the caller (print is off). */
export function fuzzByReader(options: Omit<FuzzTallyOptions, 'print'> = {}): FuzzByReader {
  const tallies = new Map<string, FuzzTally>();
  const of = (reader: string) => {
    if (!tallies.has(reader)) tallies.set(reader, fuzzTally(reader, { ...options, print: false }));
    return tallies.get(reader)!;
  };
  return {
    run: (reader, fn) => of(reader).run(fn),
    runSync: (reader, fn) => of(reader).runSync(fn),
    table: () => summaryTable([...tallies.values()]),
  };
}

/** Several readers as one table: reader | tried | clear error | accepted | other. */
export function summaryTable(tallies: readonly FuzzTally[]): string {
  const lines = ['reader | tried | clear error | accepted | other'];
  for (const { reader, counts: c } of tallies) lines.push(`${reader} | ${c.tried} | ${c.clear} | ${c.accepted} | ${c.other}`);
  return lines.join('\n');
}

export interface MemoryOptions {
  /** Add process.memoryUsage().arrayBuffers to rss (buffers outside the heap); default true. */
  arrayBuffers?: boolean;
}

/** Resident memory in bytes, plus array buffers unless asked not to. */
export function memoryNow({ arrayBuffers = true }: MemoryOptions = {}): number {
  const m = process.memoryUsage();
  return arrayBuffers ? m.rss + m.arrayBuffers : m.rss;
}

/** Growth since `before` (taken by memoryNow with the same options) stays under `mb` megabytes. */
export function expectMemoryBounded(before: number, mb: number, options: MemoryOptions = {}): void {
  expect((memoryNow(options) - before) / 2 ** 20).toBeLessThan(mb);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A file's sha256, or a folder's files (sorted) each with theirs: equal fingerprints mean nothing was written. */
export function fingerprint(path: string): string {
  if (statSync(path).isFile()) return sha256(path);
  return readdirSync(path)
    .sort()
    .map((f) => `${f}:${sha256(join(path, f))}`)
    .join('|');
}

/** `fingerprint` of a folder, by its usual name. */
export const folderFingerprint = fingerprint;

/** The file or folder fingerprinted as `before` is byte for byte as it was. */
export function expectUnchanged(path: string, before: string): void {
  expect(fingerprint(path)).toBe(before);
}

/** The folder holds exactly these names (a reader wrote no file beside them). */
export function expectOnly(dir: string, names: readonly string[]): void {
  expect(readdirSync(dir).sort()).toEqual([...names].sort());
}

/** The error `fn` throws; fails when it throws nothing (for checking a regression's message). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** The error `p` rejects with; fails when it resolves. */
export async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Byte-level damage to a valid file: a few bytes overwritten, a truncation, or junk appended. */
export function damagedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const b = Uint8Array.from(valid);
      for (const [i, v] of flips) b[i] = v;
      return b;
    }),
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => Uint8Array.from([...valid, ...junk])),
  );
}
