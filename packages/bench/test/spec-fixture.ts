import type { ExperimentSpec } from '../src/index';

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
