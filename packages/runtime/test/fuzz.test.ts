// Property-based fuzzing of the command-line helpers and the JSONL reader: any argv either parses to a
// finite in-range number or throws CliArgumentError; any file content reads without throwing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CliArgumentError, joinNegativeValues, numberOption, readJsonLines } from '../src/index';
import { fuzzTally } from '../../../tools/test-support/fuzz';

// The JSONL reader never throws; its line counts what it skipped, not outcomes.
const jsonl = { tried: 0, skipped: 0 };
afterAll(() => console.log(`fuzz[JSONL log]: ${jsonl.tried} files tried, ${jsonl.skipped} torn/corrupt lines skipped with a warning, 0 crashes`));
// Registered after the JSONL line's hook, so (hooks run last-first) it prints first, as before.
// A clear error here is this package's own CliArgumentError (numberOption), or parseArgs' coded error below.
const cli = fuzzTally('CLI number options', { isClear: (err) => err instanceof CliArgumentError, acceptedMeans: 'in range' });

describe('CLI helpers fuzz', () => {
  const options = { lr: { type: 'string' }, quick: { type: 'boolean' } } as const;
  it('--lr with any value: in-range number or CliArgumentError', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.double().map(String),
      fc.integer().map(String),
      fc.constantFrom('-1', '-1e-3', '-.5', '1e400', '0x1f', ''),
    );
    fc.assert(
      fc.property(value, fc.boolean(), (v, joined) => {
        let parsed: string | undefined;
        try {
          parsed = parseArgs({ args: joinNegativeValues(joined ? [`--lr=${v}`] : ['--lr', v], options), options }).values.lr;
        } catch (err) {
          // A value like "--x" is an option to parseArgs: its own coded error.
          expect(String((err as { code?: string }).code)).toMatch(/^ERR_PARSE_ARGS/);
          cli.record('clear error');
          return;
        }
        cli.runSync(() => {
          const n = numberOption('lr', parsed, { min: 0, exclusiveMin: true, max: 10 });
          expect(Number.isFinite(n) && n! > 0 && n! <= 10).toBe(true);
        });
      }),
      { numRuns: 400, seed: 18 },
    );
  });
});

describe('JSONL reader fuzz', () => {
  it('reads any content: valid lines kept, the rest skipped with a warning, the file untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-fuzz-'));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string({ maxLength: 30 }),
          ),
          { maxLength: 20 },
        ),
        (lines) => {
          jsonl.tried++;
          const path = join(dir, 'm.jsonl');
          const text = lines.join('\n');
          writeFileSync(path, text);
          let warnings = 0;
          const { rows, skipped } = readJsonLines(path, () => warnings++);
          expect(warnings).toBe(skipped);
          expect(rows.length + skipped).toBe(text.split('\n').filter((l) => l.trim()).length);
          jsonl.skipped += skipped;
          expect(readFileSync(path, 'utf8')).toBe(text);
        },
      ),
      { numRuns: 200, seed: 18 },
    );
  });
});
