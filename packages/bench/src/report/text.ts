import type { ExperimentReport } from '../harness/harness';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../metrics/bootstrap';

/** The short explanation every report opens with. */
export const CRITERION_TEXT = [
  "M(query, reference) is a metric of the query system's features used with a module (head, gallery, prompts) built on the reference system.",
  'An upgrade is compatible when M(new, old) > M(old, old) (Shen et al., BCT, CVPR 2020): the old module works better with the new model than with the old one, without retraining.',
  'It is worth it when M(new, old) also approaches M(new, new), what retraining everything on the new model would give.',
  'Each verdict reads the margin M(new, old) − M(old, old) with its confidence interval: a paired bootstrap over test items (both systems resampled on the same items), pooled with the spread over random training runs (head, learner and adapter seeds). compatible: the interval lies above 0; not compatible: below 0; inconclusive: it contains 0. Deterministic modules (kNN, retrieval, zero-shot) are evaluated once and count as one measurement, not one per seed.',
  'The negative-flip rate is the fraction of samples the old system classified correctly that the upgraded one gets wrong (Yan et al., CVPR 2021).',
];

/** A human name for a method row. */
export function methodName(task: string, method: string, shots?: number): string {
  const base = task === 'retrieval' ? 'retrieval' : task === 'learner' ? `${method} (prompt learner)` : `${method} head`;
  return shots === undefined ? base : `${base}, ${shots}-shot`;
}

/** "95 %": the confidence level of the report's intervals. */
export function level(report: ExperimentReport): string {
  return `${Math.round((report.spec.bootstrap?.level ?? DEFAULT_LEVEL) * 100)} %`;
}

/** How the intervals were made, in one sentence. */
export function intervalNote(report: ExperimentReport): string {
  const b = report.spec.bootstrap ?? {};
  return `Margins are M(upgraded, old) − M(old, old) in points with a ${level(report)} paired-bootstrap interval (${b.resamples ?? DEFAULT_RESAMPLES} resamples of the test items, and of the training runs where there are several; seed ${b.seed ?? 0}).`;
}
