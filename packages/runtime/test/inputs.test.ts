import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CliArgumentError,
  IdentityMismatchError,
  InputError,
  InvalidFileError,
  describeIssues,
  SchemaError,
  checkIdentity,
  weightsFingerprint,
  joinNegativeValues,
  numberOption,
  readJsonLines,
  removeOrphanedTempFiles,
  validate,
  writeJsonAtomic,
} from '../src/index';

describe('atomic writer housekeeping', () => {
  it('removes temporary files of dead writers on the next write to the folder, keeps live ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-orphans-'));
    // pid 2^22+7 is above Linux's pid_max default range: no such process.
    const dead = `.a.json.${4194311}.deadbeef.tmp`;
    const live = `.b.json.${process.pid}.cafef00d.tmp`;
    const other = 'notes.tmp';
    for (const f of [dead, live, other]) writeFileSync(join(dir, f), 'x');
    writeJsonAtomic(join(dir, 'c.json'), { c: 1 });
    expect(readdirSync(dir).sort()).toEqual([live, 'c.json', other].sort());
  });

  it('removes a stale temporary file even when its pid is alive again (pid reuse)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-orphans-'));
    const stale = `.a.json.1.00000000.tmp`; // pid 1 is always alive
    writeFileSync(join(dir, stale), 'x');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, stale), old, old);
    expect(removeOrphanedTempFiles(dir)).toEqual([stale]);
  });
});

describe('joinNegativeValues + numberOption', () => {
  const options = { lr: { type: 'string' }, quick: { type: 'boolean' } } as const;
  it('lets `--lr -1` through parseArgs, then refuses it by range', () => {
    expect(() => parseArgs({ args: ['--lr', '-1'], options })).toThrow(/ambiguous/);
    const { values } = parseArgs({ args: joinNegativeValues(['--lr', '-1', '--quick'], options), options });
    expect(values.lr).toBe('-1');
    expect(() => numberOption('lr', values.lr, { min: 0, exclusiveMin: true })).toThrow(CliArgumentError);
    expect(() => numberOption('lr', values.lr, { min: 0, exclusiveMin: true })).toThrow('--lr must be a number > 0, got "-1"');
  });
  it('leaves flags, `--x=v` and values after `--` alone', () => {
    expect(joinNegativeValues(['--quick', '-1', '--lr=-2', '--', '--lr', '-3'], options)).toEqual(['--quick', '-1', '--lr=-2', '--', '--lr', '-3']);
  });
  it('accepts in-range numbers and refuses text, blanks, fractions for integers', () => {
    expect(numberOption('lr', '1e-3', { min: 0, exclusiveMin: true })).toBe(0.001);
    expect(numberOption('lr', undefined)).toBeUndefined();
    for (const bad of ['abc', '', ' ', 'NaN', 'Infinity']) expect(() => numberOption('lr', bad)).toThrow(CliArgumentError);
    expect(() => numberOption('steps', '2.5', { integer: true, min: 1 })).toThrow('--steps must be an integer >= 1, got "2.5"');
  });
});

describe('validate', () => {
  it('names the source, each wrong field and the fix, as a SchemaError (an InputError)', () => {
    const schema = z.strictObject({ step: z.number().int(), names: z.array(z.string()) });
    let err: unknown;
    try {
      validate(schema, { step: '3', names: 'ab' }, 'run/checkpoint.json', 'delete the folder');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaError);
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).toContain('run/checkpoint.json is not valid');
    expect(message).toMatch(/step: .*number/);
    expect(message).toMatch(/names: .*array/);
    expect(message).toContain('delete the folder');
    expect((err as SchemaError).field).toBe('step');
  });
});

describe('readJsonLines', () => {
  it('skips a torn last line with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotplug-jsonl-'));
    const path = join(dir, 'm.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":2}\n{"st');
    const warnings: string[] = [];
    const { rows, skipped } = readJsonLines(path, (w) => warnings.push(w));
    expect(rows).toEqual([{ step: 1 }, { step: 2 }]);
    expect(skipped).toBe(1);
    expect(warnings[0]).toContain('line 3');
    expect(warnings[0]).toContain('torn last line');
    expect(readFileSync(path, 'utf8')).toContain('{"st'); // reading never rewrites
  });
});

describe('identity', () => {
  const t = (values: number[]) => ({ shape: [values.length], dataSync: () => new Float32Array(values) });
  it('fingerprints weights by name, shape and value, independent of order', () => {
    const a = weightsFingerprint([
      ['x', t([1, 2])],
      ['y', t([3])],
    ]);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(
      weightsFingerprint([
        ['y', t([3])],
        ['x', t([1, 2])],
      ]),
    ).toBe(a);
    expect(
      weightsFingerprint([
        ['x', t([1, 2.0001])],
        ['y', t([3])],
      ]),
    ).not.toBe(a);
    expect(
      weightsFingerprint([
        ['z', t([1, 2])],
        ['y', t([3])],
      ]),
    ).not.toBe(a);
  });
  it('refuses another model naming both, unless forced; warns for a legacy artefact', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(() =>
      checkIdentity('the adapter', 'a/adapter.json', { fingerprint: 'aaaa', name: 'new' }, { fingerprint: 'bbbb', name: 'other' }, { warn }),
    ).toThrow(IdentityMismatchError);
    expect(() => checkIdentity('the adapter', 'a/adapter.json', { fingerprint: 'aaaa', name: 'new' }, { fingerprint: 'bbbb', name: 'other' })).toThrow(
      /trained on model "new" \(fingerprint aaaa\), but is being loaded into "other" \(fingerprint bbbb\)/,
    );
    checkIdentity('the adapter', 'a/adapter.json', { fingerprint: 'aaaa' }, { fingerprint: 'bbbb' }, { force: true, warn });
    checkIdentity('the adapter', 'a/adapter.json', undefined, { fingerprint: 'bbbb' }, { warn });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('records no model fingerprint');
  });
});

describe('InvalidFileError', () => {
  it('is an InputError naming the file, the field, what was expected and the fix', () => {
    class DemoFileError extends InvalidFileError {}
    const err = new DemoFileError({ file: 'a.bin', field: 'header.size', problem: 'is 7', expected: 'a multiple of 4', fix: 'regenerate the file' });
    expect(err).toBeInstanceOf(InputError);
    expect(err.name).toBe('DemoFileError');
    expect(err.message).toBe('a.bin (header.size): is 7; expected a multiple of 4. regenerate the file');
    expect([err.file, err.source, err.field, err.problem]).toEqual(['a.bin', 'a.bin', 'header.size', 'is 7']);
  });

  it('describes zod issues as dotted paths, at most the first few', () => {
    const issues = Array.from({ length: 10 }, (_, i) => ({ path: ['arrays', i, 'offset'], message: 'Too small' }));
    const text = describeIssues(issues, 2);
    expect(text).toBe('arrays.0.offset: Too small; arrays.1.offset: Too small; ... and 8 more');
    expect(describeIssues([{ path: [], message: 'Expected object' }])).toBe('(top level): Expected object');
  });
});
