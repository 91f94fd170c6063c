// Issue 18, case 8: benchmark spec files are validated before use; fuzzed with fast-check.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { SpecError } from '@hotplug/bench';
import { describe, expect, it } from 'vitest';
import { readBenchSpec } from '../src/spec';
import { fuzzTally } from '../../../tools/test-support/fuzz';

const specDir = fileURLToPath(new URL('../specs', import.meta.url));
const quick = JSON.parse(readFileSync(join(specDir, 'quick.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'bench-spec-'));
let n = 0;
function write(spec: unknown): string {
  const path = join(dir, `spec-${n++}.json`);
  writeFileSync(path, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return path;
}

describe('bench spec validation (regression)', () => {
  it('accepts the shipped specs', () => {
    for (const f of readdirSync(specDir)) expect(readBenchSpec(join(specDir, f)).experiment.datasets.length).toBeGreaterThan(0);
  });
  it('refuses an adapter name that is a path (it would read outside the adapters folder)', () => {
    for (const adapter of ['../../../../etc', 'a/b', '..', '/etc/passwd']) {
      const path = write({ ...quick, experiment: { ...quick.experiment, systems: [...quick.experiment.systems, { id: 'evil', model: 'new', adapter }] } });
      expect(() => readBenchSpec(path)).toThrow(SpecError);
      expect(() => readBenchSpec(path)).toThrow(/adapter: must be a plain name/);
    }
  });
  it('refuses "datasets": "mnist" instead of reading it as letters', () => {
    const path = write({ ...quick, experiment: { ...quick.experiment, datasets: 'mnist' } });
    expect(() => readBenchSpec(path)).toThrow(SpecError);
    expect(() => readBenchSpec(path)).toThrow(/datasets: Invalid input: expected array, received string/);
  });
  it('refuses "trainImages": "100"', () => {
    expect(() => readBenchSpec(write({ ...quick, data: { trainImages: '100' } }))).toThrow(
      /data\.trainImages: Invalid input: expected number, received string/,
    );
  });
  it("refuses a spec without systems before anything uses it (was: Cannot read properties of undefined (reading 'flatMap'))", () => {
    const { systems: _s, ...experiment } = quick.experiment;
    expect(() => readBenchSpec(write({ ...quick, experiment }))).toThrow(
      /"experiment" is not valid:\n {2}systems: Invalid input: expected array, received undefined/,
    );
  });
  it('refuses unknown sections (a typo would otherwise be ignored)', () => {
    expect(() => readBenchSpec(write({ ...quick, promptTrainig: { steps: 5 } }))).toThrow(/Unrecognized key: "promptTrainig"/);
  });
  it("reads per-learner training overrides and checks their fields as promptTraining's", () => {
    expect(readBenchSpec(write({ ...quick, learnerTraining: { cocoop: { batchSize: 4 } } })).learnerTraining).toEqual({ cocoop: { batchSize: 4 } });
    expect(() => readBenchSpec(write({ ...quick, learnerTraining: { cocoop: { batchSize: 0 } } }))).toThrow(/learnerTraining\.cocoop\.batchSize/);
    expect(() => readBenchSpec(write({ ...quick, learnerTraining: { cocoop: { logFile: 'x' } } }))).toThrow(/Unrecognized key: "logFile"/);
  });
});

// A clear error is any InputError; the line is printed after the suite.
const tally = fuzzTally('bench spec');

function attempt(spec: unknown): void {
  const path = write(spec);
  tally.runSync(() => {
    const s = readBenchSpec(path);
    expect(Array.isArray(s.experiment.datasets) && Array.isArray(s.experiment.systems)).toBe(true);
  });
}

describe('bench spec fuzz', () => {
  const hostile = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('mnist', '100', -1, 1e9, 0.5, null, [], {}, [{}], ['a', 'a']));
  // biome-ignore lint/suspicious/noExplicitAny: the fuzz writes hostile values at arbitrary paths of parsed JSON
  const setters: Array<(s: any, v: unknown) => void> = [
    (s, v) => (s.experiment.datasets = v),
    (s, v) => (s.experiment.seeds = v),
    (s, v) => (s.experiment.systems = v),
    (s, v) => (s.experiment.systems[0].model = v),
    (s, v) => (s.experiment.heads = v),
    (s, v) => (s.experiment.heads[0].options = v),
    (s, v) => (s.experiment.learners[0].shots = v),
    (s, v) => (s.experiment.retrieval = v),
    (s, v) => (s.experiment.comparisons = v),
    (s, v) => (s.experiment.name = v),
    (s, v) => (s.data = v),
    (s, v) => (s.data.trainImages = v),
    (s, v) => (s.promptTraining = v),
    (s, v) => (s.promptTraining.lr = v),
    (s, v) => (s.experiment = v),
  ];
  it('a field replaced by an arbitrary or hostile value', () => {
    fc.assert(
      fc.property(fc.nat(setters.length - 1), hostile, (i, v) => {
        const spec = structuredClone(quick);
        setters[i]!(spec, v);
        attempt(spec);
      }),
      { numRuns: 250, seed: 18 },
    );
  });
  it('arbitrary text as the file', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => attempt(text)),
      { numRuns: 50, seed: 18 },
    );
  });
});
