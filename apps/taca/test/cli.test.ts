import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@hotplug/kernels';
import { SafetensorsReader } from '@hotplug/backbones';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentReport } from '@hotplug/bench';
import { parseOptions, runCli } from '../src/index';
import { adapterConfigOf } from '../src/options';
import { writeTinyPair } from '../../../tools/test-support/tiny-models';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const viteNode = join(appDir, '../../node_modules/.bin/vite-node');
const entry = join(appDir, 'test/cli-entry.ts');
// Each end-to-end test runs the CLI (train, export, evaluate) in child processes: about 50 s on a
// quiet 2-core machine, more when CI runs two projects at once; the default 60 s is too tight.
const E2E_TIMEOUT_MS = 300_000;
const temp = (label: string) => mkdtempSync(join(tmpdir(), `taca-app-${label}-`));

// Asynchronous on purpose: a spawnSync of a minute-long run blocks this worker's event loop, and
// vitest then reports "Timeout calling onTaskUpdate" although every test passed.
function cli(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(viteNode, [entry, '--', ...args], { cwd: appDir, timeout: 240_000 });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out: `${out}\n${err}` }));
  });
}

function adapterValues(dir: string): Map<string, Float32Array> {
  const reader = SafetensorsReader.open(join(dir, 'adapter.safetensors'));
  const out = new Map(reader.names.map((n) => [n, reader.readFloat32(n)]));
  reader.close();
  return out;
}

let pair: { oldDir: string; newDir: string };
beforeAll(async () => {
  await initBackend();
  // The new model embeds into 12 dims, the old one into 16: adapters need their output projection.
  pair = writeTinyPair(temp('models'), { newEmbed: 12 });
});

describe('options', () => {
  it('defaults to the embedded pair and the TaCA variant against the projection baseline', () => {
    const o = parseOptions([]);
    expect(o.command).toBe('all');
    expect(o.oldDir).toMatch(/models[\\/]weights[\\/]old$/);
    expect(o.newDir).toMatch(/models[\\/]weights[\\/]new$/);
    expect(o.variants).toEqual(['taca-symmetric', 'projection']);
    // The result folder is ./runs/taca, never a package inside node_modules; installing into @hotplug/models is opt-in.
    expect(o.outDir).toBe(join(process.cwd(), 'runs', 'taca'));
    expect(o.adaptersDir).toBe(join(process.cwd(), 'runs', 'taca', 'adapters'));
    expect(o.installIntoModels).toBe(false);
    expect(parseOptions(['train', '--install-into-models']).installIntoModels).toBe(true);
    expect(parseOptions(['--variant', 'every']).variants).toEqual(expect.arrayContaining(['sequential', 'parallel', 'lora']));
    // One list syntax: comma lists, and the option may be repeated.
    expect(parseOptions(['--variant', 'lora,parallel', '--variant', 'sequential']).variants).toEqual(['lora', 'parallel', 'sequential']);
    expect(parseOptions(['--blocks', '0,1']).adapter.blocks).toEqual([0, 1]);
  });

  it('gives each variant only the options it has, and checks them before any model loads', () => {
    const o = parseOptions(['--variant', 'lora,projection', '--bottleneck', '4', '--options', '{"targets":["q","k"]}']);
    expect(adapterConfigOf(o, 'lora').options).toEqual({ bottleneck: 4, targets: ['q', 'k'] });
    expect(adapterConfigOf(o, 'projection').options).toEqual({});
    expect(() => parseOptions(['--variant', 'projection', '--bottleneck', '4'])).toThrow(/no chosen variant \(projection\) has the option "bottleneck"/);
    expect(() => parseOptions(['--variant', 'lora', '--options', '{"targets":["fc1"]}'])).toThrow(/options for adapter variant "lora":\n {2}- targets\.0/);
  });

  it('names bad arguments and the fix', () => {
    expect(() => parseOptions(['--variant', 'adaptr'])).toThrow(/unknown --variant "adaptr"; known variants: taca-symmetric/);
    expect(() => parseOptions(['--steps=-3'])).toThrow(/--steps must be an integer >= 1, got "-3"/);
    expect(() => parseOptions(['fit'])).toThrow(/too many arguments for 'all'/);
    expect(() => parseOptions(['--distill', 'l1'])).toThrow(/--distill must be cosine or l2/);
    expect(() => parseOptions(['--run-dir', 'x'])).toThrow(/unknown option '--run-dir'/);
  });

  it(
    'exits 2 on a usage error before starting anything, 0 for --version',
    async () => {
      const usage = await cli(['train', '--variant', 'adaptr']);
      expect(usage.status).toBe(2);
      expect(usage.out).toMatch(/hotplug-taca: CliArgumentError: unknown --variant "adaptr"/);
      expect(usage.out).not.toContain('[@hotplug/kernels] backend');
      const version = await cli(['--version']);
      expect(version.status).toBe(0);
      expect(version.out.trim()).toBe(JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).version);
    },
    E2E_TIMEOUT_MS,
  );
});

describe('hotplug-taca end to end on tiny models', () => {
  it(
    'trains, exports and evaluates (old model through onnxruntime), writing the table and JSON',
    async () => {
      const out = temp('all');
      const r = await cli([
        'all',
        '--quick',
        '--old',
        pair.oldDir,
        '--new',
        pair.newDir,
        '--out',
        out,
        '--variant',
        'taca-symmetric,projection',
        '--teacher',
        'onnx',
        '--w-influence',
        '0.5',
      ]);
      expect(r.status, r.out).toBe(0);
      // The evaluation is apps/bench's harness: its report, under --out.
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ExperimentReport;
      const cell = (dataset: string, method: string, reference: string, query: string) =>
        report.cells.find((c) => c.dataset === dataset && c.method === method && c.reference === reference && c.query === query)!;
      expect([...new Set(report.cells.map((c) => c.dataset))]).toEqual(['fashion-mnist', 'mnist']);
      for (const dataset of ['fashion-mnist', 'mnist']) {
        // 12 vs 16 dims: the old modules cannot read the bare new features; each adapter's projection makes them readable.
        expect(cell(dataset, 'linear', 'old', 'new').status).toBe('incompatible');
        for (const v of ['new+taca-symmetric', 'new+projection'])
          for (const m of ['linear', 'knn', 'retrieval']) expect(cell(dataset, m, 'old', v).status).toBe('ok');
        // Fractions: a percentage or a NaN here is a bug.
        for (const c of report.cells.filter((x) => x.dataset === dataset && x.status === 'ok'))
          for (const v of Object.values(c.metrics)) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeLessThanOrEqual(1);
          }
        // Even random tiny encoders keep enough of the pixels for the old kNN head and the old gallery to beat chance
        // (1/10; measured kNN 0.43 / 0.30, retrieval top-1 0.34 / 0.26 on 200 train / 100 test images).
        expect(cell(dataset, 'knn', 'old', 'old').metrics.accuracy!).toBeGreaterThan(0.2);
        expect(cell(dataset, 'retrieval', 'old', 'old').metrics.top1!).toBeGreaterThan(0.2);
      }
      // The old linear head on Fashion-MNIST: 0.20 measured (chance 0.10).
      expect(cell('fashion-mnist', 'linear', 'old', 'old').metrics.accuracy!).toBeGreaterThan(0.15);
      // Verdicts of the old modules on each adapted system, each following its interval.
      const verdicts = report.verdicts.filter((v) => v.upgraded !== 'new' && v.verdict.interval);
      expect(new Set(verdicts.map((v) => v.upgraded))).toEqual(new Set(['new+taca-symmetric', 'new+projection']));
      for (const { verdict } of verdicts)
        expect(verdict.verdict).toBe(verdict.interval!.low > 0 ? 'compatible' : verdict.interval!.high < 0 ? 'not compatible' : 'inconclusive');
      // training.json's facts reach the report's ablation: taca-symmetric trains more parameters than the projection alone.
      expect(report.adapters!['taca-symmetric']!.trainableParameters!).toBeGreaterThan(report.adapters!.projection!.trainableParameters!);
      const md = readFileSync(join(out, 'report.md'), 'utf8');
      expect(md).toContain('## Verdicts');
      expect(r.out).toContain('## Summary: does each module keep working after each upgrade?');
      expect(existsSync(join(out, 'report.html'))).toBe(true);
      for (const v of ['taca-symmetric', 'projection']) {
        expect(existsSync(join(out, 'adapters', v, 'adapter.safetensors'))).toBe(true);
        expect(existsSync(join(out, 'adapters', v, 'visual-taca.onnx'))).toBe(true);
        expect(JSON.parse(readFileSync(join(out, 'adapters', v, 'export.json'), 'utf8')).maxAbsError).toBeLessThan(1e-4);
      }
      expect(existsSync(join(out, 'cache'))).toBe(true);
      // A second evaluation alone reuses the saved adapters, and the harness's cache computes nothing again.
      const again = await cli(['evaluate', '--quick', '--old', pair.oldDir, '--new', pair.newDir, '--out', out, '--variant', 'projection']);
      expect(again.status, again.out).toBe(0);
      expect(again.out).toMatch(/Cells: (\d+) \(0 computed, \1 from cache\)/);
      const missing = await cli(['evaluate', '--quick', '--old', pair.oldDir, '--new', pair.newDir, '--out', out, '--variant', 'lora']);
      expect(missing.status).toBe(1);
      expect(missing.out).toMatch(/no trained "lora" adapter.*hotplug-taca train --variant lora/);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'resumes a killed training run to the adapter an uninterrupted run produces',
    async () => {
      const args = (out: string) => [
        'train',
        '--quick',
        '--steps',
        '120',
        '--max-per-dataset',
        '64',
        '--old',
        pair.oldDir,
        '--new',
        pair.newDir,
        '--out',
        out,
        '--variant',
        'lora',
      ];
      const straight = temp('straight');
      expect((await cli(args(straight))).status).toBe(0);
      // Rerunning the finished run trains nothing and keeps the record it wrote (not finalLoss null, seconds ~0).
      const recordPath = join(straight, 'adapters', 'lora', 'training.json');
      const recordText = readFileSync(recordPath, 'utf8');
      expect(JSON.parse(recordText).finalLoss).toBeGreaterThan(0);
      const rerun = await cli(args(straight));
      expect(rerun.status, rerun.out).toBe(0);
      expect(rerun.out).toMatch(/lora: already trained \(120 steps, final loss \d/);
      expect(readFileSync(recordPath, 'utf8')).toBe(recordText);

      const killed = temp('killed');
      const child = spawn(viteNode, [entry, '--', ...args(killed)], { cwd: appDir, stdio: 'ignore' });
      const manifest = join(killed, 'train', 'lora', 'ckpt', 'checkpoint.json');
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      while (!existsSync(manifest)) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(existsSync(join(killed, 'adapters', 'lora', 'adapter.json'))).toBe(false); // it really died mid-run

      const resumed = await cli(args(killed));
      expect(resumed.status, resumed.out).toBe(0);
      const record = JSON.parse(readFileSync(join(killed, 'adapters', 'lora', 'training.json'), 'utf8'));
      expect(record.resumedFromStep).toBeGreaterThan(0);
      const a = adapterValues(join(straight, 'adapters', 'lora'));
      const b = adapterValues(join(killed, 'adapters', 'lora'));
      for (const [name, values] of a) expect(Array.from(b.get(name)!), name).toEqual(Array.from(values));
    },
    E2E_TIMEOUT_MS,
  );

  it('says how to get the embedded models when a folder is not a model', async () => {
    const errors: string[] = [];
    const error = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await runCli(['train', '--quick', '--old', temp('empty'), '--new', pair.newDir])).toBe(2); // an InputError: exit 2
    } finally {
      console.error = error;
    }
    expect(errors.join('\n')).toMatch(/--old: .* is not a model folder of any kind loadClip reads:[\s\S]*Hugging Face CLIP folder/);
  });
});
