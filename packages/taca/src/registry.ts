import { InputError } from '@hotplug/runtime';
import type { Adapter, AdapterTarget } from './adapter';
import { ADAPTER_DEFAULTS, SHARED_FIELDS, sharedConfigProblems, type AdapterConfig, type AdapterConfigInput } from './config';

/** Builds one adapter family's variables and hooks for a target encoder. */
export type AdapterFactory<O extends object = Record<string, unknown>> = (config: AdapterConfig<O>, target: AdapterTarget) => Adapter;

/**
 * Checks a variant's options (defaults already filled in): a zod schema (any copy of zod: only
 * `safeParse` is used; its parsed value replaces the options), or a function returning one line
 * per problem.
 */
export type OptionsValidator<O> =
  | {
      safeParse(
        value: unknown,
      ): { success: true; data: O } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
    }
  // biome-ignore lint/suspicious/noConfusingVoidType: public validator type; a validator that only throws or finds nothing may return no value
  | ((options: O) => readonly string[] | void);

/** How a variant's options are described, defaulted and checked (the third argument of registerAdapter). */
export interface AdapterVariantSpec<O extends object> {
  /** Every option the variant has, with its default; any other key is refused. */
  defaults: O;
  validate?: OptionsValidator<O>;
  /** One line: what the variant adds where (shown by `listAdapters()` and the apps' --help). */
  describe?: string;
}

/** A registered variant as `listAdapters()` shows it. */
export interface AdapterVariantInfo {
  name: string;
  description: string;
  defaults: Readonly<Record<string, unknown>>;
}

/** A config that names an unknown variant, an option the variant does not have, or a bad value. */
export class AdapterConfigError extends InputError {
  override name = 'AdapterConfigError';
}

interface Entry {
  factory: AdapterFactory<never>;
  spec: AdapterVariantSpec<Record<string, unknown>>;
}

interface Store {
  variants: Map<string, Entry>;
  /** Set by createAdapter while a factory runs: AdapterBuilder refuses to allocate past it (loadAdapter's manifest bound). */
  parameterLimit?: number;
  parametersCreated: number;
}

// One registry per process, kept on a global symbol: a plug-in that resolves its own copy of
// @hotplug/taca (its own node_modules, or the CommonJS build next to the app's ESM one) registers
// into the same map the app reads.
const KEY = Symbol.for('hotplug.taca.adapters');
const global = globalThis as { [KEY]?: Store };
if (!global[KEY]) global[KEY] = { variants: new Map(), parametersCreated: 0 };
const store: Store = global[KEY];

/** The process-wide allocation bound of the factory now running (used by AdapterBuilder). */
export function allocationBudget(): Store {
  return store;
}

/**
 * Adds a variant under a unique name; `createAdapter({ variant: name, ...options })` then builds
 * it. `spec.defaults` lists every option the variant has (others are refused), `spec.validate`
 * checks them, `spec.describe` says in one line what it adds.
 */
export function registerAdapter<O extends object>(name: string, factory: AdapterFactory<O>, spec?: AdapterVariantSpec<O>): void {
  if (!name || typeof name !== 'string') throw new AdapterConfigError('registerAdapter needs a non-empty name');
  if (store.variants.has(name)) throw new AdapterConfigError(`an adapter variant named "${name}" is already registered; pick another name`);
  store.variants.set(name, {
    factory: factory as AdapterFactory<never>,
    spec: (spec ?? { defaults: {} }) as unknown as AdapterVariantSpec<Record<string, unknown>>,
  });
}

/** Registers a built-in once per process (a second copy of this package finds it there already). */
export function registerBuiltIn<O extends object>(name: string, factory: AdapterFactory<O>, spec: AdapterVariantSpec<O>): void {
  if (!store.variants.has(name)) registerAdapter(name, factory, spec);
}

export function adapterNames(): string[] {
  return [...store.variants.keys()];
}

/** Every registered variant with its description and option defaults. */
export function listAdapters(): AdapterVariantInfo[] {
  return [...store.variants].map(([name, e]) => ({ name, description: e.spec.describe ?? '', defaults: e.spec.defaults }));
}

function entry(variant: string): Entry {
  const e = store.variants.get(variant);
  if (!e)
    throw new AdapterConfigError(
      `unknown adapter variant "${variant}"; known variants: ${adapterNames().join(', ')} (add one with registerAdapter(name, factory, { defaults }), or load a plug-in with --plugin)`,
    );
  return e;
}

/** Fills defaults and checks the shared fields and the variant's options; one error lists every problem. */
export function resolveAdapterConfig(input: AdapterConfigInput): AdapterConfig {
  if (!input || typeof input !== 'object') throw new AdapterConfigError('an adapter config must be an object with a variant');
  const shared = {
    ...ADAPTER_DEFAULTS,
    variant: input.variant,
    ...(input.blocks !== undefined ? { blocks: input.blocks } : {}),
    ...(input.outputProjection !== undefined ? { outputProjection: input.outputProjection } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  };
  const problems = sharedConfigProblems(shared);
  if (problems.length) throw new AdapterConfigError(`invalid adapter config:\n  - ${problems.join('\n  - ')}`);
  const { spec } = entry(shared.variant);
  const given: Record<string, unknown> = { ...(input.options ?? {}) };
  for (const [key, value] of Object.entries(input)) if (!(SHARED_FIELDS as readonly string[]).includes(key) && value !== undefined) given[key] = value;
  const known = Object.keys(spec.defaults);
  const unknown = Object.keys(given).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new AdapterConfigError(
      `adapter variant "${shared.variant}" has no option ${unknown.map((k) => `"${k}"`).join(', ')}; its options are: ${known.join(', ') || '(none)'}`,
    );
  let options: Record<string, unknown> = { ...structuredClone(spec.defaults), ...given };
  const validate = spec.validate;
  if (typeof validate === 'function') {
    const bad = validate(options) ?? [];
    if (bad.length) throw new AdapterConfigError(`invalid options for adapter variant "${shared.variant}":\n  - ${bad.join('\n  - ')}`);
  } else if (validate) {
    const parsed = validate.safeParse(options);
    if (!parsed.success)
      throw new AdapterConfigError(
        `invalid options for adapter variant "${shared.variant}":\n  - ${parsed.error.issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('\n  - ')}`,
      );
    options = parsed.data;
  }
  return { ...shared, blocks: shared.blocks ? [...shared.blocks] : undefined, options };
}

export interface CreateAdapterOptions {
  /** Refuse (AdapterConfigError) before allocating more than this many scalars (loadAdapter passes the manifest's count). */
  maxParameters?: number;
}

/** Builds a registered variant from a config (defaults filled in, options validated). */
export function createAdapter(config: AdapterConfigInput | AdapterConfig, target: AdapterTarget, options: CreateAdapterOptions = {}): Adapter {
  const resolved = resolveAdapterConfig(config as AdapterConfigInput);
  const { factory } = entry(resolved.variant);
  const outer = { limit: store.parameterLimit, created: store.parametersCreated };
  store.parameterLimit = options.maxParameters;
  store.parametersCreated = 0;
  try {
    return (factory as AdapterFactory)(resolved, target);
  } finally {
    store.parameterLimit = outer.limit;
    store.parametersCreated = outer.created;
  }
}
