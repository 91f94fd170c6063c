import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, saveClip } from '@hotplug/backbones';
import { classPrompts } from '@hotplug/data';
import { main, runCli } from '../src/cli';
import type { CellResult, ExperimentReport } from '@hotplug/bench';

const root = mkdtempSync(join(tmpdir(), 'app-contcoop-'));
const dirs = { old: join(root, 'old'), new: join(root, 'new'), wide: join(root, 'wide'), otherDim: join(root, 'other-dim') };

beforeAll(async () => {
  await initBackend();
  const texts = ['fashion-mnist', 'mnist'].flatMap((d) => classPrompts(d).prompts.flat());
  const tokenizer = buildTokenizer(texts, { contextLength: 16, vocabSize: 700, minFrequency: 1 });
  const make = (dir: string, seed: number, textWidth: number, depth: number, embedDim = 16) => {
    const config = resolveConfig({
      base: 'hotplug-old',
      name: `tiny-${seed}`,
      embedDim,
      vision: { width: 32, depth: 1, heads: 2 },
      text: { width: textWidth, depth, heads: 2 },
    });
    const clip = createClip(configForTokenizer(config, tokenizer), { seed });
    saveClip(clip, dir, tokenizer);
    clip.dispose();
  };
  make(dirs.old, 1, 32, 1);
  make(dirs.new, 2, 32, 2);
  make(dirs.wide, 3, 48, 1);
  make(dirs.otherDim, 4, 32, 1, 24);
});

const models = ['--old', dirs.old, '--new', dirs.new];
const capture = () => {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
};

/** Whether x is a count out of n (an accuracy on n test images). */
const onGrid = (x: number, n: number) => Math.abs(x * n - Math.round(x * n)) < 1e-9;
const readReport = (out: string) => JSON.parse(readFileSync(join(out, 'table', 'report.json'), 'utf8')) as ExperimentReport;
const cellsOf = (r: ExperimentReport, method: string, reference: string, query: string): CellResult[] =>
  r.cells.filter((c) => c.method === method && c.reference === reference && c.query === query);

describe('hotplug-contcoop table (apps/bench harness)', () => {
  it("trains on each model, plugs old's prompts into new against new's zero-shot, and a rerun computes nothing", async () => {
    const out = join(root, 'table');
    const args = [
      'table',
      ...models,
      '--datasets',
      'mnist',
      '--learners',
      'zeroshot,coop,contcoop',
      '--shots',
      '1,2',
      '--seeds',
      '1,2',
      '--steps',
      '4',
      '--train-size',
      '200',
      '--test-size',
      '60',
      '--out',
      out,
      '--cache',
      join(root, 'cache'),
    ];
    const first = capture();
    await runCli(args, first.log);
    const report = readReport(out);
    // Per learner, shots and seed: on old, on new (the same learner's reference), old's plugged into new; zero-shot once per model.
    for (const learner of ['coop', 'contcoop'])
      for (const [reference, query] of [
        ['old', 'old'],
        ['new', 'new'],
        ['old', 'new'],
      ])
        expect(cellsOf(report, learner, reference!, query!).map((c) => `${c.shots}/${c.seed}`)).toEqual(['1/1', '2/1', '1/2', '2/2']);
    expect(cellsOf(report, 'zero-shot', 'new', 'new').map((c) => c.seed)).toEqual([null]);
    expect(cellsOf(report, 'zero-shot', 'new', 'old')).toEqual([]); // pairs: comparisons
    expect(report.stats.learnersTrained).toBe(2 * 2 * 2 * 2 + 2);
    // Test images: the benchmark's 60-image stratified sample, 6 per class.
    for (const c of report.cells.filter((x) => x.status === 'ok')) expect(onGrid(c.metrics.accuracy!, 60)).toBe(true);
    // ContCoOp's reference, from the cells: coop 1-shot plugged into new (mean over the 2 seeds) minus new's zero-shot.
    const contrast = report.contrasts!.find((x) => x.a.method === 'coop' && x.a.shots === 1 && x.b.method === 'zero-shot')!;
    const plugged = cellsOf(report, 'coop', 'old', 'new').filter((c) => c.shots === 1);
    const zs = cellsOf(report, 'zero-shot', 'new', 'new')[0]!.metrics.accuracy!;
    expect(contrast.valueA!).toBeCloseTo((plugged[0]!.metrics.accuracy! + plugged[1]!.metrics.accuracy!) / 2, 12);
    expect(contrast.valueB!).toBeCloseTo(zs, 12);
    expect(contrast.margin!).toBeCloseTo(contrast.valueA! - contrast.valueB!, 12);
    expect(contrast.interval!.low).toBeLessThanOrEqual(contrast.margin!);
    expect(contrast.interval!.high).toBeGreaterThanOrEqual(contrast.margin!);
    const md = readFileSync(join(out, 'table', 'report.md'), 'utf8');
    expect(md).toContain('## Prompt learners against their references');
    expect(md).toMatch(/\| mnist \| coop \| 2 \| old → new \|/);
    expect(first.lines.at(-1)).toMatch(/\(\d+ cells: \d+ computed, 0 from the cache; 18 learners trained\)/);
    const again = capture();
    await runCli(args, again.log);
    expect(again.lines.at(-1)).toMatch(/\((\d+) cells: 0 computed, \1 from the cache; 0 learners trained\)/);
    expect(readReport(out).cells.map((c) => c.metrics)).toEqual(report.cells.map((c) => c.metrics));
  });
});

describe('hotplug-contcoop table with a new model of another embedding size', () => {
  it('evaluates CoCoOp on its own sample, reports it not pluggable (n/a, with the reason) and still plugs CoOp in', async () => {
    const out = join(root, 'table-dim');
    await runCli(
      [
        'table',
        '--old',
        dirs.old,
        '--new',
        dirs.otherDim,
        '--datasets',
        'mnist',
        '--learners',
        'cocoop,coop',
        '--shots',
        '1',
        '--seeds',
        '1',
        '--steps',
        '2',
        '--train-size',
        '200',
        '--test-size',
        '60',
        '--conditional-test-size',
        '25',
        '--out',
        out,
        '--cache',
        join(root, 'cache'),
      ],
      () => {},
    );
    const report = readReport(out);
    const [cocoop] = cellsOf(report, 'cocoop', 'old', 'new');
    expect(cocoop!.status).toBe('incompatible');
    expect(JSON.stringify(cocoop)).toContain('this cocoop meta-net reads 16-dim image features, but model \\"tiny-4\\" embeds into 24 dims');
    expect(cellsOf(report, 'coop', 'old', 'new')[0]!.status).toBe('ok');
    // CoCoOp on its 25-image sample (accuracies in steps of 1/25).
    expect(onGrid(cellsOf(report, 'cocoop', 'old', 'old')[0]!.metrics.accuracy!, 25)).toBe(true);
    expect(readFileSync(join(out, 'table', 'report.md'), 'utf8')).toMatch(/\| mnist \| cocoop \| 1 \| old → new \| [\d.]+ \| n\/a \|/);
  });
});

describe('hotplug-contcoop train / evaluate', () => {
  it('trains on old, saves the state, and evaluate reproduces the plugged-in accuracy', async () => {
    const out = join(root, 'run');
    const common = [...models, '--dataset', 'mnist', '--train-size', '200', '--test-size', '80'];
    await runCli(['train', ...common, '--learner', 'kgcoop', '--shots', '2', '--steps', '5', '--out', out], () => {});
    // --out is the app's result folder; each training run gets its own folder in it.
    const run = join(out, 'kgcoop-mnist-2shot-s1');
    const result = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8'));
    expect(result.trainedOn.id).toBe('old');
    const io = capture();
    await runCli(['evaluate', ...common, '--state', join(run, 'prompt.safetensors'), '--on', 'new'], io.log);
    expect(io.lines.at(-1)).toContain(`accuracy ${(100 * result.accuracy.new).toFixed(2)}%`);
  });

  it('refuses a model with another token width, naming the widths', async () => {
    const out = join(root, 'run-wide');
    await runCli(
      [
        'train',
        ...models,
        '--dataset',
        'mnist',
        '--train-size',
        '200',
        '--test-size',
        '40',
        '--learner',
        'coop',
        '--shots',
        '1',
        '--steps',
        '2',
        '--out',
        out,
        '--cache',
        join(root, 'cache'),
      ],
      () => {},
    );
    await expect(
      runCli(
        [
          'evaluate',
          '--old',
          dirs.old,
          '--new',
          dirs.wide,
          '--dataset',
          'mnist',
          '--test-size',
          '40',
          '--state',
          join(out, 'coop-mnist-1shot-s1', 'prompt.safetensors'),
          '--on',
          'new',
          '--cache',
          join(root, 'cache'),
        ],
        () => {},
      ),
    ).rejects.toThrow(/learned for token-embedding width 32, but model "tiny-3" has width 48/);
  });

  it('explains bad arguments and missing model folders', async () => {
    await expect(runCli(['fly'], () => {})).rejects.toThrow(/unknown command 'fly'/);
    await expect(runCli(['table', '--old', join(root, 'nowhere'), '--new', dirs.new], () => {})).rejects.toThrow(
      /model "old": .*nowhere does not exist\. Pass the folder that holds the model files \(hotplug folder \(saveClip\), Hugging Face CLIP folder, open_clip folder\)/,
    );
    await expect(runCli(['train', ...models, '--shots', 'two'], () => {})).rejects.toThrow(/--shots takes positive integers/);
    // Issue 18: a negative value can be passed (not "ambiguous" to parseArgs) and is refused by the range check.
    await expect(runCli(['train', ...models, '--lr', '-1'], () => {})).rejects.toThrow('--lr must be a positive number, got "-1"');
    await expect(runCli(['train', ...models, '--shots', '1,2'], () => {})).rejects.toThrow(/--shots takes one value here, got 2/);
    const help = capture();
    await runCli(['--help'], help.log);
    expect(help.lines[0]).toContain('Usage: hotplug-contcoop');
    for (const part of ['--version', '--plugin <module>', '\n  train [options]', '\n  evaluate [options]', '\n  table [options]', '\n  diagnose [options]'])
      expect(help.lines.join('\n')).toContain(part);
  });

  it('exits 2 on usage errors before the backend starts, 0 for --help and --version', async () => {
    const errors: string[] = [];
    const [error, log] = [console.error, console.log];
    console.error = (l: string) => void errors.push(l);
    console.log = () => {};
    try {
      expect(await main(['train', '--lr', '0'])).toBe(2);
      expect(await main(['table', '--seeds', '1,x'])).toBe(2);
      expect(await main(['evaluate'])).toBe(2);
      expect(await main(['--version'])).toBe(0);
    } finally {
      [console.error, console.log] = [error, log];
    }
    expect(errors.join('\n')).toMatch(
      /--lr must be a positive number, got "0"[\s\S]*--seeds takes positive integers separated by commas, got "x"[\s\S]*evaluate needs --state FILE/,
    );
  });
});
