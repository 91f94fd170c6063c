import { marginInterval, verdictOfInterval, type PairedItems } from '../metrics/bootstrap';
import { pairedValues } from './analysis';
import type { CellRecord } from './results';
import type { CellSelector, ContrastSpec, ExperimentSpec } from './spec';

/**
 * M(a) − M(b) for two arbitrary cells of the grid, with the same paired bootstrap as the
 * verdicts: the references the papers compare against, which are not M(old, old) — ContCoOp
 * trained on old and plugged into new against the new model's own zero-shot, or against the
 * same learner on old.
 */
export interface ContrastRow {
  id: string;
  label: string;
  dataset: string;
  metric: string;
  a: CellSelector;
  b: CellSelector;
  /** Means over the runs of each side. */
  valueA: number | null;
  valueB: number | null;
  margin: number;
  interval?: { low: number; high: number; level: number };
  /** 'a higher': the interval of M(a) − M(b) lies above 0; 'a lower': below 0. */
  answer: 'a higher' | 'a lower' | 'inconclusive' | 'cannot run';
  /** Random training runs paired (0: both sides deterministic). */
  randomRuns: number;
  items: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function matches(r: CellRecord, s: CellSelector, dataset: string): boolean {
  const c = r.result;
  return c.dataset === dataset && c.method === s.method && c.query === s.query && c.reference === s.reference && (s.shots === undefined || c.shots === s.shots);
}

/**
 * Pairs the runs of the two sides: by seed where both are seeded, every run of the seeded
 * side with the single run of a deterministic one, one pair where both are deterministic.
 */
function pairRuns(a: CellRecord[], b: CellRecord[]): [CellRecord, CellRecord][] {
  const fixedA = a.length === 1 && a[0]!.result.seed === null;
  const fixedB = b.length === 1 && b[0]!.result.seed === null;
  if (fixedA) return b.map((y) => [a[0]!, y]);
  if (fixedB) return a.map((x) => [x, b[0]!]);
  return a.flatMap((x) => b.filter((y) => y.result.seed === x.result.seed).map((y): [CellRecord, CellRecord] => [x, y]));
}

/** Every contrast of the spec on every dataset, from the grid's cells. */
export function contrasts(spec: ExperimentSpec, records: CellRecord[]): ContrastRow[] {
  const out: ContrastRow[] = [];
  const boot = spec.bootstrap ?? {};
  for (const c of spec.contrasts ?? []) {
    for (const dataset of spec.datasets) {
      const a = records.filter((r) => matches(r, c.a, dataset));
      const b = records.filter((r) => matches(r, c.b, dataset));
      if (!a.length || !b.length) continue;
      const metric = c.metric ?? (a[0]!.result.task === 'retrieval' ? 'mAP' : 'accuracy');
      const base = { id: c.id, label: c.label ?? c.id, dataset, metric, a: c.a, b: c.b };
      const pairs = pairRuns(a, b);
      const okA = a.filter((r) => r.result.status === 'ok');
      const okB = b.filter((r) => r.result.status === 'ok');
      const valueA = okA.length === a.length ? mean(okA.map((r) => r.result.metrics[metric]!)) : null;
      const valueB = okB.length === b.length ? mean(okB.map((r) => r.result.metrics[metric]!)) : null;
      if (valueA === null || valueB === null || pairs.length === 0) {
        out.push({ ...base, valueA, valueB, margin: NaN, answer: 'cannot run', randomRuns: 0, items: 0 });
        continue;
      }
      const paired: PairedItems[] = [];
      for (const [x, y] of pairs) {
        const values = pairedValues(x, y, metric, `contrast "${c.id}" on ${dataset}`);
        if (values) paired.push({ old: values.b, upgraded: values.a });
      }
      const seeded = pairs.some(([x, y]) => x.result.seed !== null || y.result.seed !== null);
      const interval =
        paired.length === pairs.length
          ? marginInterval(paired, {
              ...(boot.resamples !== undefined ? { resamples: boot.resamples } : {}),
              ...(boot.level !== undefined ? { level: boot.level } : {}),
              seed: [boot.seed ?? 0, 'contrast', c.id, dataset, metric].join('/'),
            })
          : undefined;
      const v = interval ? verdictOfInterval(interval) : 'inconclusive';
      out.push({
        ...base,
        valueA,
        valueB,
        // On the items both sides scored (a sampled learner against a whole split): the interval's own centre.
        margin: interval ? interval.margin : valueA - valueB,
        ...(interval ? { interval: { low: interval.low, high: interval.high, level: interval.level } } : {}),
        answer: v === 'compatible' ? 'a higher' : v === 'not compatible' ? 'a lower' : 'inconclusive',
        randomRuns: seeded ? pairs.length : 0,
        items: interval?.items ?? 0,
      });
    }
  }
  return out;
}

/**
 * The contrasts ContCoOp's protocol needs beyond the verdicts: each prompt learner (a learner
 * with a positive shot count), trained on each comparison's old system and plugged into its new
 * one, against the new model's own zero-shot (`zeroShot`: the id of a learner run at 0 shots;
 * default: every learner whose shot counts are all 0), at every shot count. The other reference,
 * the same learner on old, is the verdict itself. Add them to a spec with
 * `spec.contrasts = [...(spec.contrasts ?? []), ...promptLearnerContrasts(spec)]`.
 */
export function promptLearnerContrasts(spec: ExperimentSpec, zeroShot?: string): ContrastSpec[] {
  const learners = spec.learners ?? [];
  const references = learners.filter((l) => (zeroShot === undefined ? l.shots.every((s) => s === 0) : l.id === zeroShot));
  const runsOn = (l: { systems?: string[] }, id: string) => l.systems === undefined || l.systems.includes(id);
  const out: ContrastSpec[] = [];
  for (const z of references) {
    for (const l of learners) {
      if (l === z) continue;
      for (const c of spec.comparisons) {
        if (!runsOn(l, c.old) || !runsOn(l, c.new) || !runsOn(z, c.new)) continue;
        for (const shots of l.shots.filter((s) => s > 0)) {
          out.push({
            id: `${l.id}-${shots}-shot-${c.old}-to-${c.new}-vs-${z.id}`,
            label: `${l.id} ${shots}-shot trained on ${c.old}, on ${c.new} vs ${c.new}'s ${z.id}`,
            a: { method: l.id, query: c.new, reference: c.old, shots },
            b: { method: z.id, query: c.new, reference: c.new, shots: Math.min(...z.shots) },
          });
        }
      }
    }
  }
  return out;
}
