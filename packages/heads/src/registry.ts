import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkIdentity, InputError, parseJson, type ModelIdentity } from '@hotplug/runtime';
import { DenseHead, type DenseHeadOptions } from './dense';
import type { ClassifierHead } from './head';
import { KnnHead, type KnnHeadOptions } from './knn';
import { CONFIG_FILE, HeadStoreError } from './store';

/** Options of each built-in head family, by name. */
export interface HeadOptionsByKind {
  linear: Omit<DenseHeadOptions, 'hidden'>;
  mlp: DenseHeadOptions;
  knn: KnnHeadOptions;
}

/** How a head family is made fresh and restored from disk. */
export interface HeadFactory<O = Record<string, unknown>> {
  create(options: O): ClassifierHead;
  load(dir: string): ClassifierHead;
}

/**
 * Checks a head's options (defaults filled in): a zod schema (any copy of zod: only `safeParse`
 * is used) or a function returning one line per problem.
 */
export type HeadOptionsValidator =
  | { safeParse(value: unknown): { success: boolean; error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }
  // biome-ignore lint/suspicious/noConfusingVoidType: public validator type; a validator that only throws or finds nothing may return no value
  | ((options: Record<string, unknown>) => readonly string[] | void);

/** A head family's options, as registerAdapter and registerLearner take them (the third argument of registerHead). */
export interface HeadSpec<O = Record<string, unknown>> {
  /** Every option with the value the head uses when it is not given; any other key is refused. */
  defaults: Required<O> | Readonly<Record<string, unknown>>;
  validate?: HeadOptionsValidator;
  /** One line: what the head is (listings, --help). */
  describe?: string;
}

/** A head kind or option that does not exist, or an option value the family's validator refuses. */
export class HeadOptionsError extends InputError {
  override name = 'HeadOptionsError';
}

interface Entry {
  factory: HeadFactory<never>;
  spec: HeadSpec;
}

// One registry per process on a global symbol: a plug-in that resolves its own copy of
// @hotplug/heads (its own node_modules, or the CommonJS build) registers where the app looks.
const KEY = Symbol.for('hotplug.heads.families');
const global = globalThis as { [KEY]?: Map<string, Entry> };
if (!global[KEY]) global[KEY] = new Map();
const factories: Map<string, Entry> = global[KEY];

/** Registers a head family under a unique name: registerHead(kind, { create, load }, { defaults, validate, describe }). */
export function registerHead<O>(kind: string, factory: HeadFactory<O>, spec?: HeadSpec<O>): void {
  if (factories.has(kind)) throw new HeadOptionsError(`a head family named "${kind}" is already registered`);
  factories.set(kind, { factory: factory as HeadFactory<never>, spec: (spec ?? { defaults: {} }) as HeadSpec });
}

/** A built-in, once per process (a second copy of this package finds it registered already). */
function registerBuiltIn<O>(kind: string, factory: HeadFactory<O>, spec: HeadSpec<O>): void {
  if (!factories.has(kind)) registerHead(kind, factory, spec);
}

/** Names of the registered head families. */
export function headKinds(): string[] {
  return [...factories.keys()];
}

/** Every registered family with its description and option defaults. */
export function listHeads(): { kind: string; description: string; defaults: Readonly<Record<string, unknown>> }[] {
  return [...factories].map(([kind, e]) => ({ kind, description: e.spec.describe ?? '', defaults: e.spec.defaults as Readonly<Record<string, unknown>> }));
}

function entryFor(kind: string): Entry {
  const f = factories.get(kind);
  if (!f) throw new HeadOptionsError(`unknown head kind "${kind}": registered kinds are ${headKinds().join(', ')}`);
  return f;
}

function checkOptions(kind: string, spec: HeadSpec, options: Record<string, unknown>): void {
  const defaults = spec.defaults as Record<string, unknown>;
  for (const key of Object.keys(options))
    if (!(key in defaults))
      throw new HeadOptionsError(`the ${kind} head has no option "${key}"; its options are: ${Object.keys(defaults).join(', ') || '(none)'}`);
  const v = spec.validate;
  if (!v) return;
  const full = { ...defaults, ...options };
  const problems =
    typeof v === 'function'
      ? [...(v(full) ?? [])]
      : (() => {
          const r = v.safeParse(full);
          return r.success ? [] : (r.error?.issues ?? []).map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`);
        })();
  if (problems.length) throw new HeadOptionsError(`invalid options for the ${kind} head:\n  - ${problems.join('\n  - ')}`);
}

/**
 * Makes an unfitted head of a registered family. Options are checked against the family's
 * defaults and validator; the head gets the options as given (it fills its own defaults, the ones listed).
 */
export function createHead<K extends keyof HeadOptionsByKind>(kind: K, options?: HeadOptionsByKind[K]): ClassifierHead;
export function createHead(kind: string, options?: Record<string, unknown>): ClassifierHead;
export function createHead(kind: string, options: Record<string, unknown> = {}): ClassifierHead {
  const e = entryFor(kind);
  checkOptions(kind, e.spec, options);
  return (e.factory as HeadFactory<Record<string, unknown>>).create(options);
}

export interface LoadHeadOptions {
  /** The encoder whose features the head will score; refused (IdentityMismatchError) if the head was trained on another. */
  space?: ModelIdentity;
  /** Use it anyway, with a warning. */
  force?: boolean;
  warn?: (message: string) => void;
}

/**
 * Loads a saved head of any registered family (the kind is read from head.json). With
 * `space`, checks the head was trained on features of that encoder (a head saved without a
 * fingerprint loads with a warning).
 */
export function loadHead(dir: string, options: LoadHeadOptions = {}): ClassifierHead {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) throw new HeadStoreError(`no saved head at ${dir}: ${CONFIG_FILE} is missing (save one with head.save(dir))`, path);
  const raw = parseJson(readFileSync(path, 'utf8'), path, 'the file is corrupt, save the head again', HeadStoreError);
  const kind = raw && typeof raw === 'object' ? (raw as { kind?: unknown }).kind : undefined;
  if (typeof kind !== 'string') throw new HeadStoreError(`${path} names no head kind`, path, 'kind');
  if (!factories.has(kind))
    throw new HeadStoreError(
      `${path}: unknown head kind "${kind}": registered kinds are ${headKinds().join(', ')} (a plug-in's head: load it with --plugin)`,
      path,
      'kind',
    );
  const head = entryFor(kind).factory.load(dir);
  checkIdentity(`the ${kind} head`, path, head.info?.space, options.space, { role: 'embedding space', force: options.force, warn: options.warn });
  return head;
}

// The values DenseHead and KnnHead use for options that are not given.
const DENSE = { epochs: 30, batchSize: 64, weightDecay: 0, normalize: true, seed: 0 };
registerBuiltIn<HeadOptionsByKind['linear']>(
  'linear',
  { create: (o) => new DenseHead('linear', o), load: (d) => DenseHead.load(d) },
  {
    defaults: { ...DENSE, learningRate: 1e-2 },
    describe: 'linear classifier (softmax regression) on L2-normalised features',
  },
);
registerBuiltIn<DenseHeadOptions>(
  'mlp',
  { create: (o) => new DenseHead('mlp', o), load: (d) => DenseHead.load(d) },
  {
    defaults: { hidden: [256], ...DENSE, learningRate: 3e-3 },
    describe: 'MLP classifier (ReLU hidden layers; learning rate 1e-2 when hidden is [])',
  },
);
registerBuiltIn<KnnHeadOptions>(
  'knn',
  { create: (o) => new KnnHead(o), load: (d) => KnnHead.load(d) },
  {
    defaults: { k: 5, weighting: 'uniform', temperature: 0.07 },
    describe: 'k-nearest neighbours by cosine similarity over the stored train features',
  },
);
