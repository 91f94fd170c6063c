import { Rng } from '@hotplug/runtime';
import { LearnerOptionError } from './learners/context';
import type { LearnerInit, LearnerShape, PromptLearner } from './learner';
import type { PromptTarget } from './target';
import { ZeroshotLearner } from './learners/zeroshot';
import { COOP_DEFAULTS, CoopLearner } from './learners/coop';
import { COCOOP_DEFAULTS, CocoopLearner } from './learners/cocoop';
import { KGCOOP_DEFAULTS, KgcoopLearner } from './learners/kgcoop';
import { CONTCOOP_DEFAULTS, ContcoopLearner } from './learners/contcoop';

/** Builds a learner of one family from its options. */
export type LearnerFactory = (options: Record<string, unknown>, init: LearnerInit) => PromptLearner;

/**
 * Checks a learner's options (defaults filled in): a zod schema (any copy of zod: only
 * `safeParse` is used) or a function returning one line per problem.
 */
export type LearnerOptionsValidator =
  | { safeParse(value: unknown): { success: boolean; error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }
  // biome-ignore lint/suspicious/noConfusingVoidType: public validator type; a validator that only throws or finds nothing may return no value
  | ((options: Record<string, unknown>) => readonly string[] | void);

/** How a learner family's options are described, defaulted and checked (the third argument of registerLearner). */
export interface LearnerSpec {
  /** Every option with its default; any other key is refused. */
  defaults: Readonly<Record<string, unknown>>;
  validate?: LearnerOptionsValidator;
  /** One line: what the learner does (listings, --help). */
  describe?: string;
}

interface Entry {
  factory: LearnerFactory;
  spec: LearnerSpec;
}

// One registry per process on a global symbol: a plug-in that resolves its own copy of
// @hotplug/contcoop (its own node_modules, or the CommonJS build) registers where the app looks.
const KEY = Symbol.for('hotplug.contcoop.learners');
const global = globalThis as { [KEY]?: Map<string, Entry> };
if (!global[KEY]) global[KEY] = new Map();
const REGISTRY: Map<string, Entry> = global[KEY];

/** Adds a prompt-learner family under a unique name: registerLearner(kind, factory, { defaults, validate, describe }). */
export function registerLearner(kind: string, factory: LearnerFactory, spec: LearnerSpec): void {
  if (!kind || typeof kind !== 'string') throw new LearnerOptionError('registerLearner needs a non-empty kind');
  if (REGISTRY.has(kind)) throw new LearnerOptionError(`a prompt learner named "${kind}" is already registered`);
  REGISTRY.set(kind, { factory, spec });
}

/** A built-in, once per process (a second copy of this package finds it registered already). */
function registerBuiltIn(kind: string, factory: LearnerFactory, spec: LearnerSpec): void {
  if (!REGISTRY.has(kind)) registerLearner(kind, factory, spec);
}

export function listLearners(): { kind: string; description: string; defaults: Readonly<Record<string, unknown>> }[] {
  return [...REGISTRY].map(([kind, e]) => ({ kind, description: e.spec.describe ?? '', defaults: e.spec.defaults }));
}

export function learnerDefaults(kind: string): Readonly<Record<string, unknown>> {
  return entry(kind).spec.defaults;
}

function entry(kind: string): Entry {
  const e = REGISTRY.get(kind);
  if (!e)
    throw new LearnerOptionError(
      `unknown prompt learner "${kind}"; registered: ${[...REGISTRY.keys()].join(', ')} (add one with registerLearner, or load a plug-in with --plugin)`,
    );
  return e;
}

function checkOptions(kind: string, spec: LearnerSpec, options: Record<string, unknown>): void {
  for (const key of Object.keys(options)) {
    if (!(key in spec.defaults))
      throw new LearnerOptionError(`prompt learner "${kind}" has no option "${key}"; its options are: ${Object.keys(spec.defaults).join(', ') || '(none)'}`);
  }
  const v = spec.validate;
  if (!v) return;
  const full = { ...spec.defaults, ...options };
  const problems =
    typeof v === 'function'
      ? [...(v(full) ?? [])]
      : (() => {
          const r = v.safeParse(full);
          return r.success ? [] : (r.error?.issues ?? []).map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`);
        })();
  if (problems.length) throw new LearnerOptionError(`invalid options for prompt learner "${kind}":\n  - ${problems.join('\n  - ')}`);
}

export interface CreateLearnerOptions {
  /** Seed of the random initialisation (default 0). */
  seed?: number | string;
  /** Learner options (see each family's defaults). */
  options?: Record<string, unknown>;
}

/** A new learner for a target (its shape and, for `initText`, its token embeddings come from the target's model). */
export function createLearner(kind: string, target: PromptTarget | LearnerShape, create: CreateLearnerOptions = {}): PromptLearner {
  const e = entry(kind);
  const options = create.options ?? {};
  checkOptions(kind, e.spec, options);
  const isTarget = 'model' in target;
  const shape: LearnerShape = isTarget ? { tokenWidth: target.tokenWidth, embedDim: target.embedDim, numClasses: target.numClasses } : { ...target };
  return e.factory(options, { shape, rng: new Rng(create.seed ?? 0).fork(kind), target: isTarget ? target : undefined });
}

const asOptions = (defaults: object) => defaults as unknown as Record<string, unknown>;
registerBuiltIn('zeroshot', (_o, init) => new ZeroshotLearner({}, init), { defaults: {}, describe: 'hand-written templates (the reference)' });
registerBuiltIn('coop', (o, init) => new CoopLearner(o, init), {
  defaults: asOptions(COOP_DEFAULTS),
  describe: 'CoOp: M learned context vectors, shared or class-specific',
});
registerBuiltIn('cocoop', (o, init) => new CocoopLearner(o, init), {
  defaults: asOptions(COCOOP_DEFAULTS),
  describe: 'CoCoOp: a meta-net adds an image-conditioned bias to the context',
});
registerBuiltIn('kgcoop', (o, init) => new KgcoopLearner(o, init), {
  defaults: asOptions(KGCOOP_DEFAULTS),
  describe: 'KgCoOp: CoOp + penalty towards the hand-written class features',
});
registerBuiltIn('contcoop', (o, init) => new ContcoopLearner(o, init), {
  defaults: asOptions(CONTCOOP_DEFAULTS),
  describe: 'ContCoOp: context attends over the class-name embeddings of the model in use, + zero-shot distillation',
});
