// Public API of @hotplug/heads: everything a user may import is exported here.
export { ensureBackend } from './backend';
export { featureMatrix, toFeatureMatrix, l2NormalizeRows, toLabels } from './features';
export type { FeatureMatrix, FeatureInput } from './features';
export { DimensionMismatchError } from './errors';
export { argmaxRows } from './head';
export type { ClassifierHead, HeadInfo, HeadKind, FitOptions, FitReport } from './head';
export { DenseHead } from './dense';
export type { DenseHeadOptions } from './dense';
export { KnnHead } from './knn';
export type { KnnHeadOptions, KnnWeighting } from './knn';
export { RetrievalIndex } from './retrieval';
export type { RetrievalIndexOptions, RetrievalScores, SearchHit } from './retrieval';
export { averagePrecision, averagePrecisionFromRanks, meanDefined, relevantRanks } from './ranking';
export { createHead, loadHead, registerHead, headKinds, listHeads, HeadOptionsError } from './registry';
export type { HeadFactory, HeadOptionsByKind, HeadOptionsValidator, HeadSpec, LoadHeadOptions } from './registry';
export { HeadStoreError, HEAD_LIMITS, MAX_WEIGHTS_BYTES } from './store';
