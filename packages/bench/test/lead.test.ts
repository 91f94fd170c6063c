import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ablationRows,
  htmlReport,
  marginPlusMinus,
  markdownReport,
  promptLearnerContrasts,
  reasonGist,
  matrices,
  promptRows,
  relativeColour,
  runExperiment,
  summaryMatrix,
  type AdapterStep,
  type ExperimentReport,
  type ExperimentSpec,
} from '../src/index';
import { smallSpec, upgradeSpec } from './spec-fixture';
import { world } from './world';

describe('margin ± interval, one decimal', () => {
  it('writes half the width of the interval when the text agrees with the interval about 0', () => {
    // Hand-worked: [+1.2, +7.4] is 6.2 wide, half 3.1; 4.2 − 3.1 = 1.1 > 0 like the bound 1.2.
    expect(marginPlusMinus({ margin: 0.042, interval: { low: 0.012, high: 0.074 } })).toBe('+4.2 ± 3.1');
    expect(marginPlusMinus({ margin: -0.021, interval: { low: -0.035, high: -0.009 } })).toBe('-2.1 ± 1.3');
  });

  it('writes the bounds where ± would put the interval across 0 when it is not', () => {
    // [+0.1, +5.0] is compatible, but 1.0 ± 2.45 would read as holding 0.
    expect(marginPlusMinus({ margin: 0.01, interval: { low: 0.001, high: 0.05 } })).toBe('+1.0 [+0.1, +5.0]');
    expect(marginPlusMinus({ margin: NaN })).toBe('n/a');
  });
});

describe('relative heat-map colours', () => {
  it('are white at the reference, full blue above and full red below at ± the span', () => {
    expect(relativeColour(0.6, 0.6, 0.1)).toBe('rgb(255, 255, 255)');
    expect(relativeColour(0.7, 0.6, 0.1)).toBe('rgb(33, 102, 172)');
    expect(relativeColour(0.5, 0.6, 0.1)).toBe('rgb(178, 24, 43)');
    expect(relativeColour(0.9, 0.6, 0.1)).toBe('rgb(33, 102, 172)'); // clipped
    // Halfway up (exact in binary): 255 + (33 − 255) / 2 = 144, 255 + (102 − 255) / 2 = 178.5 → 179, 213.5 → 214.
    expect(relativeColour(0.75, 0.5, 0.5)).toBe('rgb(144, 179, 214)');
  });
});

describe('the tables a report leads with', () => {
  let report: ExperimentReport;
  let prompts: ExperimentReport;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-lead-'));
    const { steps } = world();
    // The application's figures for the ablation table, as apps/bench would pass them.
    (steps.adapters.get('proj') as AdapterStep).facts = { trainableParameters: 240, trainingMinutes: 0.25, note: 'closed-form ridge' };
    report = await runExperiment(smallSpec(), steps, { cacheDir: join(dir, 'a'), progress: false });
    // A prompt-learner protocol where old and new share a width: "new" is the new model seen through the map,
    // a deterministic class-means learner stands in for the new model's zero-shot.
    const spec: ExperimentSpec = {
      ...smallSpec(),
      systems: [
        { id: 'old', model: 'old', label: 'old model' },
        { id: 'newp', model: 'new', adapter: 'proj', label: 'new (mapped)' },
      ],
      heads: [],
      retrieval: undefined,
      learners: [
        { id: 'centroid', learner: 'centroid', shots: [1, 4] },
        { id: 'zs', learner: 'class-means', shots: [0] },
      ],
      comparisons: [{ old: 'old', new: 'newp' }],
      contrasts: [{ id: 'vs-zs', a: { method: 'centroid', query: 'newp', reference: 'old', shots: 4 }, b: { method: 'zs', query: 'newp', reference: 'newp' } }],
    };
    delete spec.retrieval;
    prompts = await runExperiment(spec, world().steps, { cacheDir: join(dir, 'b'), progress: false });
  });

  it('summary matrix: modules × upgrades, the verdict and its margin in each cell, n/a with the reason', () => {
    const m = summaryMatrix(report);
    expect(m.rows.map((r) => r.label)).toEqual(['linear head', 'knn head', 'retrieval (mAP)', 'centroid, 4-shot']);
    expect(m.columns.map((c) => c.label)).toEqual(['new model', 'new + adapter']);
    const linear = report.verdicts.find((v) => v.method === 'linear' && v.upgraded === 'new+proj' && v.metric === 'accuracy')!;
    expect(m.cells[0]![1]).toMatchObject({ state: linear.verdict.verdict, text: marginPlusMinus(linear.verdict), margin: linear.verdict.margin });
    const map = report.verdicts.find((v) => v.method === 'retrieval' && v.upgraded === 'new+proj' && v.metric === 'mAP')!;
    expect(m.cells[2]![1]!.margin).toBe(map.verdict.margin);
    // The old linear head cannot take the new model's 20-dim features: the harness's reason, numbered once.
    expect(m.cells[0]![0]!.state).toBe('n/a');
    expect(m.cells[0]![0]!.reason).toMatch(/12-dim features .* 20-dim/);
    // Notes give the gist once for every system with that mismatch; the cell keeps the full text.
    expect(reasonGist(m.cells[0]![0]!.reason!)).toBe('linear head was built on 12-dim features but got 20-dim features');
    expect(m.reasons).toContain(reasonGist(m.cells[0]![0]!.reason!));
  });

  it("ablation: the application's parameters and minutes, verdict counts over the summary's modules; n/a without them", () => {
    const [row] = ablationRows(report);
    expect(row).toMatchObject({ system: 'new+proj', adapter: 'proj', trainableParameters: 240, trainingMinutes: 0.25, adapterSeeds: 1 });
    const col = summaryMatrix(report).cells.map((r) => r[1]!.state);
    expect(row!.counts.compatible).toBe(col.filter((s) => s === 'compatible').length);
    expect(Object.values(row!.counts).reduce((a, b) => a + b, 0)).toBe(4);
    expect(markdownReport(report)).toContain('| new + adapter | proj | 240 | 0.3 | 1 |');
    const bare = { ...report };
    delete bare.adapters;
    expect(markdownReport(bare)).toContain('| new + adapter | proj | n/a | n/a | 1 |');
  });

  it("prompt learners: on old, plugged into new, against the new model's zero-shot (the contrast) and the same learner on old (the verdict)", () => {
    const rows = promptRows(prompts);
    expect(rows).toHaveLength(1); // the zero-shot learner is a reference, not a row
    const r = rows[0]!;
    const contrast = prompts.contrasts.find((c) => c.id === 'vs-zs')!;
    const verdict = prompts.verdicts.find((v) => v.method === 'centroid' && v.shots === 4 && v.upgraded === 'newp')!;
    expect(r).toMatchObject({ learner: 'centroid', shots: 4, onOld: verdict.oldOld, pluggedIntoNew: verdict.upgradedOld });
    expect(r.vsNewZeroShot).toMatchObject({ margin: contrast.margin, reference: contrast.valueB, referenceMethod: 'zs' });
    expect(r.vsNewZeroShot!.margin).toBeCloseTo(verdict.upgradedOld! - contrast.valueB!, 12);
    expect(r.vsSameOnOld!.margin).toBeCloseTo(verdict.upgradedOld! - verdict.oldOld, 12);
    const md = markdownReport(prompts);
    expect(md).toContain('## Prompt learners against their references');
    expect(md).toContain(
      ` ${marginPlusMinus(contrast)} (${r.vsNewZeroShot!.state === 'compatible' ? 'higher' : r.vsNewZeroShot!.state === 'not compatible' ? 'lower' : r.vsNewZeroShot!.state}) |`,
    );
  });

  it('both reports open with the summary matrix, then the ablation, before the full grid', () => {
    const md = markdownReport(report);
    const at = (s: string) => md.indexOf(s);
    expect(md.startsWith('# synthetic-upgrade\n\n## Summary')).toBe(true);
    expect(at('## Summary')).toBeLessThan(at('## Adapter ablation'));
    expect(at('## Adapter ablation')).toBeLessThan(at('## Verdicts'));
    expect(at('## Verdicts')).toBeLessThan(at('## Compatibility matrices'));
    const html = htmlReport(report);
    expect(html.match(/<table [^>]*>/)![0]).toContain('data-table="summary"');
    expect(html.indexOf('data-table="ablation"')).toBeLessThan(html.indexOf('data-table="verdicts"'));
  });

  it('heat maps are centred on M(old, old) with one-decimal labels; bars carry the verdict interval and a line at M(old, old)', () => {
    const html = htmlReport(report);
    const linear = matrices(report).find((m) => m.method === 'linear')!;
    const oldOld = linear.values[0]![0]!.mean;
    const fig = html.match(/<figure [^>]*data-title="blobs: linear head — accuracy compatibility matrix"[\s\S]*?<\/figure>/)![0];
    expect(fig).toMatch(/<rect class="cell" [^>]*fill="rgb\(255, 255, 255\)" data-query="old model" data-reference="old model"/);
    expect(fig).toContain(`>${(oldOld * 100).toFixed(1)}</text>`);
    expect(fig).toMatch(/data-reason="[^"]*20-dim/);
    const bars = html.match(/<figure [^>]*data-figure="accuracy-bars"[^>]*data-title="blobs: linear head[\s\S]*?<\/figure>/)![0];
    expect(bars).toContain(`data-reference-value="${oldOld.toFixed(4)}"`);
    const v = report.verdicts.find((x) => x.method === 'linear' && x.upgraded === 'new+proj' && x.metric === 'accuracy')!;
    expect(bars).toContain(`data-low="${(v.oldOld + v.verdict.interval!.low).toFixed(4)}" data-high="${(v.oldOld + v.verdict.interval!.high).toFixed(4)}"`);
    expect(bars).toMatch(/class="whisker"/);
  });
});

describe('promptLearnerContrasts', () => {
  it("gives ContCoOp's zero-shot reference for every prompt learner, shot count and comparison the learner runs on", () => {
    const spec = upgradeSpec();
    const contrasts = promptLearnerContrasts({ ...spec, contrasts: [] });
    // coop, kgcoop, contcoop × shots 1, 4 × the one comparison; zero-shot itself is the reference, not a learner.
    expect(contrasts).toHaveLength(6);
    expect(contrasts[1]).toEqual({
      id: 'coop-4-shot-old-to-new-vs-zero-shot',
      label: "coop 4-shot trained on old, on new vs new's zero-shot",
      a: { method: 'coop', query: 'new', reference: 'old', shots: 4 },
      b: { method: 'zero-shot', query: 'new', reference: 'new', shots: 0 },
    });
    // A learner limited to systems that do not include the comparison's new model gets none.
    const limited = { ...spec, learners: spec.learners!.map((l) => (l.id === 'coop' ? { ...l, systems: ['old'] } : l)) };
    expect(promptLearnerContrasts(limited).some((c) => c.a.method === 'coop')).toBe(false);
    expect(promptLearnerContrasts(spec, 'nothing')).toEqual([]);
  });
});
