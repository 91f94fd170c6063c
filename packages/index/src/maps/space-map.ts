import { createHash } from 'node:crypto';
import type { OnnxRecorder, Sym } from '@hotplug/backbones';
import { IndexInputError } from '../errors';
import { assertFinite, normalizeRows, toMatrix, type Matrix, type VectorsInput } from '../matrix';
import { checkSpace, describeSpace, type EmbeddingSpace } from '../space';
import { mapFactory, resolveMapOptions } from './registry';
import type { FitContext, MapFitReport, MapModel, MapParam, MapShape, SpaceMap } from './types';

/** sha256 over kind, options and every parameter (sorted by name), first 16 hex digits. */
export function mapFingerprint(kind: string, options: Readonly<Record<string, unknown>>, params: Map<string, MapParam>): string {
  const h = createHash('sha256');
  h.update(kind)
    .update('\0')
    .update(JSON.stringify(options, Object.keys(options).sort()))
    .update('\0');
  for (const name of [...params.keys()].sort()) {
    const p = params.get(name)!;
    h.update(name)
      .update(`[${p.shape.join(',')}]`)
      .update(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

/** A map model bound to its spaces (what fitMap and loadMap return). */
export class FittedMap implements SpaceMap {
  readonly fingerprint: string;

  constructor(
    readonly kind: string,
    readonly options: Readonly<Record<string, unknown>>,
    readonly from: EmbeddingSpace,
    readonly to: EmbeddingSpace,
    readonly shape: MapShape,
    private readonly model: MapModel,
    readonly report?: MapFitReport,
  ) {
    this.fingerprint = mapFingerprint(kind, options, model.params);
  }

  apply(x: VectorsInput): Matrix {
    const m = toMatrix(x, `input of map "${this.kind}"`);
    if (m.dim !== this.shape.inputDim)
      throw new IndexInputError(`map "${this.kind}" takes ${this.shape.inputDim}-dim vectors (${describeSpace(this.from)}), got ${m.dim}-dim`);
    const src = this.from.normalized ? normalizeRows(m) : m;
    const y = this.model.forward(src);
    return this.to.normalized ? normalizeRows(y) : y;
  }

  params(): Map<string, MapParam> {
    return this.model.params;
  }

  parameterCount(): number {
    let n = 0;
    for (const p of this.model.params.values()) n += p.data.length;
    return n;
  }

  label(): string {
    return `${this.kind}:${this.fingerprint}`;
  }

  trace(rec: OnnxRecorder, x: Sym): Sym {
    const src = this.from.normalized ? rec.l2Normalize(x) : x;
    const y = this.model.trace(rec, src);
    return this.to.normalized ? rec.l2Normalize(y) : y;
  }
}

/** Paired sample for fitMap: row i of `source` (in `from`, the new model) corresponds to row i of `target` (in `to`, the old one). */
export interface FitMapInput {
  source: VectorsInput;
  target: VectorsInput;
  from: EmbeddingSpace;
  to: EmbeddingSpace;
}

function meanPairStats(pred: Matrix, target: Matrix): { mse: number; cosine: number } {
  let se = 0;
  let cos = 0;
  for (let r = 0; r < pred.rows; r++) {
    let dot = 0;
    let pp = 0;
    let tt = 0;
    for (let j = 0; j < pred.dim; j++) {
      const p = pred.data[r * pred.dim + j]!;
      const t = target.data[r * target.dim + j]!;
      se += (p - t) * (p - t);
      dot += p * t;
      pp += p * p;
      tt += t * t;
    }
    cos += pp > 0 && tt > 0 ? dot / Math.sqrt(pp * tt) : 0;
  }
  return { mse: se / pred.rows, cosine: cos / pred.rows };
}

/**
 * Fits a registered map variant on paired embeddings of a sample (never on test data): new-model
 * vectors `source` -> old-model vectors `target`. Options are the variant's (defaults filled in).
 */
export async function fitMap(kind: string, input: FitMapInput, options: Record<string, unknown> = {}, context: Partial<FitContext> = {}): Promise<SpaceMap> {
  const from = checkSpace(input.from, 'source space (from)');
  const to = checkSpace(input.to, 'target space (to)');
  let source = toMatrix(input.source, 'source vectors');
  let target = toMatrix(input.target, 'target vectors');
  if (source.rows !== target.rows)
    throw new IndexInputError(`fitMap needs one target row per source row, got ${source.rows} source and ${target.rows} target rows`);
  if (source.dim !== from.dim) throw new IndexInputError(`source vectors are ${source.dim}-dim but the source space says ${from.dim}`);
  if (target.dim !== to.dim) throw new IndexInputError(`target vectors are ${target.dim}-dim but the target space says ${to.dim}`);
  if (source.rows < 2) throw new IndexInputError(`fitMap needs at least 2 pairs, got ${source.rows}`);
  assertFinite(source, 'source vectors');
  assertFinite(target, 'target vectors');
  if (from.normalized) source = normalizeRows(source);
  if (to.normalized) target = normalizeRows(target);
  const shape: MapShape = { inputDim: from.dim, outputDim: to.dim };
  const resolved = resolveMapOptions(kind, options, shape);
  const model = mapFactory(kind)(resolved, shape);
  const started = performance.now();
  const seed = context.seed ?? 0;
  if (!Number.isInteger(seed)) throw new IndexInputError(`seed must be an integer, got ${seed}`);
  const partial = await model.fit({ source, target }, { seed, ...(context.onProgress ? { onProgress: context.onProgress } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const map = new FittedMap(kind, resolved, from, to, shape, model);
  const after = meanPairStats(map.apply(source), target);
  const identityMse = source.dim === target.dim ? meanPairStats(source, target).mse : NaN;
  const report: MapFitReport = {
    identityMse,
    trainMse: after.mse,
    trainCosine: after.cosine,
    pairs: source.rows,
    seconds,
    ...(partial.losses ? { losses: partial.losses } : {}),
  };
  return new FittedMap(kind, resolved, from, to, shape, model, report);
}

/** Internal: rebuilds a map from saved options and parameters (loadMap). */
export function rebuildMap(
  kind: string,
  options: Record<string, unknown>,
  from: EmbeddingSpace,
  to: EmbeddingSpace,
  params: Map<string, MapParam>,
  report?: MapFitReport,
): SpaceMap {
  const shape: MapShape = { inputDim: from.dim, outputDim: to.dim };
  const resolved = resolveMapOptions(kind, options, shape);
  const model = mapFactory(kind)(resolved, shape);
  const problems: string[] = [];
  for (const [name, p] of model.params) {
    const got = params.get(name);
    if (!got) problems.push(`missing tensor "${name}"`);
    else if (got.shape.join(',') !== p.shape.join(',')) problems.push(`"${name}" has shape [${got.shape}] but the map needs [${p.shape}]`);
  }
  for (const name of params.keys()) if (!model.params.has(name)) problems.push(`unexpected tensor "${name}"`);
  if (problems.length) throw new IndexInputError(`saved "${kind}" map does not match its manifest:\n  - ${problems.join('\n  - ')}`);
  for (const [name, p] of model.params) p.data.set(params.get(name)!.data);
  return new FittedMap(kind, resolved, from, to, shape, model, report);
}

/**
 * Declares that vectors of `from` already lie in `to` (e.g. new model + a TaCA adapter trained
 * into the old space: `from.adapters` names the adapter). Applies no change; lets such vectors
 * query or join a table of `to`. Widths and normalisation must match.
 */
export function identityMap(from: EmbeddingSpace, to: EmbeddingSpace): SpaceMap {
  const f = checkSpace(from, 'source space (from)');
  const t = checkSpace(to, 'target space (to)');
  if (f.dim !== t.dim)
    throw new IndexInputError(`identityMap: ${describeSpace(f)} and ${describeSpace(t)} differ in width; fit a map instead (fitMap('procrustes', ...))`);
  const shape = { inputDim: f.dim, outputDim: t.dim };
  return new FittedMap('identity', resolveMapOptions('identity', {}, shape), f, t, shape, mapFactory('identity')({}, shape));
}
