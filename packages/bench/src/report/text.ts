/** The short explanation every report opens with. */
export const CRITERION_TEXT = [
  'M(query, reference) is a metric of the query system\'s features used with a module (head, gallery, prompts) built on the reference system.',
  'An upgrade is compatible when M(new, old) > M(old, old) (Shen et al., BCT, CVPR 2020): the old module works better with the new model than with the old one, without retraining.',
  'It is worth it when M(new, old) also approaches M(new, new), what retraining everything on the new model would give.',
  'The negative-flip rate is the fraction of samples the old system classified correctly that the upgraded one gets wrong (Yan et al., CVPR 2021).',
];

/** A human name for a method row. */
export function methodName(task: string, method: string, shots?: number): string {
  const base = task === 'retrieval' ? 'retrieval' : task === 'learner' ? `${method} (prompt learner)` : `${method} head`;
  return shots === undefined ? base : `${base}, ${shots}-shot`;
}
