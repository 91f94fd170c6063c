import type { ArtefactCache } from './cache';
import type { FeatureProvider } from './features';
import type { CellIdentity, CellRecord, CellResult, RunStats } from './results';
import type { ExperimentSpec, LearnerSpec, SystemSpec } from './spec';
import type { StepRegistry } from './steps';

/** What every cell runner shares during one harness run. */
export interface RunContext {
  spec: ExperimentSpec;
  steps: StepRegistry;
  cache: ArtefactCache;
  features: FeatureProvider;
  stats: RunStats;
  records: CellRecord[];
  /** Advances the grid progress bar by one cell. */
  tick(cell: CellResult): void;
}

/** Returns the cached record of a cell, counting it, or undefined when it must be computed. */
export function cachedCell(ctx: RunContext, key: string): CellRecord | undefined {
  const hit = ctx.cache.readJson<CellRecord>('cells', key);
  if (!hit || hit.result?.key !== key) return undefined;
  // Cells cached before per-item figures were kept cannot be paired: evaluate them again (heads and features stay cached).
  if (hit.result.status === 'ok' && !hit.items) return undefined;
  ctx.stats.cellsCached++;
  ctx.records.push(hit);
  ctx.tick(hit.result);
  return hit;
}

/** Stores a freshly computed cell. */
export function storeCell(ctx: RunContext, record: CellRecord): void {
  ctx.cache.writeJson('cells', record.result.key, record);
  ctx.stats.cellsComputed++;
  ctx.records.push(record);
  ctx.tick(record.result);
}

/**
 * Evaluates one cell and stores it; a module that cannot take the query's features
 * (dimension mismatch) is stored as an 'incompatible' cell, any other error propagates.
 */
export async function storeEvaluatedCell(ctx: RunContext, cell: CellIdentity, evaluate: () => Promise<EvaluatedCell>): Promise<void> {
  let out: Awaited<ReturnType<typeof evaluate>>;
  try {
    out = await evaluate();
  } catch (err) {
    if (!isDimensionMismatch(err)) throw err;
    storeCell(ctx, { result: { ...cell, status: 'incompatible', reason: err.message, metrics: {} } });
    return;
  }
  const items: Record<string, (number | null)[]> = {};
  for (const [metric, values] of Object.entries(out.items)) items[metric] = Array.from(values, (v) => (Number.isNaN(v) ? null : v));
  storeCell(ctx, {
    result: { ...cell, status: 'ok', metrics: out.metrics },
    items,
    labels: Array.from(out.labels),
    ...(out.predictions ? { predictions: Array.from(out.predictions) } : {}),
    ...(out.itemIndices ? { itemIndices: Array.from(out.itemIndices) } : {}),
  });
}

/** What evaluating a cell gives: each metric, its per-item values (same metric names), the test labels in item order, and predictions for classifiers. */
export interface EvaluatedCell {
  metrics: Record<string, number>;
  items: Record<string, ArrayLike<number>>;
  labels: ArrayLike<number>;
  predictions?: ArrayLike<number>;
  /** The test-split indices scored, where a sample was (see CellRecord.itemIndices). */
  itemIndices?: ArrayLike<number>;
}

/** True for the error heads raise when features have the wrong dimension (also from other packages' copies). */
export function isDimensionMismatch(err: unknown): err is Error {
  return err instanceof Error && err.name === 'DimensionMismatchError';
}

/**
 * The (reference, query) pairs of systems the grid evaluates (restricted to `only` where a
 * learner names its systems): the full compatibility matrix, or with `pairs: 'comparisons'`
 * the diagonal (replicates excepted), each comparison's old module on its new and adapted systems (and their
 * replicates), and the contrasts' cells. Spec order, reference-major.
 */
export function systemPairs(spec: ExperimentSpec, only?: readonly string[]): Array<{ reference: SystemSpec; query: SystemSpec }> {
  const systems = only ? spec.systems.filter((s) => only.includes(s.id)) : spec.systems;
  const all = systems.flatMap((reference) => systems.map((query) => ({ reference, query })));
  if ((spec.pairs ?? 'all') === 'all') return all;
  const wanted = new Set<string>();
  const pair = (reference: string, query: string) => wanted.add(`${reference}\u0000${query}`);
  // A replicate adds a training run to its system's verdicts; its own rebuilt module would repeat the first seed's bar.
  for (const s of spec.systems) if (s.replicateOf === undefined) pair(s.id, s.id);
  for (const c of spec.comparisons)
    for (const upgraded of [c.new, ...(c.adapted ?? [])])
      for (const q of [upgraded, ...spec.systems.filter((s) => s.replicateOf === upgraded).map((s) => s.id)]) pair(c.old, q);
  for (const c of spec.contrasts ?? []) for (const side of [c.a, c.b]) pair(side.reference, side.query);
  return all.filter(({ reference, query }) => wanted.has(`${reference.id}\u0000${query.id}`));
}

/** The pairs a learner's cells cover: systemPairs among its systems, trained only on its `trainOn` systems where it names them. */
export function learnerPairs(spec: ExperimentSpec, learner: LearnerSpec): Array<{ reference: SystemSpec; query: SystemSpec }> {
  const pairs = systemPairs(spec, learner.systems);
  return learner.trainOn ? pairs.filter((p) => learner.trainOn!.includes(p.reference.id)) : pairs;
}
