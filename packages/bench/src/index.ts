// Public API of @hotplug/bench: everything a user may import is exported here.
export { accuracy, correctness, EmptyEvaluationError } from './metrics/accuracy';
export { marginInterval, resampledMarginInterval, verdictOfInterval, DEFAULT_RESAMPLES, DEFAULT_LEVEL } from './metrics/bootstrap';
export type { BootstrapOptions, MarginInterval, PairedItems, Verdict } from './metrics/bootstrap';
export { sampleTestIndices, stratifiedCounts, SamplingError } from './sampling';
export { negativeFlips } from './metrics/flips';
export type { FlipCounts } from './metrics/flips';
export { compatibilityVerdict } from './metrics/compatibility';
export type { CompatibilityInput, CompatibilityVerdict } from './metrics/compatibility';
export { crossModelRetrieval } from './metrics/retrieval';
export type { CrossModelRetrievalScores, EmbeddingSet, RetrievalPerQuery } from './metrics/retrieval';
export { recallAtK, meanReciprocalRank } from './metrics/ranked-lists';
export { StepRegistry, selectItems } from './harness/steps';
export type { AdapterFacts, AdapterStep, FeatureSet, LearnerRequest, LearnerStep, ModelStep, Split } from './harness/steps';
export { validateSpec, parseExperimentSpec, ExperimentSpecSchema, SpecError, isSeededHead } from './harness/spec';
export type { BootstrapSpec, CellSelector, ComparisonSpec, ContrastSpec, ExperimentSpec, HeadSpec, LearnerSpec, SystemSpec } from './harness/spec';
export { promptLearnerContrasts } from './harness/contrasts';
export type { ContrastRow } from './harness/contrasts';
export { cellKey, stableStringify } from './harness/keys';
export { runExperiment, gridSize } from './harness/harness';
export type { ExperimentReport, RunOptions } from './harness/harness';
export type { CellRecord, CellResult, RunStats, TaskKind } from './harness/results';
export type { FlipRow, GroupId, VerdictRow, VerdictRun } from './harness/analysis';
export { jsonReport, writeJsonReport } from './report/json';
export { markdownReport, writeMarkdownReport } from './report/markdown';
export { htmlReport, writeHtmlReport } from './report/html/page';
export { matrices, verdictSummaries, flipSummaries, stat, marginWithInterval } from './report/summary';
export type { FlipSummary, MatrixSummary, Stat, VerdictSummary } from './report/summary';
export { summaryMatrix, ablationRows, promptRows, marginPlusMinus, reasonGist } from './report/lead';
export type {
  AblationRow,
  CellState,
  PromptRow,
  ReferenceComparison,
  SummaryCell,
  SummaryColumn,
  SummaryMatrix,
  SummaryRow,
  VerdictCounts,
} from './report/lead';
export { relativeColour } from './report/html/heatmap';
export { imageFeatures } from './features/encode';
export type { EvaluatedModel, ImageFeatureSource } from './features/encode';
export { zeroShotClassifier, zeroShotPredict } from './features/zeroshot';
export { evaluateTask, recallAt1Hits } from './tasks/evaluate';
export type { TaskEvaluationOptions, TaskMetric, TaskModule, TaskModuleEvaluation, TaskReference, TaskSystem, TaskSystemScore } from './tasks/evaluate';
export { taskHalves, cutTask, taskImageSets, TASK_SPLIT_SEED } from './tasks/items';
export type { TaskHalves, TaskPart } from './tasks/items';
export { meanAveragePrecision, classRankings } from './tasks/map';
export type { MultiLabelScores } from './tasks/map';
export { taskVerdicts } from './tasks/verdicts';
export type { TaskVerdictRow } from './tasks/verdicts';
export { taskTable, taskModuleName } from './report/tasks';
export type { DownstreamTasksSection, ReportWithTasks, TaskTable, TaskTableCell } from './report/tasks';
export { ArtefactCache } from './harness/cache';
