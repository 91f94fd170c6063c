import {
  ArtefactCache,
  cellKey,
  evaluateTask,
  SpecError,
  taskVerdicts,
  type DownstreamTasksSection,
  type ExperimentSpec,
  type StepRegistry,
  type TaskModuleEvaluation,
  type TaskSystem,
} from '@hotplug/bench';
import { listTasks } from '@hotplug/data';
import { ProgressBar } from '@hotplug/runtime';
import { z } from 'zod';
import { taskDatasetName, type Workspace } from '../systems';
import type { AdapterSteps } from './adapters';

const count = z.number().int().positive().max(1_000_000);

/**
 * The spec's "tasks" section: which of @hotplug/data's downstream tasks every comparison's
 * systems are evaluated on (TaCA's protocol), and with how many items.
 */
export const TasksSpecSchema = z.strictObject({
  /** "all" (every registered task) or task names. */
  include: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]),
  /** Items per task: one count for every task, or per task name (absent: the task's default). Scene tasks are generated at it; Fashion-MNIST / MNIST are cut to it (stratified). */
  items: z.union([count, z.record(z.string(), count)]).optional(),
  /** Epochs of the old model's linear probes (default 40, as the model card). */
  probeEpochs: count.optional(),
});

export type TasksSpecInput = z.input<typeof TasksSpecSchema>;

export interface TasksSpec {
  tasks: string[];
  items: Record<string, number | undefined>;
  probeEpochs: number;
}

/** Checks the "tasks" section (unknown task names, items for a task not included) before anything runs. */
export function parseTasksSpec(input: unknown, where = 'spec "tasks"'): TasksSpec {
  const r = TasksSpecSchema.safeParse(input);
  if (!r.success) throw new SpecError(`${where} is invalid:\n${z.prettifyError(r.error)}`, where, 'tasks');
  const known = listTasks();
  const tasks = r.data.include === 'all' ? known : r.data.include;
  for (const t of tasks)
    if (!known.includes(t)) throw new SpecError(`${where}: unknown task "${t}"; registered tasks: ${known.join(', ')}`, where, 'tasks.include');
  if (new Set(tasks).size !== tasks.length) throw new SpecError(`${where}: a task is listed twice in "include"`, where, 'tasks.include');
  const items: Record<string, number | undefined> = {};
  if (typeof r.data.items === 'object') {
    for (const t of Object.keys(r.data.items))
      if (!tasks.includes(t)) throw new SpecError(`${where}: items names "${t}", which "include" does not list`, where, 'tasks.items');
  }
  for (const t of tasks) items[t] = typeof r.data.items === 'number' ? r.data.items : r.data.items?.[t];
  return { tasks, items, probeEpochs: r.data.probeEpochs ?? 40 };
}

/**
 * The systems each reference is compared with: every comparison's old system with its new and
 * adapted ones (comparisons sharing an old system pooled), each followed by its replicates
 * (systems whose replicateOf names it: other adapter seeds, pooled into its verdicts).
 */
export function taskGroups(experiment: ExperimentSpec): { reference: string; systems: string[]; replicates: Record<string, string[]> }[] {
  const groups = new Map<string, { systems: string[]; replicates: Record<string, string[]> }>();
  for (const c of experiment.comparisons) {
    const g = groups.get(c.old) ?? { systems: [c.old], replicates: {} };
    for (const s of [c.new, ...(c.adapted ?? [])]) {
      if (g.systems.includes(s)) continue;
      const reps = experiment.systems.filter((x) => x.replicateOf === s).map((x) => x.id);
      g.systems.push(s, ...reps);
      if (reps.length) g.replicates[s] = reps;
    }
    groups.set(c.old, g);
  }
  return [...groups].map(([reference, g]) => ({ reference, ...g }));
}

// Bumped when the task evaluation's output changes for the same inputs (part of every task cache key).
const TASKS_VERSION = 'tasks-v1';

/**
 * Every comparison's systems on the spec's downstream tasks: each system's features come from
 * the same feature steps as the grid's (the model, its TaCA adapter or post-hoc map, images in
 * the model's own input format), the modules are the old system's. Features of each
 * (system, task part) and each group's evaluation are cached in the run's cache folder; a rerun
 * with the same versions reads them.
 */
export async function runDownstreamTasks(
  ws: Workspace,
  adapters: AdapterSteps,
  steps: StepRegistry,
  experiment: ExperimentSpec,
  spec: TasksSpec,
  options: { cacheDir: string; progress?: NodeJS.WritableStream | false },
): Promise<DownstreamTasksSection> {
  const cache = new ArtefactCache(options.cacheDir);
  const groups = taskGroups(experiment);
  const bar =
    options.progress === false
      ? undefined
      : new ProgressBar({
          total: groups.length * spec.tasks.length,
          label: 'downstream tasks',
          unit: 'task',
          ...(options.progress ? { stream: options.progress } : {}),
        });
  const systemOf = (id: string) => {
    const s = experiment.systems.find((x) => x.id === id);
    if (!s) throw new SpecError(`system "${id}" of a comparison is not among the spec's systems`, 'spec', 'experiment.comparisons');
    return s;
  };
  const versionOf = (id: string) => {
    const s = systemOf(id);
    return { model: steps.models.get(s.model)!.version, ...(s.adapter ? { adapter: steps.adapters.get(s.adapter)!.version } : {}) };
  };
  const section: DownstreamTasksSection = { tasks: [], verdicts: [] };
  try {
    for (const task of spec.tasks) {
      let items = 0;
      for (const g of groups) {
        const ref = systemOf(g.reference);
        const model = ws.model(ref.model);
        const data = ws.task(task, ws.inputFormat(ref.model));
        const systems: TaskSystem[] = g.systems.map((id) => {
          const s = systemOf(id);
          return {
            id,
            features: async (part) => {
              const key = cellKey({ kind: 'task-features', v: TASKS_VERSION, task: ws.taskVersion(task), part, system: versionOf(id) });
              const hit = cache.readFeatures(key);
              if (hit) return hit.features;
              const set = await adapters.features(s.model, s.adapter, taskDatasetName(task, part), 'test');
              cache.writeFeatures(key, set, id, { task, part, system: id });
              return set.features;
            },
          };
        });
        const evalKey = cellKey({
          kind: 'task-evaluation',
          v: TASKS_VERSION,
          task: ws.taskVersion(task),
          reference: g.reference,
          probeEpochs: spec.probeEpochs,
          systems: g.systems.map((id) => ({ id, ...versionOf(id) })),
        });
        let evals = cache.readJson<TaskModuleEvaluation[]>('tasks', evalKey);
        if (!evals) {
          evals = await evaluateTask(data, { system: g.reference, model }, systems, { probe: { epochs: spec.probeEpochs, seed: 0 } });
          cache.writeJson('tasks', evalKey, evals);
        }
        items = evals[0]?.items ?? 0;
        const boot = experiment.bootstrap ?? {};
        section.verdicts.push(
          ...taskVerdicts(
            evals,
            {
              ...(boot.resamples !== undefined ? { resamples: boot.resamples } : {}),
              ...(boot.level !== undefined ? { level: boot.level } : {}),
              seed: boot.seed ?? 0,
            },
            g.replicates,
          ),
        );
        bar?.tick(1, { task });
      }
      section.tasks.push({ task, items });
    }
  } finally {
    bar?.finish();
  }
  return section;
}
