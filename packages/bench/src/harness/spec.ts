import { headKinds } from '@hotplug/heads';
import type { StepRegistry } from './steps';

/** A system under test: a model, optionally seen through an adapter. */
export interface SystemSpec {
  id: string;
  model: string;
  adapter?: string;
  /** Shown in reports; defaults to the id. */
  label?: string;
}

/** A downstream head trained on one system's train split and applied to every system's test split. */
export interface HeadSpec {
  id: string;
  kind: string;
  /** Passed to createHead; the grid's seed is added as `seed`. */
  options?: Record<string, unknown>;
}

/** A few-shot learner run at several shot counts. */
export interface LearnerSpec {
  id: string;
  /** Registered learner step name. */
  learner: string;
  shots: number[];
  options?: Record<string, unknown>;
  /** Systems it is trained on and evaluated on (default: all). Prompt learners need a text encoder, so adapted image encoders are usually left out. */
  systems?: string[];
}

/** One upgrade to judge: old → new, and adapted versions of new that aim at old's space. */
export interface ComparisonSpec {
  old: string;
  new: string;
  adapted?: string[];
}

/**
 * The whole experiment as data. The grid is datasets × seeds × (heads ∪ retrieval ∪
 * learners × shots) × reference system × query system.
 */
export interface ExperimentSpec {
  name: string;
  datasets: string[];
  seeds: number[];
  systems: SystemSpec[];
  heads?: HeadSpec[];
  /** Cross-model retrieval (gallery = reference system's train split, queries = query system's test split). */
  retrieval?: { ks?: number[] };
  learners?: LearnerSpec[];
  comparisons: ComparisonSpec[];
}

function unique(what: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`spec: two ${what} are named "${id}"; give each a distinct id`);
    seen.add(id);
  }
}

function known(what: string, name: string, names: Iterable<string>): void {
  const list = [...names];
  if (!list.includes(name)) throw new Error(`spec: unknown ${what} "${name}"; known: ${list.join(', ') || '(none registered)'}`);
}

/** Checks a spec against itself and the registered steps, with errors that say what to fix. */
export function validateSpec(spec: ExperimentSpec, steps: StepRegistry): void {
  if (!spec.name) throw new Error('spec: name is required');
  if (spec.datasets.length === 0) throw new Error('spec: list at least one dataset');
  if (spec.seeds.length === 0 || !spec.seeds.every(Number.isInteger)) throw new Error('spec: seeds must be a non-empty list of integers');
  if (spec.systems.length === 0) throw new Error('spec: list at least one system');
  unique('datasets', spec.datasets);
  unique('seeds', spec.seeds.map(String));
  unique('systems', spec.systems.map((s) => s.id));
  unique('heads', (spec.heads ?? []).map((h) => h.id));
  unique('learners', (spec.learners ?? []).map((l) => l.id));
  for (const s of spec.systems) {
    known('model', s.model, steps.models.keys());
    if (s.adapter !== undefined) known('adapter', s.adapter, steps.adapters.keys());
  }
  for (const h of spec.heads ?? []) known('head kind', h.kind, headKinds());
  for (const l of spec.learners ?? []) {
    known('learner', l.learner, steps.learners.keys());
    for (const id of l.systems ?? []) known(`system of learner "${l.id}"`, id, spec.systems.map((s) => s.id));
    if (l.shots.length === 0 || !l.shots.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new Error(`spec: learner "${l.id}" shots must be integers >= 0 (0: a learner that uses no training images, like zero-shot), got [${l.shots}]`);
    }
  }
  for (const k of spec.retrieval?.ks ?? []) {
    if (!Number.isInteger(k) || k <= 0) throw new Error(`spec: retrieval ks must be positive integers, got ${k}`);
  }
  const systemIds = spec.systems.map((s) => s.id);
  for (const c of spec.comparisons) {
    for (const id of [c.old, c.new, ...(c.adapted ?? [])]) known('system in a comparison', id, systemIds);
  }
  if (!spec.heads?.length && !spec.retrieval && !spec.learners?.length) {
    throw new Error('spec: nothing to evaluate; add heads, retrieval or learners');
  }
}
