import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseExperimentSpec, SpecError, type ExperimentSpec } from '@hotplug/bench';
import type { PromptTrainConfig } from '@hotplug/contcoop';
import { listDatasets } from '@hotplug/data';
import { parseJson, validate } from '@hotplug/runtime';
import { z } from 'zod';
import type { DataLimits } from './systems';
import type { MapsSpecInput } from './steps/maps';
import { parseTasksSpec, type TasksSpec } from './steps/tasks';
import { resolveUserDatasets, UserDatasetsSchema } from './user-datasets';

/** A benchmark file: the experiment grid plus how much data and prompt training it uses. */
export interface BenchSpec {
  experiment: ExperimentSpec;
  data?: DataLimits;
  promptTraining?: Partial<PromptTrainConfig>;
  /** Per prompt-learner kind, fields that replace promptTraining's for that learner (e.g. CoCoOp's small batches). */
  learnerTraining?: Record<string, Partial<PromptTrainConfig>>;
  /** Post-hoc maps (Procrustes, low-rank, residual MLP…) that systems may name as their adapter. */
  maps?: MapsSpecInput;
  /** Downstream tasks every comparison's systems are evaluated on (the old model's modules, each system's features). */
  tasks?: TasksSpec;
  /** The spec file and its folder (set by readBenchSpec): a system's model given as a relative path is taken from that folder. */
  file?: string;
  baseDir?: string;
}

const count = z.number().int().positive().max(10_000_000);

/** The numeric fields of PromptTrainConfig a spec may set (paths and callbacks are not the spec's to set). */
const PromptTrainingSchema = z.strictObject({
  steps: count.optional(),
  batchSize: count.optional(),
  lr: z.number().positive().max(10).optional(),
  warmupSteps: z.number().int().nonnegative().max(10_000_000).optional(),
  weightDecay: z.number().nonnegative().max(10).optional(),
  clipGradNorm: z.number().positive().optional(),
  seed: z.number().int().optional(),
  checkpointEvery: count.optional(),
});

/**
 * The file's own sections. `experiment` is checked by @hotplug/bench's parseExperimentSpec,
 * `maps` by parseMapsSpec and `tasks` by parseTasksSpec; the prompt-training overrides are the numeric fields of
 * PromptTrainConfig only (paths and callbacks are not the spec's to set).
 */
const BenchSpecSchema = z.strictObject({
  experiment: z.unknown(),
  data: z.strictObject({ trainImages: count.optional(), testImages: count.optional(), userDatasets: UserDatasetsSchema.optional() }).optional(),
  promptTraining: PromptTrainingSchema.optional(),
  learnerTraining: z.record(z.string().min(1).max(100), PromptTrainingSchema).optional(),
  maps: z.unknown().optional(),
  tasks: z.unknown().optional(),
});

const FIX = 'fix the spec file (apps/bench/specs/default.json shows every section)';

/** Reads and validates a benchmark spec file before anything uses it (SpecError naming each wrong field). */
export function readBenchSpec(path: string): BenchSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SpecError(`cannot read benchmark spec ${path}: ${(err as Error).message}`, path);
  }
  const raw = parseJson(text, path, FIX, SpecError);
  const spec = validate(BenchSpecSchema, raw, path, FIX, SpecError);
  if (spec.experiment === undefined)
    throw new SpecError(`${path}: "experiment" (the grid: datasets, seeds, systems, heads, learners, comparisons) is missing`, path, 'experiment');
  const experiment = parseExperimentSpec(spec.experiment, `${path} "experiment"`);
  const baseDir = dirname(resolve(path));
  const user = spec.data?.userDatasets ? resolveUserDatasets(spec.data.userDatasets, baseDir) : undefined;
  const registered = listDatasets();
  for (const name of Object.keys(user ?? {}))
    if (registered.includes(name))
      throw new SpecError(
        `${path}: data.userDatasets."${name}" has the name of a registered dataset; give yours another name`,
        path,
        `data.userDatasets.${name}`,
      );
  for (const name of experiment.datasets)
    if (!registered.includes(name) && !user?.[name])
      throw new SpecError(
        `${path}: experiment.datasets names "${name}", which is neither a registered dataset (${registered.join(', ')}) nor one of data.userDatasets (${Object.keys(user ?? {}).join(', ') || 'none'})`,
        path,
        'experiment.datasets',
      );

  const data = spec.data ? { ...spec.data, ...(user ? { userDatasets: user } : {}) } : undefined;
  return {
    ...spec,
    ...(data ? { data } : {}),
    experiment,
    ...(spec.maps !== undefined ? { maps: spec.maps as MapsSpecInput } : {}),
    ...(spec.tasks !== undefined ? { tasks: parseTasksSpec(spec.tasks, `${path} "tasks"`) } : {}),
    file: resolve(path),
    baseDir,
  } as BenchSpec;
}

/** TaCA adapter variants the systems of a spec use (names of the spec's post-hoc maps excluded). */
export function adapterVariants(spec: ExperimentSpec, mapIds: readonly string[] = []): string[] {
  return [...new Set(spec.systems.flatMap((s) => (s.adapter && !mapIds.includes(s.adapter) ? [s.adapter] : [])))];
}
