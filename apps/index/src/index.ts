#!/usr/bin/env node
// hotplug-index: the upgrade of a deployed vector index (build, plan, query, ingest, backfill, cutover).
import { isEntryPoint } from '@hotplug/cli';
import { runCli } from './cli';

export { runCli, program, exitCodeOf, EXIT } from './cli';
export { Collection, parseSource, parseAugment, planShards, AUGMENT_NAMES } from './collection';
export type { CollectionSpec, CollectionSource, AugmentName, ItemRef, ImageStack } from './collection';
export { ModelSet, parseSystem, systemName, defaultModelDirs } from './systems';
export type { ModelDirs, SystemSpec, SystemEncoder } from './systems';
export { UsageError, IncompleteRunError } from './errors';
export { BullmqRunner, runWorker } from './jobs/bullmq';
export type { BullmqRunnerOptions, WorkerOptions, ShardJobData } from './jobs/bullmq';
export { InProcessRunner } from './jobs/runner';
export type { Shard, ShardResult, ShardHandler, ShardRunner } from './jobs/runner';
export { encodeShard, ShardContext } from './jobs/encode-shard';
export type { EncodeJob } from './jobs/encode-shard';
export { runEncodeJob } from './jobs/run-job';
export type { JobSummary, ScaleOptions } from './jobs/run-job';
export { JobCheckpoint, configKey } from './jobs/checkpoint';
export { redisConnection, redisAnswers } from './jobs/redis';
export { readLive, writeLive, LIVE_FILE } from './live';
export type { LivePointer } from './live';
export { readManifest, layout } from './tables';
export type { TableManifest } from './tables';
export type { PlanReport, PlanRow } from './commands/plan';
export type { QueryResult } from './commands/query';
export { setWorkerCommand } from './commands/common';

if (isEntryPoint(import.meta.url)) runCli(process.argv.slice(2)).then((code) => process.exit(code));
