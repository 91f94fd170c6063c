import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { matrices, runExperiment, writeHtmlReport, type ExperimentReport } from '../src/index';
import { smallSpec, upgradeSpec, withUpgradeAdapters } from './spec-fixture';
import { world } from './world';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// CI installs chromium (tools/apt-packages.txt): there these tests must run, so a missing browser fails loudly.
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is absent: the headless-browser report tests must run in CI (apt-get install chromium, or set CHROMIUM_PATH)`);
}
if (!haveChromium) {
  console.warn(
    `skipping the headless-browser report tests: ${CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH); under CI=true this fails instead`,
  );
}

/** Renders a page in headless chromium at a window size and returns the DOM after its scripts ran. */
function renderedDom(file: string, size = '1400,900'): string {
  const profile = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
  try {
    return execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--window-size=${size}`,
        '--dump-dom',
        pathToFileURL(file).href,
      ],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function attributes(openTag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of openTag.matchAll(/([\w-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

describe.skipIf(!haveChromium)('HTML report in a real headless browser', () => {
  let report: ExperimentReport;
  let dom: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-html-'));
    report = await runExperiment(smallSpec(), world().steps, { cacheDir: join(dir, 'cache'), progress: false });
    writeHtmlReport(join(dir, 'report.html'), report);
    dom = renderedDom(join(dir, 'report.html'));
  });

  it('renders every kind of figure with real size and marks', () => {
    const figures = [...dom.matchAll(/<figure [^>]*>/g)].map((m) => attributes(m[0]));
    expect(new Set(figures.map((f) => f['data-figure']))).toEqual(new Set(['accuracy-bars', 'compat-heatmap', 'shots-lines', 'flip-bars']));
    // The page's own script ran in the browser and measured each laid-out figure.
    expect(dom).toMatch(new RegExp(`<body[^>]*data-figures-rendered="${figures.length}"`));
    for (const f of figures) {
      expect(Number(f['data-rendered-width']), f['data-title']).toBeGreaterThan(200);
      expect(Number(f['data-rendered-height']), f['data-title']).toBeGreaterThan(150);
      expect(Number(f['data-marks']), f['data-title']).toBeGreaterThan(0);
    }
  });

  it('shows the same figures as the report data', () => {
    const linear = matrices(report).find((m) => m.method === 'linear')!;
    const at = (q: string, r: string) => linear.values[linear.systems.indexOf(q)]![linear.systems.indexOf(r)];
    const figure = [...dom.matchAll(/<figure [^>]*>[\s\S]*?<\/figure>/g)]
      .map((m) => m[0])
      .find((f) => f.includes('data-title="blobs: linear head — accuracy compatibility matrix"'))!;
    const cells = [...figure.matchAll(/<rect [^>]*data-query="[^"]*"[^>]*>/g)].map((m) => attributes(m[0]));
    expect(cells).toHaveLength(9);
    const adaptedOnOld = cells.find((c) => c['data-query'] === 'new + adapter' && c['data-reference'] === 'old model' && c.class === 'cell');
    expect(Number(adaptedOnOld!['data-value'])).toBeCloseTo(at('new+proj', 'old')!.mean, 4);
    expect(cells.some((c) => c['data-query'] === 'new model' && c['data-reference'] === 'old model' && c['data-value'] === 'n/a')).toBe(true);
    expect(figure).toContain(`>${(at('old', 'old')!.mean * 100).toFixed(1)}</text>`);
  });

  it('is readable: title, criterion, labelled axes and tables', () => {
    expect(dom).toMatch(/<title>Compatibility report: synthetic-upgrade<\/title>/);
    expect(dom).toContain('M(new, old) &gt; M(old, old)');
    expect(dom).toContain('shots per class');
    expect(dom).toContain('negative-flip rate');
    expect(dom).toMatch(/<table data-table="verdicts">/);
    expect(dom).toMatch(/<table class="summary" data-table="summary">/);
    expect(dom).not.toMatch(/<(link|script)[^>]+(src|href)=/); // self-contained
  });
});

describe.skipIf(!haveChromium)('the answer on the first screen (1,400 × 900) of a default-shaped report', () => {
  let report: ExperimentReport;
  let body: Record<string, string>;
  let dom: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-fold-'));
    report = await runExperiment(upgradeSpec(), withUpgradeAdapters(world().steps), { cacheDir: join(dir, 'cache'), progress: false });
    writeHtmlReport(join(dir, 'report.html'), report);
    dom = renderedDom(join(dir, 'report.html'), '1400,900');
    body = attributes(dom.match(/<body[^>]*>/)![0]);
  }, 120_000);

  it('lays the page out 1,400 px wide', () => {
    // Headless chromium's --dump-dom window keeps some height for a (hidden) toolbar, so the
    // viewport is shorter than 900; layout depends on the width alone, and the boxes below are
    // page coordinates from the top (nothing scrolled), so "below 900" is the first 900-px screen.
    expect(body['data-viewport']).toMatch(/^1400x\d+$/);
  });

  it('shows the summary matrix first, wholly above the fold', () => {
    expect(body['data-first-table']).toBe('summary');
    expect(Number(body['data-summary-top'])).toBeGreaterThan(0);
    expect(Number(body['data-summary-bottom'])).toBeLessThan(900);
    expect(Number(body['data-summary-right'])).toBeLessThanOrEqual(1400);
  });

  it('has every module × upgrade of the verdicts in the matrix, coloured by its verdict', () => {
    const cells = [...dom.matchAll(/<td [^>]*data-module="[^"]*"[^>]*>/g)].map((m) => attributes(m[0]));
    const upgrades = report.spec.comparisons.flatMap((c) => [c.new, ...(c.adapted ?? [])]);
    // Rows: 2 datasets × (2 heads, retrieval, 4 learners at their largest shot count).
    expect(cells).toHaveLength(2 * 7 * upgrades.length);
    const linear = report.verdicts.find((v) => v.dataset === 'mnist' && v.method === 'linear' && v.upgraded === 'new+lora')!;
    const cell = cells.find((c) => c['data-module'] === 'mnist/linear' && c['data-upgrade'] === 'new+lora')!;
    expect(cell['data-verdict']).toBe(linear.verdict.verdict);
    expect(cell.class).toBe(`v ${linear.verdict.verdict.replace(' ', '-')}`);
    // The bare new model cannot feed the old head (12 vs 20 dims): n/a with the harness's reason.
    const bare = cells.find((c) => c['data-module'] === 'mnist/linear' && c['data-upgrade'] === 'new')!;
    expect(bare['data-verdict']).toBe('n/a');
    expect(bare.title).toMatch(/20-dim features/);
  });

  it('fits every figure in the page width: no horizontal scrolling', () => {
    expect(Number(body['data-page-width'])).toBeLessThanOrEqual(1400);
    for (const m of dom.matchAll(/<figure [^>]*>/g)) {
      const f = attributes(m[0]);
      expect(Number(f['data-rendered-width']), f['data-title']).toBeLessThanOrEqual(1352);
    }
  });
});
