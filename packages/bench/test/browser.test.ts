import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { matrices, runExperiment, writeHtmlReport, type ExperimentReport } from '../src/index';
import { smallSpec } from './spec-fixture';
import { world } from './world';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`skipping the headless-browser report test: ${CHROMIUM} is absent (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/** Renders a page in headless chromium and returns the DOM after its scripts ran. */
function renderedDom(file: string): string {
  const profile = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
  try {
    return execFileSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--window-size=1200,900', '--dump-dom', pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
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
    const figure = [...dom.matchAll(/<figure [^>]*>[\s\S]*?<\/figure>/g)].map((m) => m[0]).find((f) => f.includes('data-title="blobs: linear head — accuracy compatibility matrix"'))!;
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
    expect(dom).not.toMatch(/<(link|script)[^>]+(src|href)=/); // self-contained
  });
});
