// Public API of @hotplug/train: the training loop the apps share.
export { Trainer } from './trainer';
export type { TrainerConfig, LossFn, StepOutput, StepRecord, TrainSummary } from './trainer';
export { AdamW, clipByGlobalNorm } from './adamw';
export type { AdamWConfig, AdamWState } from './adamw';
export { learningRate } from './schedule';
export type { ScheduleConfig } from './schedule';
export { StepSampler } from './sampler';
export type { TrainingRecipe } from './recipe';
export { saveCheckpoint, loadCheckpoint, readCheckpointManifest, restoreCheckpoint, removeCheckpoint } from './checkpoint';
export type { CheckpointManifest, RunRecord, SaveCheckpointInfo } from './checkpoint';
export { CheckpointError, ConfigMismatchError, configDiff } from './errors';
export type { ConfigChange } from './errors';
