import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  htmlReport,
  marginWithInterval,
  markdownReport,
  runExperiment,
  stat,
  verdictSummaries,
  writeJsonReport,
  writeMarkdownReport,
  type ExperimentReport,
} from '../src/index';
import { smallSpec } from './spec-fixture';
import { world } from './world';

describe('summaries', () => {
  it('mean and sample standard deviation, ignoring undefined values', () => {
    const s = stat([0.5, 0.7, NaN]);
    expect(s.n).toBe(2);
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(stat([]).mean).toBeNaN();
  });
});

describe('JSON and Markdown reports', () => {
  let report: ExperimentReport;
  const dir = mkdtempSync(join(tmpdir(), 'bench-reports-'));

  beforeAll(async () => {
    report = await runExperiment(smallSpec(), world().steps, { cacheDir: join(dir, 'cache'), progress: false });
  });

  it('JSON holds every figure with its config and seed, and the summaries', () => {
    writeJsonReport(join(dir, 'r.json'), report, { generatedAt: '2026-01-01T00:00:00Z' });
    const j = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(j.format).toBe('hotplug-bench-report');
    expect(j.generatedAt).toBe('2026-01-01T00:00:00Z');
    expect(j.cells).toHaveLength(report.cells.length);
    for (const c of j.cells) {
      expect(c).toHaveProperty('seed');
      expect(c.config).toBeTypeOf('object');
      expect(c.key).toMatch(/^[0-9a-f]{20}$/);
    }
    const linear = j.cells.find((c: { method: string; seed: number }) => c.method === 'linear' && c.seed === 2);
    expect(linear.config.train.head).toEqual({ kind: 'linear', options: { epochs: 15, seed: 2 } });
    // Undefined margins (a module that cannot run) become null, not an invalid NaN token.
    expect(j.verdicts.find((v: { upgraded: string }) => v.upgraded === 'new').verdict.margin).toBeNull();
    expect(j.summary.matrices.length).toBeGreaterThan(0);
    const pooled = j.verdicts.find((x: { method: string; upgraded: string }) => x.method === 'linear' && x.upgraded === 'new+proj');
    expect(pooled.seeds).toEqual([1, 2]);
    expect(pooled.verdict.interval.level).toBe(0.95);
    expect(pooled.verdict.interval.low).toBeLessThan(pooled.verdict.interval.high);
  });

  it('Markdown tables carry the seed-averaged figures and verdicts', () => {
    const md = markdownReport(report);
    const v = verdictSummaries(report.verdicts).find((x) => x.method === 'linear' && x.upgraded === 'new+proj')!;
    const f = (x: number) => (x * 100).toFixed(1);
    expect(md).toContain(
      `| blobs | linear head | accuracy | old model → new + adapter | ${f(v.oldOld.mean)} ± ${f(v.oldOld.std)} | ${f(v.upgradedOld!.mean)} ± ${f(v.upgradedOld!.std)} |`,
    );
    // The margin with its interval, the training runs pooled, the verdict read from the interval.
    const margin = marginWithInterval(v);
    expect(margin).toMatch(/^\+[0-9]+\.[0-9] \[[+-][0-9]+\.[0-9], \+[0-9]+\.[0-9]\]$/);
    expect(margin).toBe(`+${f(v.margin)} [${v.interval!.low >= 0 ? '+' : ''}${f(v.interval!.low)}, +${f(v.interval!.high)}]`);
    expect(md).toContain(`| ${margin} | 2 | ${v.verdict} |`);
    expect(v.verdict).toBe('compatible');
    expect(md).toMatch(
      /\| blobs \| knn head \| accuracy \| old model → new \+ adapter \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \| 1 \(deterministic\) \| compatible \|/,
    );
    expect(md).toMatch(/\| blobs \| retrieval \| top1 \| old model → new \+ adapter \|[^\n]*\| inconclusive \|/);
    expect(md).toContain('| blobs | linear head | accuracy | old model → new model |');
    expect(md).toContain('95 % paired-bootstrap interval (1000 resamples');
    expect(md).toMatch(/cannot run/);
    expect(md).toMatch(/### blobs: linear head, accuracy\n\n\| query \\ reference \| old model \| new model \| new \+ adapter \|/);
    expect(md).toContain('## Prompt learners by shot count');
    expect(md).toMatch(/\| blobs \| centroid \| old model → new \+ adapter \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \|/);
    writeMarkdownReport(join(dir, 'r.md'), report);
    const html = htmlReport(report);
    expect(html).toContain(`<td class="num">${margin}</td><td class="num">2</td><td class="ok">compatible</td>`);
    expect(html).toMatch(/<tr data-verdict="inconclusive">/);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe(md);
  });
});
