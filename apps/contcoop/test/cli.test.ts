import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@hotplug/kernels';
import { buildTokenizer, configForTokenizer, createClip, resolveConfig, saveClip } from '@hotplug/backbones';
import { classPrompts } from '@hotplug/data';
import { main, runCli } from '../src/cli';
import type { TableReport } from '../src/table';

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

describe('hotplug-contcoop table', () => {
  it('writes the JSON and Markdown table, and a rerun reuses every finished cell', async () => {
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
      '--test-size',
      '60',
      '--out',
      out,
      '--cache',
      join(root, 'cache'),
    ];
    const first = capture();
    await runCli(args, first.log);
    const report = JSON.parse(readFileSync(join(out, 'table', 'table.json'), 'utf8')) as TableReport;
    expect(report.cells).toHaveLength(2 * 2 * 2);
    expect(report.rows.map((r) => `${r.learner}/${r.shots}`)).toEqual(['zeroshot/0', 'coop/1', 'coop/2', 'contcoop/1', 'contcoop/2']);
    for (const r of report.rows) {
      expect(r.newZeroShot).toBe(report.zeroShot.mnist![60]!.new);
      expect(r.pluggedIntoNew.mean - r.newZeroShot).toBeCloseTo(r.gainOverNewZeroShot, 12);
      expect(r.testImages).toBe(60);
      if (r.learner !== 'zeroshot') expect(r.seeds).toBe(2);
    }
    const coop1 = report.cells.filter((c) => c.learner === 'coop' && c.shots === 1).map((c) => c.accOtherModel);
    const row = report.rows.find((r) => r.learner === 'coop' && r.shots === 1)!;
    expect(row.pluggedIntoNew.mean).toBeCloseTo((coop1[0]! + coop1[1]!) / 2, 12);
    expect(row.pluggedIntoNew.std).toBeCloseTo(Math.abs(coop1[0]! - coop1[1]!) / Math.SQRT2, 12);
    const md = readFileSync(join(out, 'table', 'table.md'), 'utf8');
    expect(md).toContain('| learner | shots | old | plugged into new | new zero-shot | gain vs new zero-shot | test images | seeds |');
    expect(md).toMatch(/\| coop \| 1 \| \d+\.\d ± \d+\.\d \| \d+\.\d ± \d+\.\d \|/);
    expect(first.lines.filter((l) => l.includes('trained in'))).toHaveLength(8);
    const again = capture();
    await runCli(args, again.log);
    expect(again.lines.filter((l) => l.includes('trained in'))).toHaveLength(0);
    expect(JSON.parse(readFileSync(join(out, 'table', 'table.json'), 'utf8')).rows).toEqual(report.rows);
  });
});

describe('hotplug-contcoop table with a smaller sample for CoCoOp', () => {
  it('compares CoCoOp with the zero-shot accuracy on its own seeded test sample', async () => {
    const out = join(root, 'table-sample');
    await runCli(
      [
        'table',
        ...models,
        '--datasets',
        'mnist',
        '--learners',
        'zeroshot,cocoop',
        '--shots',
        '1',
        '--seeds',
        '1',
        '--steps',
        '2',
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
    const report = JSON.parse(readFileSync(join(out, 'table', 'table.json'), 'utf8')) as TableReport;
    expect(report.rows.map((r) => `${r.learner}/${r.testImages}`)).toEqual(['zeroshot/60', 'zeroshot/25', 'cocoop/25']);
    expect(report.rows[2]!.newZeroShot).toBe(report.zeroShot.mnist![25]!.new);
  });

  it('draws the sample by a fixed seed from the whole split, not its first images', async () => {
    const { Workbench } = await import('../src/workbench');
    const bench = new Workbench({ testSize: 50 });
    const sample = bench.testSplit('mnist');
    expect(sample.size).toBe(50);
    expect(bench.testSplit('mnist')).toBe(sample);
    expect(new Workbench({ testSize: 50 }).testSplit('mnist').labels).toEqual(sample.labels);
    expect(new Set(sample.labels).size).toBeGreaterThan(5);
    const full = new Workbench().testSplit('mnist');
    const firstFifty = full.labels.subarray(0, 50);
    expect(Array.from(sample.labels)).not.toEqual(Array.from(firstFifty));
  });
});

describe('hotplug-contcoop table with a new model of another embedding size', () => {
  it('reports CoCoOp as not pluggable (n/a, with the reason) and still plugs the text-only learners in', async () => {
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
        '--test-size',
        '30',
        '--out',
        out,
        '--cache',
        join(root, 'cache'),
      ],
      () => {},
    );
    const report = JSON.parse(readFileSync(join(out, 'table', 'table.json'), 'utf8')) as TableReport;
    const [cocoop, coop] = report.rows;
    expect(cocoop!.pluggedIntoNew.n).toBe(0);
    expect(coop!.pluggedIntoNew.n).toBe(1);
    const md = readFileSync(join(out, 'table', 'table.md'), 'utf8');
    expect(md).toMatch(/\| cocoop \| 1 \| \d+\.\d \| n\/a \|/);
    expect(md).toContain('n/a: cocoop: this cocoop meta-net reads 16-dim image features, but model "tiny-4" embeds into 24 dims');
  });
});

describe('hotplug-contcoop train / evaluate', () => {
  it('trains on old, saves the state, and evaluate reproduces the plugged-in accuracy', async () => {
    const out = join(root, 'run');
    const common = [...models, '--dataset', 'mnist', '--test-size', '80', '--cache', join(root, 'cache')];
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
