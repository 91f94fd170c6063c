// Property-based fuzzing of the command-line helpers and the JSONL reader: any argv either parses to a
// finite in-range number or throws CliArgumentError; any file content reads without throwing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CliArgumentError, joinNegativeValues, numberOption, readJsonLines } from '../src/index';

const tally = { cli: { tried: 0, clear: 0, accepted: 0, other: 0 }, jsonl: { tried: 0, lines: 0, skipped: 0 } };
afterAll(() => {
  const c = tally.cli;
  console.log(`fuzz[CLI number options]: ${c.tried} inputs tried, ${c.clear} clear errors, ${c.accepted} accepted (in range), ${c.other} other outcomes`);
  console.log(`fuzz[JSONL log]: ${tally.jsonl.tried} files tried, ${tally.jsonl.skipped} torn/corrupt lines skipped with a warning, 0 crashes`);
});

describe('CLI helpers fuzz', () => {
  const options = { lr: { type: 'string' }, quick: { type: 'boolean' } } as const;
  it('--lr with any value: in-range number or CliArgumentError', () => {
    const value = fc.oneof(fc.string({ maxLength: 10 }), fc.double().map(String), fc.integer().map(String), fc.constantFrom('-1', '-1e-3', '-.5', '1e400', '0x1f', ''));
    fc.assert(
      fc.property(value, fc.boolean(), (v, joined) => {
        tally.cli.tried++;
        let parsed: string | undefined;
        try {
          parsed = parseArgs({ args: joinNegativeValues(joined ? [`--lr=${v}`] : ['--lr', v], options), options }).values.lr;
        } catch (err) {
          // A value like "--x" is an option to parseArgs: its own coded error.
          expect(String((err as { code?: string }).code)).toMatch(/^ERR_PARSE_ARGS/);
          tally.cli.clear++;
          return;
        }
        try {
          const n = numberOption('lr', parsed, { min: 0, exclusiveMin: true, max: 10 });
          expect(Number.isFinite(n) && n! > 0 && n! <= 10).toBe(true);
          tally.cli.accepted++;
        } catch (err) {
          if (!(err instanceof CliArgumentError)) {
            tally.cli.other++;
            throw err;
          }
          tally.cli.clear++;
        }
      }),
      { numRuns: 400, seed: 18 },
    );
  });
});

describe('JSONL reader fuzz', () => {
  it('reads any content: valid lines kept, the rest skipped with a warning, the file untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-fuzz-'));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 30 })), { maxLength: 20 }), (lines) => {
        tally.jsonl.tried++;
        const path = join(dir, 'm.jsonl');
        const text = lines.join('\n');
        writeFileSync(path, text);
        let warnings = 0;
        const { rows, skipped } = readJsonLines(path, () => warnings++);
        expect(warnings).toBe(skipped);
        expect(rows.length + skipped).toBe(text.split('\n').filter((l) => l.trim()).length);
        tally.jsonl.skipped += skipped;
        expect(readFileSync(path, 'utf8')).toBe(text);
      }),
      { numRuns: 200, seed: 18 },
    );
  });
});
