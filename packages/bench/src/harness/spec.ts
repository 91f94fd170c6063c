import { headKinds } from '@hotplug/heads';
import { InputError, validate } from '@hotplug/runtime';
import { z } from 'zod';
import type { StepRegistry } from './steps';

/** A benchmark spec that is malformed or names something unknown. */
export class SpecError extends InputError {
  override name = 'SpecError';
}

const id = z.string().min(1).max(200);
// Adapters are folders under the adapters root: a plain name, never a path that could leave it.
const adapterName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?!\.{1,2}$)[A-Za-z0-9._+-]+$/,
    'must be a plain name (letters, digits, ".", "_", "+", "-"): an adapter is a folder under the adapters root, not a path',
  );
const options = z.record(z.string(), z.unknown());

/**
 * The shape of an ExperimentSpec, checked before anything reads it: `"datasets": "mnist"` is
 * refused (not read as a list of letters), numbers must be numbers (`"seeds": ["1"]` refused),
 * and lists are bounded so a spec cannot ask for an absurd grid.
 */
export const ExperimentSpecSchema = z.strictObject({
  name: z.string().min(1).max(500),
  datasets: z.array(id).min(1).max(100),
  seeds: z
    .array(
      z
        .number()
        .int()
        .min(-(2 ** 31))
        .max(2 ** 31 - 1),
    )
    .min(1)
    .max(100),
  systems: z
    .array(z.strictObject({ id, model: id, adapter: adapterName.optional(), label: z.string().max(500).optional(), replicateOf: id.optional() }))
    .min(1)
    .max(100),
  heads: z
    .array(z.strictObject({ id, kind: id, options: options.optional(), seeded: z.boolean().optional() }))
    .max(100)
    .optional(),
  retrieval: z.strictObject({ ks: z.array(z.number().int().positive().max(1_000_000)).max(20).optional() }).optional(),
  learners: z
    .array(
      z.strictObject({
        id,
        learner: id,
        shots: z.array(z.number().int().nonnegative().max(100_000)).min(1).max(50),
        options: options.optional(),
        systems: z.array(id).max(100).optional(),
        testItems: z.number().int().positive().max(10_000_000).optional(),
        trainOn: z.array(id).max(100).optional(),
      }),
    )
    .max(100)
    .optional(),
  comparisons: z.array(z.strictObject({ old: id, new: id, adapted: z.array(id).max(100).optional() })).max(100),
  pairs: z.enum(['all', 'comparisons']).optional(),
  contrasts: z
    .array(
      z.strictObject({
        id,
        label: z.string().max(500).optional(),
        metric: id.optional(),
        a: z.strictObject({ method: id, query: id, reference: id, shots: z.number().int().nonnegative().optional() }),
        b: z.strictObject({ method: id, query: id, reference: id, shots: z.number().int().nonnegative().optional() }),
      }),
    )
    .max(200)
    .optional(),
  bootstrap: z
    .strictObject({
      resamples: z.number().int().min(1).max(1_000_000).optional(),
      level: z.number().gt(0).lt(1).optional(),
      seed: z
        .number()
        .int()
        .min(-(2 ** 31))
        .max(2 ** 31 - 1)
        .optional(),
    })
    .optional(),
});

/** Checks the shape of an experiment spec (from JSON or code); throws SpecError naming each wrong field. */
export function parseExperimentSpec(input: unknown, source = 'experiment spec'): ExperimentSpec {
  return validate(ExperimentSpecSchema, input, source, 'fix the spec (see the ExperimentSpec fields in @hotplug/bench)', SpecError) as ExperimentSpec;
}

/** A system under test: a model, optionally seen through an adapter. */
export interface SystemSpec {
  id: string;
  model: string;
  adapter?: string;
  /** Shown in reports; defaults to the id. */
  label?: string;
  /**
   * Another training seed of the system named here (an adapter trained again with another
   * seed): verdicts of that system pool it as one more random training run. It is evaluated
   * like any system (its own matrix row) but gets no verdict row of its own.
   */
  replicateOf?: string;
}

/** A downstream head trained on one system's train split and applied to every system's test split. */
export interface HeadSpec {
  id: string;
  kind: string;
  /** Passed to createHead; the grid's seed is added as `seed` when the head is seeded. */
  options?: Record<string, unknown>;
  /**
   * Whether training depends on the seed. A seeded head (linear, MLP) is trained once per
   * grid seed and its seeds are pooled in the verdict; an unseeded one (kNN: default false)
   * is built once, seed null, and counts as one measurement.
   */
  seeded?: boolean;
}

// Head families whose fit has no randomness: repeating them over seeds would repeat one measurement.
const DETERMINISTIC_HEAD_KINDS = new Set(['knn']);

/** Whether a head is trained per seed (HeadSpec.seeded, else false for kNN and true for the others). */
export function isSeededHead(spec: HeadSpec): boolean {
  return spec.seeded ?? !DETERMINISTIC_HEAD_KINDS.has(spec.kind);
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
  /**
   * Evaluate on a sample of this many test items instead of the whole test split: the
   * benchmark's one sampling policy (sampleTestIndices: class-stratified, seeded by the
   * learner's id, the same items for every system and seed). For learners whose evaluation
   * is costly — CoCoOp builds a prompt per image. Verdicts and contrasts pair such a cell
   * with the other side on the items both scored.
   */
  testItems?: number;
  /**
   * The systems it is trained on (default: every one of `systems`); it is still evaluated on
   * all of them. ContCoOp's protocol trains on old only and plugs the prompts into the new
   * models, so the new models' own prompt learners can be left out of a costly grid.
   */
  trainOn?: string[];
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
  /**
   * Which (reference, query) system pairs the grid evaluates. 'all' (the default): the full
   * matrix, every module built on every system applied to every system. 'comparisons': what
   * the verdicts, bars and contrasts read: each system on its own module (the diagonal; not for replicates), the
   * comparisons' old module on their new and adapted systems (replicates included), and the
   * contrasts' cells; cross pairs such as a head built on one adapter applied to another stay
   * out of the grid (shown as "not in the grid"). Cells grow with systems, not systems².
   */
  pairs?: 'all' | 'comparisons';
  /** Extra paired comparisons of two cells, M(a) − M(b), for references other than M(old, old) (see ContrastSpec). */
  contrasts?: ContrastSpec[];
  /** The paired bootstrap behind every verdict's interval (defaults: 1000 resamples, 95 %, seed 0). */
  bootstrap?: BootstrapSpec;
}

/** One cell of the grid, on every dataset and seed: a method (head id, learner id or 'retrieval'), its query and reference systems, and the shot count for learners. */
export interface CellSelector {
  method: string;
  query: string;
  reference: string;
  shots?: number;
}

/**
 * M(a) − M(b) with a paired-bootstrap interval, for the comparisons a paper makes that are not
 * M(old, old): e.g. ContCoOp trained on old and plugged into new (`a`) against the new model's
 * zero-shot (`b`: the zero-shot learner with query = reference = new). Runs pair by seed; a
 * deterministic side pairs with every run of the other.
 */
export interface ContrastSpec {
  id: string;
  label?: string;
  /** Default: accuracy (mAP for retrieval). */
  metric?: string;
  a: CellSelector;
  b: CellSelector;
}

/** Options of the verdicts' paired bootstrap; part of the spec so a report says how its intervals were made. */
export interface BootstrapSpec {
  resamples?: number;
  level?: number;
  seed?: number;
}

function unique(what: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new SpecError(`spec: two ${what} are named "${id}"; give each a distinct id`);
    seen.add(id);
  }
}

function known(what: string, name: string, names: Iterable<string>): void {
  const list = [...names];
  if (!list.includes(name)) throw new SpecError(`spec: unknown ${what} "${name}"; known: ${list.join(', ') || '(none registered)'}`);
}

/** Checks a spec's shape (parseExperimentSpec), then against itself and the registered steps, with errors that say what to fix. */
export function validateSpec(spec: ExperimentSpec, steps: StepRegistry): void {
  parseExperimentSpec(spec);
  unique('datasets', spec.datasets);
  unique('seeds', spec.seeds.map(String));
  unique(
    'systems',
    spec.systems.map((s) => s.id),
  );
  unique(
    'heads',
    (spec.heads ?? []).map((h) => h.id),
  );
  unique(
    'learners',
    (spec.learners ?? []).map((l) => l.id),
  );
  for (const s of spec.systems) {
    known('model', s.model, steps.models.keys());
    if (s.adapter !== undefined) known('adapter', s.adapter, steps.adapters.keys());
    if (s.replicateOf !== undefined) {
      known(
        `system that "${s.id}" replicates`,
        s.replicateOf,
        spec.systems.map((x) => x.id),
      );
      const target = spec.systems.find((x) => x.id === s.replicateOf)!;
      if (target.id === s.id || target.replicateOf !== undefined) {
        throw new SpecError(
          `spec: system "${s.id}" replicates "${target.id}", which is ${target.id === s.id ? 'itself' : 'a replicate too'}; name the first seed's system`,
        );
      }
    }
  }
  for (const h of spec.heads ?? []) known('head kind', h.kind, headKinds());
  for (const l of spec.learners ?? []) {
    known('learner', l.learner, steps.learners.keys());
    for (const id of l.systems ?? [])
      known(
        `system of learner "${l.id}"`,
        id,
        spec.systems.map((s) => s.id),
      );
    for (const id of l.trainOn ?? []) known(`system learner "${l.id}" trains on`, id, l.systems ?? spec.systems.map((s) => s.id));
    if (l.shots.length === 0 || !l.shots.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new SpecError(`spec: learner "${l.id}" shots must be integers >= 0 (0: a learner that uses no training images, like zero-shot), got [${l.shots}]`);
    }
  }
  for (const k of spec.retrieval?.ks ?? []) {
    if (!Number.isInteger(k) || k <= 0) throw new SpecError(`spec: retrieval ks must be positive integers, got ${k}`);
  }
  const systemIds = spec.systems.map((s) => s.id);
  for (const c of spec.comparisons) {
    for (const id of [c.old, c.new, ...(c.adapted ?? [])]) known('system in a comparison', id, systemIds);
  }
  unique(
    'contrasts',
    (spec.contrasts ?? []).map((c) => c.id),
  );
  const methods = [...(spec.heads ?? []).map((h) => h.id), ...(spec.learners ?? []).map((l) => l.id), ...(spec.retrieval ? ['retrieval'] : [])];
  for (const c of spec.contrasts ?? []) {
    for (const side of [c.a, c.b]) {
      known(`method in contrast "${c.id}"`, side.method, methods);
      for (const id of [side.query, side.reference]) known(`system in contrast "${c.id}"`, id, systemIds);
    }
  }
  if (!spec.heads?.length && !spec.retrieval && !spec.learners?.length) {
    throw new SpecError('spec: nothing to evaluate; add heads, retrieval or learners');
  }
}
