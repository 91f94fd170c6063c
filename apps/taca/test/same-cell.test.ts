// Issue 15, deliverable 1: the same cell gives the same number in every app. The old model's
// linear head (and its zero-shot classifier) on new+projection features, Fashion-MNIST, seed 1:
// once through `hotplug-taca evaluate`, once through `hotplug-bench run` with a spec file a user
// would write for the same systems, each with its own cache so neither reads the other's cells.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as benchCli } from '@hotplug/app-bench';
import type { ExperimentReport } from '@hotplug/bench';
import { initBackend } from '@hotplug/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as tacaCli } from '../src/index';
import { writeTinyPair } from '../../../tools/test-support/tiny-models';

const root = mkdtempSync(join(tmpdir(), 'taca-same-cell-'));
let pair: { oldDir: string; newDir: string };

beforeAll(async () => {
  await initBackend();
  pair = writeTinyPair(join(root, 'models'), { newEmbed: 12 });
});

const cellOf = (report: ExperimentReport, method: string, query: string, seed: number | null) =>
  report.cells.find((c) => c.dataset === 'fashion-mnist' && c.method === method && c.reference === 'old' && c.query === query && c.seed === seed)!;

describe('the same cell gives the same number in every app', () => {
  it('hotplug-taca evaluate and hotplug-bench run agree on the old head and zero-shot on new+projection', async () => {
    const out = join(root, 'taca');
    const models = ['--old', pair.oldDir, '--new', pair.newDir];
    expect(await tacaCli(['train', '--quick', '--steps', '6', ...models, '--out', out, '--variant', 'projection'])).toBe(0);
    expect(await tacaCli(['evaluate', '--quick', ...models, '--out', out, '--variant', 'projection'])).toBe(0);
    const viaTaca = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ExperimentReport;

    // What a user writes for hotplug-bench: the same systems, module options and data limits (--quick: 200 / 100 images).
    const spec = join(root, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        experiment: {
          name: 'same cell',
          datasets: ['fashion-mnist'],
          seeds: [1],
          systems: [
            { id: 'old', model: 'old' },
            { id: 'new+projection', model: 'new', adapter: 'projection' },
          ],
          heads: [{ id: 'linear', kind: 'linear', options: { epochs: 20 } }],
          learners: [{ id: 'zero-shot', learner: 'zeroshot', shots: [0] }],
          comparisons: [{ old: 'old', new: 'new+projection' }],
        },
        data: { trainImages: 200, testImages: 100 },
      }),
    );
    const benchOut = join(root, 'bench');
    expect(
      await benchCli(['run', '--spec', spec, ...models, '--adapters', join(out, 'adapters'), '--out', benchOut, '--cache', join(root, 'bench-cache')]),
    ).toBe(0);
    const viaBench = JSON.parse(readFileSync(join(benchOut, 'report.json'), 'utf8')) as ExperimentReport;
    expect(viaBench.stats.cellsCached).toBe(0); // computed afresh, not read from the taca run

    for (const [method, seed] of [
      ['linear', 1],
      ['zero-shot', null],
    ] as const) {
      const a = cellOf(viaTaca, method, 'new+projection', seed);
      const b = cellOf(viaBench, method, 'new+projection', seed);
      expect(a.status).toBe('ok');
      console.log(`fashion-mnist ${method} M(new+projection, old): hotplug-taca ${a.metrics.accuracy}, hotplug-bench ${b.metrics.accuracy}`);
      expect(b.metrics).toEqual(a.metrics);
    }
    // The reference cell of the verdict too: the old head on old.
    expect(cellOf(viaBench, 'linear', 'old', 1).metrics).toEqual(cellOf(viaTaca, 'linear', 'old', 1).metrics);
    // Measured 0.16 (head on new+projection), 0.14 (zero-shot), 0.20 (head on old): distinct cells, not one constant prediction.
    const figures = [cellOf(viaTaca, 'linear', 'new+projection', 1), cellOf(viaTaca, 'zero-shot', 'new+projection', null), cellOf(viaTaca, 'linear', 'old', 1)];
    expect(new Set(figures.map((c) => c.metrics.accuracy)).size).toBe(3);
  }, 300_000);
});
