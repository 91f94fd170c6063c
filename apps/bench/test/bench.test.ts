import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { embeddedAdaptersRoot } from '@hotplug/models';
import { readBenchSpec, type BenchSpec } from '../src/spec';
import { runBenchmark } from '../src/run';

// The quick spec, trimmed further so the end-to-end run stays short in CI.
function testSpec(): BenchSpec {
  const spec = readBenchSpec(join(__dirname, '..', 'specs', 'quick.json'));
  spec.experiment.datasets = ['fashion-mnist'];
  spec.data = { trainImages: 400, testImages: 200 };
  spec.promptTraining = { ...spec.promptTraining, steps: 10 };
  return spec;
}

describe('hotplug-bench end to end on the embedded pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-bench-app-'));
  const options = { adaptersRoot: embeddedAdaptersRoot(), outDir: join(dir, 'out'), cacheDir: join(dir, 'cache'), progress: false as const };

  beforeAll(async () => {
    await initBackend();
  });

  it('runs the quick grid and writes JSON, Markdown and HTML reports with every figure', async () => {
    const spec = testSpec();
    const { report, paths } = await runBenchmark(spec, options);
    for (const p of Object.values(paths)) expect(existsSync(p)).toBe(true);
    const json = JSON.parse(readFileSync(paths.json, 'utf8'));
    expect(json.cells.length).toBe(report.cells.length);
    // Every system pair of every head, retrieval and the zero-shot learner; prompt learners only among the three models.
    const systems = spec.experiment.systems.length;
    const headCells = report.cells.filter((c) => c.task === 'head');
    expect(headCells.length).toBe(2 * systems * systems);
    const promptCells = report.cells.filter((c) => c.task === 'learner' && c.method !== 'zero-shot');
    const models = ['old', 'new', 'new-lineage'];
    expect(promptCells.every((c) => models.includes(c.query) && models.includes(c.reference))).toBe(true);
    // Pair A's new model has another token width: old prompts cannot run on it (n/a, with the reason), on pair B they can.
    const coopOn = (q: string) => promptCells.filter((c) => c.method === 'coop' && c.reference === 'old' && c.query === q);
    expect(coopOn('new').every((c) => c.status !== 'ok')).toBe(true);
    expect(coopOn('new-lineage').some((c) => c.status === 'ok')).toBe(true);
    // Every figure is a fraction (accuracy, top-k, mAP): a percentage or a NaN here is a bug.
    for (const c of report.cells.filter((c) => c.status === 'ok')) {
      for (const v of Object.values(c.metrics)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    // The old model's own head works: well above chance (10 %) on Fashion-MNIST canvases (22.5 % with these 400 train images; the card: 52.8 % with 2,000).
    const oldOld = headCells.find((c) => c.method === 'linear' && c.query === 'old' && c.reference === 'old')!;
    expect(oldOld.metrics.accuracy!).toBeGreaterThan(0.18);
    // The post-hoc Procrustes map (fitted on train images only) carries the old head over to the new model far
    // better than raw new features, which the old head cannot read at all.
    const oldHeadOn = (query: string) => headCells.find((c) => c.method === 'linear' && c.query === query && c.reference === 'old')!;
    expect(oldHeadOn('new+procrustes').status).toBe('ok');
    // Where bare new features do not fit the old head at all (another width), that head can only guess: chance.
    const chance = 1 / 10; // Fashion-MNIST classes
    const bare = oldHeadOn('new');
    const bareAccuracy = bare.status === 'ok' ? bare.metrics.accuracy! : chance;
    expect(oldHeadOn('new+procrustes').metrics.accuracy!).toBeGreaterThan(bareAccuracy + 0.05);
    // TaCA's adapter gives the old head 64-dim features it can read. Whether that beats old is the benchmark's finding
    // (on the shipped scene-trained pair it does not: the verdict is "not compatible"), so the test checks the verdict
    // follows its interval, not a claim.
    const taca = oldHeadOn('new+taca-symmetric');
    expect(taca.status).toBe('ok');
    const tacaVerdict = report.verdicts.find((v) => v.method === 'linear' && v.upgraded === 'new+taca-symmetric')!;
    const { interval, verdict } = tacaVerdict.verdict;
    expect(interval!.low).toBeLessThanOrEqual(interval!.high);
    expect(verdict).toBe(interval!.low > 0 ? 'compatible' : interval!.high < 0 ? 'not compatible' : 'inconclusive');
    expect(tacaVerdict.upgradedOld!).toBeCloseTo(taca.metrics.accuracy!, 6);
    expect(report.verdicts.length).toBeGreaterThan(0);
    const md = readFileSync(paths.markdown, 'utf8');
    expect(md).toContain('## Verdicts');
    expect(readFileSync(paths.html, 'utf8')).toContain('<svg');
  }, 600_000);

  it('computes nothing the second time: features, heads and learners all come from the cache', async () => {
    const { report } = await runBenchmark(testSpec(), options);
    expect(report.stats.featuresExtracted).toBe(0);
    expect(report.stats.headsTrained).toBe(0);
    expect(report.stats.learnersTrained).toBe(0);
    expect(report.stats.cellsCached).toBe(report.cells.length);
  }, 300_000);
});
