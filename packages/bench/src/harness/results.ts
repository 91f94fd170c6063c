/** The three kinds of evaluation the grid holds. */
export type TaskKind = 'head' | 'retrieval' | 'learner';

/**
 * One evaluated grid cell: M(query system, reference system) for one method, dataset and
 * seed. For heads and learners the reference is the system they were trained on; for
 * retrieval it is the system that embedded the gallery.
 */
export interface CellResult {
  key: string;
  task: TaskKind;
  /** Head id, learner id, or 'retrieval'. */
  method: string;
  dataset: string;
  /** The training seed; null where nothing in the cell is trained at random (retrieval, kNN, zero-shot): it is evaluated once. */
  seed: number | null;
  /** Shot count for learners. */
  shots?: number;
  query: string;
  reference: string;
  /** 'incompatible' when the module cannot run on the query features (dimension mismatch). */
  status: 'ok' | 'incompatible';
  reason?: string;
  /** accuracy for heads and learners; top1, top5… and mAP for retrieval. */
  metrics: Record<string, number>;
  /** Everything the figure depends on: systems (model, adapter, versions), method options, seed. */
  config: Record<string, unknown>;
}

/** A cell before it is evaluated: what it is, not what it scored. */
export type CellIdentity = Omit<CellResult, 'status' | 'reason' | 'metrics'>;

/**
 * What a cell leaves in the cache: its result, the per-item figure of each metric (what the
 * paired bootstrap of a verdict resamples: 1/0 correctness for accuracy and top-k, average
 * precision for mAP; null where an item has no value, e.g. a query whose label is not in the
 * gallery), the test labels in item order (to check two cells scored the same items) and,
 * for classifiers, the predictions (for flip rates).
 */
export interface CellRecord {
  result: CellResult;
  items?: Record<string, (number | null)[]>;
  predictions?: number[];
  labels?: number[];
  /** The test-split indices the items are, in order, where the cell scored a sample (LearnerSpec.testItems); absent: every item of the split. */
  itemIndices?: number[];
}

/** How much of a run was computed and how much came from the cache. */
export interface RunStats {
  featuresExtracted: number;
  featuresCached: number;
  headsTrained: number;
  headsCached: number;
  learnersTrained: number;
  learnersCached: number;
  cellsComputed: number;
  cellsCached: number;
}

export function emptyStats(): RunStats {
  return {
    featuresExtracted: 0,
    featuresCached: 0,
    headsTrained: 0,
    headsCached: 0,
    learnersTrained: 0,
    learnersCached: 0,
    cellsComputed: 0,
    cellsCached: 0,
  };
}
