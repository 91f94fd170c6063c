// Public API of @hotplug/bench: everything a user may import is exported here.
export { accuracy } from './metrics/accuracy';
export { negativeFlips } from './metrics/flips';
export type { FlipCounts } from './metrics/flips';
export { compatibilityVerdict } from './metrics/compatibility';
export type { CompatibilityInput, CompatibilityVerdict } from './metrics/compatibility';
export { crossModelRetrieval } from './metrics/retrieval';
export type { EmbeddingSet } from './metrics/retrieval';
export { StepRegistry } from './harness/steps';
export type { AdapterStep, FeatureSet, LearnerRequest, LearnerStep, ModelStep, Split } from './harness/steps';
export { validateSpec } from './harness/spec';
export type { ComparisonSpec, ExperimentSpec, HeadSpec, LearnerSpec, SystemSpec } from './harness/spec';
export { cellKey, stableStringify } from './harness/keys';
export { runExperiment, gridSize } from './harness/harness';
export type { ExperimentReport, RunOptions } from './harness/harness';
export type { CellResult, RunStats, TaskKind } from './harness/results';
export type { FlipRow, GroupId, VerdictRow } from './harness/analysis';
