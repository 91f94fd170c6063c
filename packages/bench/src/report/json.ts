import { writeJsonAtomic } from '@hotplug/runtime';
import type { ExperimentReport } from '../harness/harness';
import { flipSummaries, matrices, verdictSummaries } from './summary';

/**
 * The machine-readable report: the spec, every cell (its metrics, seed and full config),
 * every verdict and flip count per seed, and the seed-averaged summaries. NaN is written
 * as null (JSON has no NaN).
 */
export function jsonReport(report: ExperimentReport, extra: { generatedAt?: string } = {}): unknown {
  return {
    ...report,
    ...extra,
    summary: { matrices: matrices(report), verdicts: verdictSummaries(report.verdicts), flips: flipSummaries(report.flips) },
  };
}

/** Writes the JSON report atomically. */
export function writeJsonReport(path: string, report: ExperimentReport, extra: { generatedAt?: string } = {}): void {
  writeJsonAtomic(path, jsonReport(report, extra));
}
