import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFeatures, SpecError, zeroShotClassifier } from '@hotplug/bench';
import type { TextRetrievalData } from '@hotplug/data';
import { initBackend } from '@hotplug/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPair } from '../../../tools/test-support/tiny-models';
import { runBenchmark } from '../src/run';
import { readBenchSpec } from '../src/spec';
import { taskDatasetName, Workspace } from '../src/systems';
import { parseTasksSpec, taskGroups } from '../src/steps/tasks';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'bench-tasks-'));
  // new is wider than old (24 vs 16): the naive new model cannot feed old's modules, the fitted map can.
  writeTinyPair(join(dir, 'models'), { newEmbed: 24 });
  mkdirSync(join(dir, 'adapters'));
});

const TASKS = ['scene-colour', 'scene-presence', 'scene-image-retrieval', 'scene-text-retrieval'];

function specFile(): string {
  const file = join(dir, 'spec.json');
  writeFileSync(
    file,
    JSON.stringify({
      experiment: {
        name: 'tasks on the tiny pair',
        datasets: ['mnist'],
        seeds: [1],
        systems: [
          { id: 'old', model: 'models/old' },
          { id: 'new', model: 'models/new' },
          { id: 'new+procrustes', model: 'models/new', adapter: 'procrustes' },
        ],
        heads: [{ id: 'knn', kind: 'knn', options: { k: 3 } }],
        comparisons: [{ old: 'old', new: 'new', adapted: ['new+procrustes'] }],
        bootstrap: { resamples: 200 },
      },
      data: { trainImages: 200, testImages: 60 },
      maps: { fit: { from: 'models/new', to: 'models/old', pairsPerDataset: 200 }, variants: { procrustes: { kind: 'procrustes' } } },
      tasks: { include: TASKS, items: 40, probeEpochs: 5 },
    }),
  );
  return file;
}

describe('the "tasks" section of a benchmark spec', () => {
  it('expands "all", fills per-task item counts and names what is wrong', () => {
    const all = parseTasksSpec({ include: 'all', items: { mnist: 500 } });
    expect(all.tasks).toContain('scene-text-retrieval');
    expect(all.items.mnist).toBe(500);
    expect(all.items['scene-count']).toBeUndefined();
    expect(all.probeEpochs).toBe(40);
    expect(() => parseTasksSpec({ include: ['scene-cout'] })).toThrow(/unknown task "scene-cout"; registered tasks: .*scene-count/);
    expect(() => parseTasksSpec({ include: ['mnist'], items: { 'scene-count': 10 } })).toThrow(SpecError);
    expect(() => parseTasksSpec({ include: ['mnist'], items: 0 })).toThrow(/items/);
    expect(() => parseTasksSpec({ include: ['mnist'], extra: 1 })).toThrow(/extra/);
  });

  it('groups comparisons by their old system, replicates after the system they replicate', () => {
    const experiment = {
      name: 't',
      datasets: ['mnist'],
      seeds: [1],
      systems: [...['old', 'new', 'a', 'lineage'].map((id) => ({ id, model: id })), { id: 'a-seed1', model: 'new', replicateOf: 'a' }],
      comparisons: [
        { old: 'old', new: 'new', adapted: ['a'] },
        { old: 'old', new: 'lineage' },
      ],
    };
    expect(taskGroups(experiment)).toEqual([{ reference: 'old', systems: ['old', 'new', 'a', 'a-seed1', 'lineage'], replicates: { a: ['a-seed1'] } }]);
  });
});

describe('downstream tasks end to end on the tiny pair', () => {
  it("evaluates every comparison's systems with old's modules, reports them and reruns from the cache", async () => {
    const spec = readBenchSpec(specFile());
    const options = { adaptersRoot: join(dir, 'adapters'), outDir: join(dir, 'out'), cacheDir: join(dir, 'cache'), progress: false as const };
    mkdirSync(options.outDir, { recursive: true });
    const { report, paths } = await runBenchmark(spec, options);
    const rows = report.tasks!.verdicts;
    // 2 modules on colour and presence, 1 on each retrieval task; each for new and new+procrustes.
    expect(rows).toHaveLength((2 + 2 + 1 + 1) * 2);
    expect(report.tasks!.tasks.map((t) => t.task)).toEqual(TASKS);
    for (const r of rows.filter((x) => x.upgraded === 'new')) {
      expect(r.verdict.verdict).toBe('cannot run');
      expect(r.reason).toMatch(/24-d features.*16-d/);
    }
    for (const r of rows.filter((x) => x.upgraded === 'new+procrustes')) {
      expect(r.upgradedOld).not.toBeNull();
      const { interval, verdict, margin } = r.verdict;
      expect(margin).toBeCloseTo(r.upgradedOld! - r.oldOld, 12);
      expect(interval!.low).toBeLessThanOrEqual(interval!.high);
      expect(verdict).toBe(interval!.low > 0 ? 'compatible' : interval!.high < 0 ? 'not compatible' : 'inconclusive');
    }

    // M(old, old) of text→image retrieval recomputed outside the app: old's caption embeddings against old's gallery.
    const ws = new Workspace({ old: join(dir, 'models', 'old') }, { taskItems: { 'scene-text-retrieval': 40 } });
    try {
      const old = ws.model('old');
      const data = ws.task('scene-text-retrieval', ws.inputFormat('old')) as TextRetrievalData;
      const gallery = await imageFeatures(old, ws.split(taskDatasetName('scene-text-retrieval', 'gallery'), 'test', ws.inputFormat('old')));
      const captions = await zeroShotClassifier(
        old,
        data.queries.map((q) => [q]),
      );
      let hits = 0;
      for (let q = 0; q < captions.rows; q++) {
        let best = -Infinity;
        let at = -1;
        for (let g = 0; g < gallery.rows; g++) {
          let s = 0;
          for (let d = 0; d < gallery.dim; d++) s += captions.data[q * captions.dim + d]! * gallery.data[g * gallery.dim + d]!;
          if (s > best) {
            best = s;
            at = g;
          }
        }
        if (at === data.targets[q]) hits++;
      }
      const row = rows.find((r) => r.task === 'scene-text-retrieval')!;
      expect(row.items).toBe(40);
      expect(row.oldOld).toBeCloseTo(hits / 40, 10);
    } finally {
      ws.dispose();
    }

    // The reports: the table after the prompt-learner table's place (before "How to read"), and the rows in JSON.
    const md = readFileSync(paths.markdown, 'utf8');
    expect(md).toContain('## Downstream tasks');
    expect(md.indexOf('## Downstream tasks')).toBeLessThan(md.indexOf('## How to read this report'));
    expect(md).toMatch(/\| scene-colour \(20 items\) \| linear probe \| accuracy \|/);
    const html = readFileSync(paths.html, 'utf8');
    expect(html).toContain('data-table="tasks"');
    expect(html.match(/data-table="tasks"[\s\S]*?<\/table>/)![0].match(/data-verdict="n\/a"/g)).toHaveLength(6);
    const json = JSON.parse(readFileSync(paths.json, 'utf8'));
    expect(json.tasks.verdicts).toHaveLength(rows.length);

    // A rerun reads the evaluations from the cache: the same rows, much faster.
    const t0 = Date.now();
    const again = await runBenchmark(readBenchSpec(specFile()), options);
    expect(again.report.tasks).toEqual(report.tasks);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 120_000);
});
