import { promptLearnerContrasts, type ExperimentSpec, type StepRegistry } from '../src/index';

/** The grid the harness tests run: 3 systems, 2 heads, retrieval, 1 learner at 2 shot counts, 2 seeds. */
export function smallSpec(): ExperimentSpec {
  return {
    name: 'synthetic-upgrade',
    datasets: ['blobs'],
    seeds: [1, 2],
    systems: [
      { id: 'old', model: 'old', label: 'old model' },
      { id: 'new', model: 'new', label: 'new model' },
      { id: 'new+proj', model: 'new', adapter: 'proj', label: 'new + adapter' },
    ],
    heads: [
      { id: 'linear', kind: 'linear', options: { epochs: 15 } },
      { id: 'knn', kind: 'knn', options: { k: 5 } },
    ],
    retrieval: { ks: [1, 5] },
    learners: [{ id: 'centroid', learner: 'centroid', shots: [1, 4] }],
    comparisons: [{ old: 'old', new: 'new', adapted: ['new+proj'] }],
  };
}

/**
 * The shape of apps/bench's default spec on the synthetic world, for the report layout: 2
 * datasets, 3 seeds, 10 systems (8 adapted, labels as long as the real ones), heads, retrieval,
 * a deterministic reference learner (the stand-in for zero-shot) and three prompt-style learners
 * limited to old and new, with the ContCoOp contrasts.
 */
export function upgradeSpec(): ExperimentSpec {
  const spec = upgradeGrid();
  return { ...spec, contrasts: promptLearnerContrasts(spec) };
}

function upgradeGrid(): ExperimentSpec {
  const adapted = [
    ['new+taca-symmetric', 'new + TaCA symmetric'],
    ['new+sequential', 'new + sequential'],
    ['new+parallel', 'new + parallel'],
    ['new+lora', 'new + LoRA'],
    ['new+projection', 'new + projection'],
    ['new+procrustes', 'new + Procrustes (post-hoc map)'],
    ['new+low-rank', 'new + low-rank affine (post-hoc map)'],
    ['new+residual-mlp', 'new + residual MLP (post-hoc map)'],
  ];
  const learners = ['coop', 'kgcoop', 'contcoop'];
  return {
    name: 'synthetic-upgrade (default shape)',
    datasets: ['fashion-mnist', 'mnist'],
    seeds: [1, 2, 3],
    systems: [
      { id: 'old', model: 'old', label: 'old' },
      { id: 'new', model: 'new', label: 'new (no adapter)' },
      // Each a distinct adapter step (adapterVariants registers them): same map, its own cache keys.
      ...adapted.map(([id, label]) => ({ id: id!, model: 'new', adapter: id!.slice(4), label: label! })),
    ],
    heads: [
      { id: 'linear', kind: 'linear', options: { epochs: 10 } },
      { id: 'knn', kind: 'knn', options: { k: 5 } },
    ],
    retrieval: { ks: [1, 5] },
    learners: [
      { id: 'zero-shot', learner: 'class-means', shots: [0] },
      // Options only tell the three apart (their own cache keys); the centroid learner ignores them.
      ...learners.map((id) => ({ id, learner: 'centroid', shots: [1, 4], options: { as: id }, systems: ['old', 'new'] })),
    ],
    comparisons: [{ old: 'old', new: 'new', adapted: adapted.map(([id]) => id!) }],
    bootstrap: { resamples: 200 },
  };
}

/** Registers upgradeSpec's adapters on a world's steps: the world's ridge map under each variant's name. */
export function withUpgradeAdapters(steps: StepRegistry): StepRegistry {
  const proj = steps.adapters.get('proj')!;
  for (const s of upgradeSpec().systems)
    if (s.adapter && !steps.adapters.has(s.adapter)) steps.adapter(s.adapter, { ...proj, version: `${proj.version}-${s.adapter}` });
  return steps;
}
