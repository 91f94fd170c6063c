// Issue 17, deliverable 5: a new adapter variant written outside the repository as one file plus
// one registration line, trained by apps/taca and scored by apps/bench through --plugin. The
// plug-in resolves its own copy of @hotplug/taca (a copied package in its own node_modules), so
// this also shows the registry is one per process.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const repo = join(appDir, '../..');
const viteNode = join(repo, 'node_modules/.bin/vite-node');
// Two CLI runs of a few seconds of work each, plus vite-node's start-up (~15 s each on the shared 2 cores).
const TIMEOUT_MS = 300_000;

function run(cwd: string, entry: string, args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(viteNode, [entry, '--', ...args], { cwd, timeout: 240_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out }));
  });
}

/** A user's project outside the repository: ia3.mjs, and node_modules with its own copy of @hotplug/taca. */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-ia3-plugin-'));
  cpSync(join(appDir, 'test/fixtures/ia3.mjs'), join(dir, 'ia3.mjs'));
  const taca = join(dir, 'node_modules/@hotplug/taca');
  mkdirSync(taca, { recursive: true });
  cpSync(join(repo, 'packages/taca/package.json'), join(taca, 'package.json'));
  cpSync(join(repo, 'packages/taca/dist'), join(taca, 'dist'), { recursive: true });
  // The copy's own dependencies: the installed ones (one tfjs-core engine, as npm would dedupe them).
  for (const [name, target] of [
    ['@hotplug/backbones', 'packages/backbones'],
    ['@hotplug/kernels', 'packages/kernels'],
    ['@hotplug/runtime', 'packages/runtime'],
    ['@hotplug/train', 'packages/train'],
    ['@tensorflow/tfjs-core', 'node_modules/@tensorflow/tfjs-core'],
    ['zod', 'node_modules/zod'],
  ] as const) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(repo, target), join(dir, 'node_modules', name), 'dir');
  }
  // Says which @hotplug/taca a module in the user's project resolves (the copy, not the app's).
  writeFileSync(
    join(dir, 'which-taca.mjs'),
    `import { createRequire } from 'node:module';\nconsole.log('plug-in @hotplug/taca: ' + createRequire(import.meta.url).resolve('@hotplug/taca'));\n`,
  );
  return dir;
}

describe('a variant from outside the repository, through --plugin', () => {
  it(
    'IA3 in one file: trained by hotplug-taca, scored by hotplug-bench',
    async () => {
      const project = userProject();
      const plugin = join(project, 'ia3.mjs');
      const out = join(project, 'runs/taca');
      // The embedded pair, a handful of steps on a small scene corpus.
      let t0 = performance.now();
      const trained = await run(appDir, join(appDir, 'test/cli-entry.ts'), [
        'train',
        '--plugin',
        `${plugin},${join(project, 'which-taca.mjs')}`,
        '--variant',
        'ia3',
        '--quick',
        '--steps',
        '8',
        '--batch-size',
        '16',
        '--corpus-size',
        '96',
        '--out',
        out,
      ]);
      expect(trained.status, trained.out).toBe(0);
      console.log(`IA3 plug-in: hotplug-taca train took ${((performance.now() - t0) / 1000).toFixed(1)} s (vite-node start-up included)`);
      // The plug-in imported its own copy, not the app's packages/taca.
      expect(trained.out).toContain(`plug-in @hotplug/taca: ${join(project, 'node_modules/@hotplug/taca/dist/index.cjs')}`);
      const manifest = JSON.parse(readFileSync(join(out, 'adapters/ia3/adapter.json'), 'utf8'));
      expect(manifest.config).toMatchObject({ variant: 'ia3', options: { init: 1 } });
      const { width, depth, mlpWidth } = manifest.target;
      // k and v scales of width, fc1's of MLP width, in every block; plus the app's output projection (always).
      const proj = manifest.target.embedDim * manifest.target.oldEmbedDim + manifest.target.oldEmbedDim;
      expect(manifest.parameters).toBe(depth * (2 * width + mlpWidth) + proj);
      const record = JSON.parse(readFileSync(join(out, 'adapters/ia3/training.json'), 'utf8'));
      expect(record.finalLoss).toBeGreaterThan(0);

      // Without the plug-in the variant is unknown: a usage error (2), before any model loads.
      const without = await run(appDir, join(appDir, 'test/cli-entry.ts'), ['train', '--variant', 'ia3', '--out', out]);
      expect(without.status).toBe(2);
      expect(without.out).toMatch(/unknown --variant "ia3".*--plugin/);

      const spec = join(project, 'ia3-spec.json');
      writeFileSync(
        spec,
        JSON.stringify({
          experiment: {
            name: 'ia3 plug-in',
            datasets: ['mnist'],
            seeds: [1],
            systems: [
              { id: 'old', model: 'old', label: 'old' },
              { id: 'new', model: 'new', label: 'new (no adapter)' },
              { id: 'new+ia3', model: 'new', adapter: 'ia3', label: 'new + IA3 (plug-in)' },
            ],
            heads: [{ id: 'linear', kind: 'linear', options: { epochs: 5 } }],
            comparisons: [{ old: 'old', new: 'new', adapted: ['new+ia3'] }],
          },
          data: { trainImages: 200, testImages: 100 },
        }),
      );
      const benchDir = join(repo, 'apps/bench');
      const report = join(project, 'runs/bench');
      t0 = performance.now();
      const scored = await run(benchDir, join(benchDir, 'test/cli-entry.ts'), [
        '--plugin',
        plugin,
        '--spec',
        spec,
        '--adapters',
        join(out, 'adapters'),
        '--out',
        report,
        '--cache',
        join(project, 'runs/bench-cache'),
      ]);
      expect(scored.status, scored.out).toBe(0);
      console.log(`IA3 plug-in: hotplug-bench took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
      const cell = json.cells.find(
        (c: { method: string; query: string; reference: string }) => c.method === 'linear' && c.query === 'new+ia3' && c.reference === 'old',
      );
      expect(cell.status).toBe('ok');
      // A count out of the 100 test images (measured 10/100 after 8 steps: chance, which a smoke run of the plug-in may be).
      expect(cell.metrics.accuracy).toBeLessThanOrEqual(1);
      expect(Math.abs(cell.metrics.accuracy * 100 - Math.round(cell.metrics.accuracy * 100))).toBeLessThan(1e-9);
      // The plug-in's training.json reaches the report: its trainable parameters (IA3: one scale per channel it rescales).
      expect(json.adapters.ia3.trainableParameters).toBeGreaterThan(0);
      const md = readFileSync(join(report, 'report.md'), 'utf8');
      expect(md).toMatch(/new \+ IA3 \(plug-in\)[^\n]*\d+\.\d/);
      console.log(`IA3 plug-in: old linear head on new + IA3 (mnist, 100 test images): accuracy ${cell.metrics.accuracy}`);
      expect(existsSync(join(report, 'report.html'))).toBe(true);
    },
    TIMEOUT_MS,
  );
});
