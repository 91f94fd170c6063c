import { Rng } from '@hotplug/runtime';
import type { LearnerInit, LearnerShape, PromptLearner } from './learner';
import type { PromptTarget } from './target';
import { ZeroshotLearner } from './learners/zeroshot';
import { COOP_DEFAULTS, CoopLearner } from './learners/coop';
import { COCOOP_DEFAULTS, CocoopLearner } from './learners/cocoop';
import { KGCOOP_DEFAULTS, KgcoopLearner } from './learners/kgcoop';
import { CONTCOOP_DEFAULTS, ContcoopLearner } from './learners/contcoop';

/** Builds a learner of one family from its options. */
export type LearnerFactory = (options: Record<string, unknown>, init: LearnerInit) => PromptLearner;

interface Entry {
  factory: LearnerFactory;
  defaults: Readonly<Record<string, unknown>>;
  description: string;
}

const REGISTRY = new Map<string, Entry>();

/** Adds a prompt-learner family under a name (options not in `defaults` are rejected). */
export function registerLearner(kind: string, factory: LearnerFactory, defaults: Readonly<Record<string, unknown>>, description: string): void {
  if (REGISTRY.has(kind)) throw new Error(`a prompt learner named "${kind}" is already registered`);
  REGISTRY.set(kind, { factory, defaults, description });
}

export function listLearners(): { kind: string; description: string; defaults: Readonly<Record<string, unknown>> }[] {
  return [...REGISTRY].map(([kind, e]) => ({ kind, description: e.description, defaults: e.defaults }));
}

export function learnerDefaults(kind: string): Readonly<Record<string, unknown>> {
  return entry(kind).defaults;
}

function entry(kind: string): Entry {
  const e = REGISTRY.get(kind);
  if (!e) throw new Error(`unknown prompt learner "${kind}"; registered: ${[...REGISTRY.keys()].join(', ')}`);
  return e;
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
  for (const key of Object.keys(options)) {
    if (!(key in e.defaults)) throw new Error(`prompt learner "${kind}" has no option "${key}"; its options are: ${Object.keys(e.defaults).join(', ') || '(none)'}`);
  }
  const isTarget = 'model' in target;
  const shape: LearnerShape = isTarget ? { tokenWidth: target.tokenWidth, embedDim: target.embedDim, numClasses: target.numClasses } : { ...target };
  return e.factory(options, { shape, rng: new Rng(create.seed ?? 0).fork(kind), target: isTarget ? target : undefined });
}

registerLearner('zeroshot', (_o, init) => new ZeroshotLearner({}, init), {}, 'hand-written templates (the reference)');
registerLearner('coop', (o, init) => new CoopLearner(o, init), COOP_DEFAULTS as unknown as Record<string, unknown>, 'CoOp: M learned context vectors, shared or class-specific');
registerLearner('cocoop', (o, init) => new CocoopLearner(o, init), COCOOP_DEFAULTS as unknown as Record<string, unknown>, 'CoCoOp: a meta-net adds an image-conditioned bias to the context');
registerLearner('kgcoop', (o, init) => new KgcoopLearner(o, init), KGCOOP_DEFAULTS as unknown as Record<string, unknown>, 'KgCoOp: CoOp + penalty towards the hand-written class features');
registerLearner('contcoop', (o, init) => new ContcoopLearner(o, init), CONTCOOP_DEFAULTS as unknown as Record<string, unknown>, 'ContCoOp: context attends over the class-name embeddings of the model in use, + zero-shot distillation');
