import { join } from 'node:path';
import { resolveModelSource } from '@hotplug/backbones';
import {
  StepRegistry,
  promptLearnerContrasts,
  runExperiment,
  writeHtmlReport,
  writeJsonReport,
  writeMarkdownReport,
  markdownReport,
  type ReportWithTasks,
} from '@hotplug/bench';
import { listLearners } from '@hotplug/contcoop';
import { EMBEDDED_MODELS, embeddedModelDir } from '@hotplug/models';
import { adapterVariants, type BenchSpec } from './spec';
import { Workspace } from './systems';
import { AdapterSteps } from './steps/adapters';
import { MapSteps, parseMapsSpec } from './steps/maps';
import { promptLearner } from './steps/prompts';
import { runDownstreamTasks } from './steps/tasks';
import { zeroShotLearner } from './steps/zeroshot';

export interface BenchRunOptions {
  /** Folders that replace the spec's models named "old" and "new" (default: the embedded pair). */
  models?: Partial<Record<'old' | 'new', string>>;
  /** Folder with one trained adapter per variant (apps/taca's output). */
  adaptersRoot: string;
  /** Reports go here: report.json, report.md, report.html. */
  outDir: string;
  /** Features, trained heads and learners, and cell results; a rerun computes only what changed. */
  cacheDir: string;
  progress?: NodeJS.WritableStream | false;
}

export interface BenchRunResult {
  report: ReportWithTasks;
  markdown: string;
  paths: { json: string; markdown: string; html: string };
}

/**
 * The folder of every model a spec names: `--old` / `--new` for those two names, otherwise a
 * registered name (@hotplug/models' embedded models) or a folder path, relative to the spec
 * file's folder, of any kind loadClip reads.
 */
export function specModelDirs(spec: BenchSpec, names: Iterable<string>, overrides: Partial<Record<string, string>> = {}): Record<string, string> {
  const registered = Object.fromEntries(EMBEDDED_MODELS.map((n) => [n, embeddedModelDir(n)]));
  const dirs: Record<string, string> = {};
  for (const name of new Set(names))
    dirs[name] =
      overrides[name] ??
      resolveModelSource(name, { registered, ...(spec.baseDir ? { baseDir: spec.baseDir } : {}), source: `${spec.file ?? 'spec'}: model "${name}"` }).dir;
  return dirs;
}

/** Registers the models, adapters and learners a spec names, runs the grid and writes the reports. */
export async function runBenchmark(spec: BenchSpec, options: BenchRunOptions): Promise<BenchRunResult> {
  const mapsSpec = spec.maps ? parseMapsSpec(spec.maps) : undefined;
  const modelNames = [...spec.experiment.systems.map((s) => s.model), ...(mapsSpec ? [mapsSpec.fit.from, mapsSpec.fit.to] : [])];
  const limits = { ...(spec.data ?? {}), ...(spec.tasks ? { taskItems: spec.tasks.items } : {}) };
  const ws = new Workspace(specModelDirs(spec, modelNames, options.models ?? {}), limits);
  try {
    const mapIds = mapsSpec ? Object.keys(mapsSpec.variants) : [];
    const adapters = AdapterSteps.fromRoot(ws, options.adaptersRoot, adapterVariants(spec.experiment, mapIds));
    const maps = mapsSpec ? new MapSteps(ws, adapters, mapsSpec, spec.experiment.datasets) : undefined;
    const steps = new StepRegistry();
    for (const name of new Set(spec.experiment.systems.map((s) => s.model))) {
      steps.model(name, {
        version: `${ws.model(name).version}-${ws.dataVersion}`,
        extract: ({ dataset, split }) => adapters.features(name, undefined, dataset, split),
      });
    }
    for (const variant of adapterVariants(spec.experiment, mapIds)) steps.adapter(variant, adapters.step(variant));
    for (const id of maps?.ids() ?? []) steps.adapter(id, maps!.step(id));
    const promptKinds = new Set(listLearners().map((l) => l.kind));
    for (const l of spec.experiment.learners ?? []) {
      if (steps.learners.has(l.learner)) continue;
      if (l.learner === 'zeroshot') steps.learner('zeroshot', zeroShotLearner(ws, adapters));
      else if (promptKinds.has(l.learner))
        steps.learner(l.learner, promptLearner(ws, adapters, l.learner, { ...spec.promptTraining, ...spec.learnerTraining?.[l.learner] }));
      else throw new Error(`spec: learner "${l.learner}" is neither "zeroshot" nor a prompt learner of @hotplug/contcoop (${[...promptKinds].join(', ')})`);
    }
    // ContCoOp's reference: every prompt learner plugged into new against the new model's own zero-shot.
    const experiment = { ...spec.experiment, contrasts: [...(spec.experiment.contrasts ?? []), ...promptLearnerContrasts(spec.experiment)] };
    const report: ReportWithTasks = await runExperiment(experiment, steps, { cacheDir: options.cacheDir, progress: options.progress });
    // TaCA's protocol: every comparison's systems on the downstream tasks, through the same feature steps.
    if (spec.tasks)
      report.tasks = await runDownstreamTasks(ws, adapters, steps, spec.experiment, spec.tasks, { cacheDir: options.cacheDir, progress: options.progress });
    const paths = { json: join(options.outDir, 'report.json'), markdown: join(options.outDir, 'report.md'), html: join(options.outDir, 'report.html') };
    writeJsonReport(paths.json, report);
    writeMarkdownReport(paths.markdown, report);
    writeHtmlReport(paths.html, report);
    return { report, markdown: markdownReport(report), paths };
  } finally {
    ws.dispose();
  }
}
