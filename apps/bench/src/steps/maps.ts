import { z } from 'zod';
import type { AdapterStep, FeatureSet, Split } from '@hotplug/bench';
import { featureMatrix } from '@hotplug/heads';
import { fitMap, resolveMapOptions, type EmbeddingSpace, type SpaceMap } from '@hotplug/index';
import type { Workspace } from '../systems';
import type { AdapterSteps } from './adapters';

/**
 * Post-hoc maps (the Drift-Adapter family of @hotplug/index) as benchmark adapters: the new
 * model's features pass through a map fitted on paired TRAIN images (encoded by both models) into
 * the old model's space. The test splits never enter the fit.
 */
export const MapsSpecSchema = z
  .object({
    fit: z
      .object({
        /** Model whose features the maps take (the systems using a map must use this model). */
        from: z.string().min(1).default('new'),
        /** Model whose space the maps lead into. */
        to: z.string().min(1).default('old'),
        /** Paired train images per dataset of the spec (evenly strided; all datasets pooled into one fit). */
        pairsPerDataset: z.number().int().positive().default(2000),
        seed: z.number().int().default(0),
      })
      .strict()
      .default({ from: 'new', to: 'old', pairsPerDataset: 2000, seed: 0 }),
    /** Map id (what a system's "adapter" names) -> registered map variant and its options. */
    variants: z.record(z.string().min(1), z.object({ kind: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }).strict()),
  })
  .strict();

export type MapsSpec = z.output<typeof MapsSpecSchema>;
export type MapsSpecInput = z.input<typeof MapsSpecSchema>;

/** Checks the "maps" section of a benchmark spec; every problem in one message. */
export function parseMapsSpec(input: unknown, where = 'spec "maps"'): MapsSpec {
  const r = MapsSpecSchema.safeParse(input);
  if (!r.success) throw new Error(`${where} is invalid:\n${z.prettifyError(r.error)}`);
  for (const [id, v] of Object.entries(r.data.variants)) {
    try {
      // Options are checked now (widths are checked at fit time), not minutes into a run.
      resolveMapOptions(v.kind, v.options);
    } catch (err) {
      throw new Error(`${where}: map "${id}": ${(err as Error).message}`);
    }
  }
  return r.data;
}

function strided(set: FeatureSet, count: number): Float32Array {
  const { rows, dim, data } = set.features;
  if (count >= rows) return data;
  const out = new Float32Array(count * dim);
  const stride = rows / count;
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i * stride);
    out.set(data.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  return out;
}

export class MapSteps {
  private readonly fitted = new Map<string, Promise<SpaceMap>>();

  constructor(
    private readonly ws: Workspace,
    private readonly adapters: AdapterSteps,
    readonly spec: MapsSpec,
    /** Datasets of the run: the fit sample pools their train splits. */
    private readonly datasets: readonly string[],
  ) {
    for (const id of Object.keys(spec.variants)) adapters.addFeatureTransform(id, (model, dataset, split) => this.features(id, model, dataset, split));
  }

  ids(): string[] {
    return Object.keys(this.spec.variants);
  }

  /** The space of a model's features (bench features are L2-normalised). */
  space(model: string): EmbeddingSpace {
    const m = this.ws.model(model);
    return { model: m.version, modelName: model, dim: m.clip.config.embedDim, normalized: true, adapters: [] };
  }

  step(id: string): AdapterStep {
    const v = this.variant(id);
    const { from, to, pairsPerDataset, seed } = this.spec.fit;
    return {
      version: `map-${v.kind}-${JSON.stringify(v.options)}-fit-${from}@${this.ws.model(from).version}-${to}@${this.ws.model(to).version}-${pairsPerDataset}x${[...this.datasets].sort().join('+')}-s${seed}-${this.ws.dataVersion}`,
      extract: ({ model, dataset, split }) => this.features(id, model, dataset, split),
    };
  }

  /** The map of `id`, fitted once per run. */
  map(id: string): Promise<SpaceMap> {
    let pending = this.fitted.get(id);
    if (!pending) {
      pending = this.fit(id);
      this.fitted.set(id, pending);
    }
    return pending;
  }

  private variant(id: string) {
    const v = this.spec.variants[id];
    if (!v) throw new Error(`unknown map "${id}"; maps of this spec: ${this.ids().join(', ')}`);
    return v;
  }

  private async fit(id: string): Promise<SpaceMap> {
    const v = this.variant(id);
    const { from, to, pairsPerDataset, seed } = this.spec.fit;
    const parts: { source: Float32Array; target: Float32Array }[] = [];
    for (const dataset of this.datasets) {
      // Train split only: the same rows of the same images through both models.
      const [s, t] = await Promise.all([this.adapters.features(from, undefined, dataset, 'train'), this.adapters.features(to, undefined, dataset, 'train')]);
      if (s.features.rows !== t.features.rows) throw new Error(`map "${id}": ${from} and ${to} encoded different numbers of ${dataset} train images`);
      parts.push({ source: strided(s, pairsPerDataset), target: strided(t, pairsPerDataset) });
    }
    const join = (key: 'source' | 'target') => {
      const out = new Float32Array(parts.reduce((n, p) => n + p[key].length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p[key], at);
        at += p[key].length;
      }
      return out;
    };
    const fromSpace = this.space(from);
    const toSpace = this.space(to);
    const source = join('source');
    const target = join('target');
    return fitMap(
      v.kind,
      {
        source: { data: source, rows: source.length / fromSpace.dim, dim: fromSpace.dim },
        target: { data: target, rows: target.length / toSpace.dim, dim: toSpace.dim },
        from: fromSpace,
        to: toSpace,
      },
      v.options,
      { seed },
    );
  }

  private async features(id: string, model: string, dataset: string, split: Split): Promise<FeatureSet> {
    const { from } = this.spec.fit;
    if (model !== from) throw new Error(`map "${id}" takes features of "${from}" (spec maps.fit.from), but a system applies it to "${model}"`);
    const [map, base] = await Promise.all([this.map(id), this.adapters.features(model, undefined, dataset, split)]);
    const mapped = map.apply(base.features);
    return { features: featureMatrix(mapped.data, mapped.rows, mapped.dim, `${model}+${id}`), labels: base.labels };
  }
}
