import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stat, type Stat } from '@hotplug/bench';
import { sha256, sha256File, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import { createLearner } from '@hotplug/contcoop';
import type { LoadedModel } from './models';
import { recipeFor } from './recipes';
import type { CellResult, Workbench } from './workbench';

/** What one table run covers, as data. */
export interface TableSpec {
  datasets: string[];
  learners: string[];
  shots: number[];
  seeds: number[];
  /** Overrides of every learner's recipe (e.g. fewer steps for --quick). */
  train?: { steps?: number; batchSize?: number; lr?: number };
  /** Learner options by learner kind. */
  options?: Record<string, Record<string, unknown>>;
}

/** One row: a learner at a shot count on a dataset, over seeds. */
export interface TableRow {
  dataset: string;
  learner: string;
  /** 0 for the zero-shot reference (nothing trained). */
  shots: number;
  old: Stat;
  pluggedIntoNew: Stat;
  newZeroShot: number;
  /** Mean plugged-in accuracy minus the new model's zero-shot accuracy. */
  gainOverNewZeroShot: number;
  testImages: number;
  /** Seeds that finished (the spec's seed count unless the run was interrupted). */
  seeds: number;
}

export interface TableReport {
  generatedBy: string;
  models: { old: { dir: string; sha256: string }; new: { dir: string; sha256: string } };
  spec: TableSpec;
  /** Zero-shot accuracy per dataset and per evaluated image count (CoCoOp rows are compared on their own sample). */
  zeroShot: Record<string, Record<number, { old: number; new: number }>>;
  rows: TableRow[];
  cells: CellResult[];
  seconds: number;
}

const modelHash = (m: LoadedModel) => sha256File(m.weights);

/**
 * Trains every learner x shots x seed on the old model, evaluates on old and new, and
 * summarises. Finished cells are kept in `outDir/cells.json` (keyed by models, recipe and
 * options), so a rerun after an interruption continues where it stopped.
 */
export async function runTable(
  bench: Workbench,
  old: LoadedModel,
  next: LoadedModel,
  spec: TableSpec,
  outDir: string,
  log: (line: string) => void = () => {},
): Promise<TableReport> {
  const t0 = performance.now();
  const models = { old: { dir: old.dir, sha256: modelHash(old) }, new: { dir: next.dir, sha256: modelHash(next) } };
  const cellsPath = join(outDir, 'cells.json');
  const done = new Map<string, CellResult>(existsSync(cellsPath) ? (JSON.parse(readFileSync(cellsPath, 'utf8')) as [string, CellResult][]) : []);
  const zeroShot: TableReport['zeroShot'] = {};
  for (const dataset of spec.datasets) {
    const zs = createLearner('zeroshot', bench.target(old, dataset));
    zeroShot[dataset] = {};
    for (const sample of ['auto', 'conditional'] as const) {
      const zsOld = await bench.evaluate(zs, old, dataset, sample);
      const zsNew = await bench.evaluate(zs, next, dataset, sample);
      zeroShot[dataset]![zsNew.images] = { old: zsOld.accuracy, new: zsNew.accuracy };
      log(`${dataset}: zero-shot old ${pct(zsOld.accuracy)}, new ${pct(zsNew.accuracy)} (${zsNew.images} test images)`);
    }
    zs.dispose();
  }
  const cells: CellResult[] = [];
  const write = () => {
    const report: TableReport = {
      generatedBy: 'hotplug-contcoop table',
      models,
      spec,
      zeroShot,
      rows: summarise(spec, zeroShot, cells),
      cells,
      seconds: (performance.now() - t0) / 1000,
    };
    writeJsonAtomic(join(outDir, 'table.json'), report);
    writeFileAtomic(join(outDir, 'table.md'), tableMarkdown(report));
    return report;
  };
  // Seeds outermost: an interrupted run already has every learner, shot count and dataset for the first seeds.
  for (const seed of spec.seeds) {
    for (const shots of spec.shots) {
      for (const dataset of spec.datasets) {
        for (const learner of spec.learners.filter((l) => l !== 'zeroshot')) {
          const recipe = recipeFor(learner, spec.train);
          const options = spec.options?.[learner];
          const key = sha256(
            JSON.stringify({
              models,
              dataset,
              learner,
              shots,
              seed,
              recipe,
              options,
              testSize: bench.options.testSize,
              conditionalTestSize: bench.options.conditionalTestSize,
            }),
          );
          let cell = done.get(key);
          if (!cell) {
            cell = await bench.runCell(old, next, { dataset, learner, shots, seed, options }, recipe);
            done.set(key, cell);
            writeJsonAtomic(cellsPath, [...done]);
            log(
              `${dataset} ${learner} ${shots}-shot seed ${seed}: old ${pct(cell.accTrainModel)}, plugged into new ${pct(cell.accOtherModel)} (trained in ${cell.trainSeconds.toFixed(1)} s)`,
            );
          }
          cells.push(cell);
          write();
        }
      }
    }
  }
  return write();
}

/** Mean ± std over seeds per (dataset, learner, shots); the zero-shot reference first. */
export function summarise(spec: TableSpec, zeroShot: TableReport['zeroShot'], cells: CellResult[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const dataset of spec.datasets) {
    const byImages = zeroShot[dataset]!;
    if (spec.learners.includes('zeroshot')) {
      for (const [images, zs] of Object.entries(byImages).sort((a, b) => Number(b[0]) - Number(a[0]))) {
        rows.push({
          dataset,
          learner: 'zeroshot',
          shots: 0,
          old: stat([zs.old]),
          pluggedIntoNew: stat([zs.new]),
          newZeroShot: zs.new,
          gainOverNewZeroShot: 0,
          testImages: Number(images),
          seeds: 0,
        });
      }
    }
    for (const learner of spec.learners.filter((l) => l !== 'zeroshot')) {
      for (const shots of spec.shots) {
        const here = cells.filter((c) => c.dataset === dataset && c.learner === learner && c.shots === shots);
        if (here.length === 0) continue;
        const plugged = stat(here.map((c) => c.accOtherModel));
        // The zero-shot reference on the same test images as this learner.
        const zs = byImages[here[0]!.testImages]!;
        rows.push({
          dataset,
          learner,
          shots,
          old: stat(here.map((c) => c.accTrainModel)),
          pluggedIntoNew: plugged,
          newZeroShot: zs.new,
          gainOverNewZeroShot: plugged.mean - zs.new,
          testImages: here[0]!.testImages,
          seeds: here.length,
        });
      }
    }
  }
  return rows;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

const pm = (s: Stat) => (s.n === 0 ? 'n/a' : s.n > 1 ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}` : (100 * s.mean).toFixed(1));

/** The compatibility table as Markdown: one table per dataset, accuracies in %. */
export function tableMarkdown(report: TableReport): string {
  const lines = [
    '# Prompt learners: trained on the old model, plugged into the new one',
    '',
    `Accuracy (%) on the test split, mean ± sample std over seeds ${report.spec.seeds.join(', ')}. "old": the prompts on the model they were trained on; "plugged into new": the same learned state applied to the new model; "gain": plugged-in minus the new model's zero-shot accuracy on the same test images (CoCoOp is evaluated on a fixed seeded sample of the test split, see "test images"; the zero-shot reference is given for both).`,
    '',
  ];
  for (const dataset of report.spec.datasets) {
    lines.push(
      `## ${dataset}`,
      '',
      '| learner | shots | old | plugged into new | new zero-shot | gain vs new zero-shot | test images | seeds |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of report.rows.filter((x) => x.dataset === dataset)) {
      const gain = r.learner === 'zeroshot' ? '' : `${r.gainOverNewZeroShot >= 0 ? '+' : ''}${(100 * r.gainOverNewZeroShot).toFixed(1)}`;
      lines.push(
        `| ${r.learner} | ${r.shots || '-'} | ${pm(r.old)} | ${pm(r.pluggedIntoNew)} | ${(100 * r.newZeroShot).toFixed(1)} | ${Number.isFinite(r.gainOverNewZeroShot) ? gain : 'n/a'} | ${r.testImages} | ${r.seeds || '-'} |`,
      );
    }
    lines.push('');
    const refusals = new Set(report.cells.filter((c) => c.dataset === dataset && c.incompatible).map((c) => `${c.learner}: ${c.incompatible}`));
    for (const why of refusals) lines.push(`n/a: ${why}`, '');
  }
  lines.push(
    `Old model: \`${report.models.old.dir}\` (sha256 ${report.models.old.sha256.slice(0, 12)}), new model: \`${report.models.new.dir}\` (sha256 ${report.models.new.sha256.slice(0, 12)}). ${report.cells.length} trained cells, ${(report.seconds / 60).toFixed(1)} min.`,
    '',
  );
  return lines.join('\n');
}
