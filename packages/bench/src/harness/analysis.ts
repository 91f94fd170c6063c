import { InputError } from '@hotplug/runtime';
import { marginInterval, type PairedItems } from '../metrics/bootstrap';
import { compatibilityVerdict, type CompatibilityVerdict } from '../metrics/compatibility';
import { negativeFlips, type FlipCounts } from '../metrics/flips';
import type { CellRecord, CellResult, TaskKind } from './results';
import type { ExperimentSpec } from './spec';

/** Which method/dataset/seed/shots a figure belongs to. */
export interface GroupId {
  task: TaskKind;
  method: string;
  dataset: string;
  seed: number | null;
  shots?: number;
}

/** One training run behind a verdict: a head / learner seed (null: deterministic) and the upgraded system it used (a replicate for adapter seeds). */
export interface VerdictRun {
  seed: number | null;
  system: string;
  oldOld: number;
  upgradedOld: number | null;
  newNew: number | null;
}

/**
 * The compatibility criterion applied to one upgrade of one module, over every random
 * training run: M(upgraded, old) − M(old, old) with a paired-bootstrap interval.
 */
export interface VerdictRow extends Omit<GroupId, 'seed'> {
  metric: string;
  old: string;
  new: string;
  /** The system that replaces `old` as the query side: `new` itself or an adapted version of it. */
  upgraded: string;
  /** The upgraded system and its replicates (other adapter seeds) pooled here. */
  replicates: string[];
  /** Random training seeds of the module pooled here; empty for a deterministic module (kNN, retrieval, zero-shot). */
  seeds: number[];
  /** Random training runs (module seeds × adapter replicates); 0 when nothing here is trained at random. */
  randomRuns: number;
  runs: VerdictRun[];
  /** Means over the runs. */
  oldOld: number;
  upgradedOld: number | null;
  newNew: number | null;
  /** Test items paired by the bootstrap (0 when the module cannot run). */
  items: number;
  verdict: CompatibilityVerdict;
}

/** Per-sample changes between the old system and an upgraded one. */
export interface FlipRow extends GroupId, FlipCounts {
  old: string;
  upgraded: string;
  /** hot-plug: upgraded features into the old module; retrained: new features into a module retrained on them. */
  mode: 'hot-plug' | 'retrained';
}

const METRICS: Record<TaskKind, string[]> = { head: ['accuracy'], learner: ['accuracy'], retrieval: ['top1', 'mAP'] };

type Module = Omit<GroupId, 'seed'>;

function moduleKey(c: Module): string {
  return JSON.stringify([c.task, c.method, c.dataset, c.shots ?? null]);
}

function moduleOf(c: CellResult): Module {
  return { task: c.task, method: c.method, dataset: c.dataset, ...(c.shots !== undefined ? { shots: c.shots } : {}) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per-item values of a cached cell (JSON null = no value). */
export function itemValues(rec: CellRecord, metric: string): Float64Array | undefined {
  const v = rec.items?.[metric];
  return v ? Float64Array.from(v, (x) => (x === null ? NaN : x)) : undefined;
}

/**
 * The per-item values of two cells on the items both scored, in one order: every item where
 * neither sampled (checked by sameItems), otherwise the test indices the two share (a
 * learner evaluated on a sample against a cell scored on the whole split). Labels must agree
 * on every shared item. Undefined when a cell kept no per-item figures.
 */
export function pairedValues(a: CellRecord, b: CellRecord, metric: string, what: string): { a: Float64Array; b: Float64Array } | undefined {
  const va = itemValues(a, metric);
  const vb = itemValues(b, metric);
  if (!a.itemIndices && !b.itemIndices) {
    sameItems(a, b, what);
    return va && vb ? { a: va, b: vb } : undefined;
  }
  if (!va || !vb) return undefined;
  const ia = a.itemIndices ?? Array.from(va, (_, i) => i);
  const ib = b.itemIndices ?? Array.from(vb, (_, i) => i);
  const posB = new Map(ib.map((idx, i) => [idx, i]));
  const ra: number[] = [];
  const rb: number[] = [];
  ia.forEach((idx, i) => {
    const j = posB.get(idx);
    if (j === undefined) return;
    if (a.labels && b.labels && a.labels[i] !== b.labels[j])
      throw new InputError(`${what}: test item ${idx} has label ${a.labels[i]} in one cell and ${b.labels[j]} in the other; make the test splits identical`);
    ra.push(va[i]!);
    rb.push(vb[j]!);
  });
  if (ra.length === 0) throw new InputError(`${what}: the two cells scored no test item in common (their samples are disjoint)`);
  return { a: Float64Array.from(ra), b: Float64Array.from(rb) };
}

/** Throws when two cells were scored on different test items (their labels differ). */
export function sameItems(a: CellRecord, b: CellRecord, what: string): void {
  const la = a.labels;
  const lb = b.labels;
  if (!la || !lb) return;
  if (la.length !== lb.length || la.some((l, i) => l !== lb[i])) {
    throw new InputError(`${what}: the two systems were evaluated on different test items (labels differ); make their test splits identical`);
  }
}

/** Verdicts (pooled over training runs, with intervals) and per-seed flip rates for every comparison in the spec, from the grid's cells. */
export function analyse(spec: ExperimentSpec, records: CellRecord[]): { verdicts: VerdictRow[]; flips: FlipRow[] } {
  const modules = new Map<string, { id: Module; bySeed: Map<number | null, Map<string, CellRecord>> }>();
  for (const r of records) {
    const k = moduleKey(r.result);
    if (!modules.has(k)) modules.set(k, { id: moduleOf(r.result), bySeed: new Map() });
    const m = modules.get(k)!;
    if (!m.bySeed.has(r.result.seed)) m.bySeed.set(r.result.seed, new Map());
    m.bySeed.get(r.result.seed)!.set(`${r.result.query}|${r.result.reference}`, r);
  }
  const replicatesOf = (id: string) => [id, ...spec.systems.filter((s) => s.replicateOf === id).map((s) => s.id)];
  const boot = spec.bootstrap ?? {};
  const verdicts: VerdictRow[] = [];
  const flips: FlipRow[] = [];
  for (const { id, bySeed } of modules.values()) {
    const seeds = [...bySeed.keys()].sort((a, b) => (a ?? -Infinity) - (b ?? -Infinity));
    for (const c of spec.comparisons) {
      for (const metric of METRICS[id.task]) {
        for (const upgraded of [c.new, ...(c.adapted ?? [])]) {
          const row = verdictRow(id, metric, c.old, c.new, upgraded, replicatesOf(upgraded), seeds, bySeed, boot);
          if (row) verdicts.push(row);
        }
      }
      for (const seed of seeds) flips.push(...flipRows({ ...id, seed }, c.old, c.new, [c.new, ...(c.adapted ?? [])], bySeed.get(seed)!));
    }
  }
  return { verdicts, flips };
}

function verdictRow(
  id: Module,
  metric: string,
  old: string,
  neu: string,
  upgraded: string,
  replicates: string[],
  seeds: (number | null)[],
  bySeed: Map<number | null, Map<string, CellRecord>>,
  boot: NonNullable<ExperimentSpec['bootstrap']>,
): VerdictRow | undefined {
  const runs: VerdictRun[] = [];
  const paired: PairedItems[] = [];
  let cannotRun = false;
  let unpaired = false;
  const ok = (r: CellRecord | undefined) => (r && r.result.status === 'ok' ? r : undefined);
  for (const seed of seeds) {
    const cells = bySeed.get(seed)!;
    const base = ok(cells.get(`${old}|${old}`));
    if (!base) continue;
    const newNew = ok(cells.get(`${neu}|${neu}`))?.result.metrics[metric] ?? null;
    for (const system of replicates) {
      // A pair the grid left out (a learner limited to some systems) has no verdict; an
      // incompatible one does ("cannot run").
      const rec = cells.get(`${system}|${old}`);
      if (!rec) continue;
      const oldOld = base.result.metrics[metric]!;
      if (rec.result.status !== 'ok') {
        cannotRun = true;
        runs.push({ seed, system, oldOld, upgradedOld: null, newNew });
        continue;
      }
      runs.push({ seed, system, oldOld, upgradedOld: rec.result.metrics[metric]!, newNew });
      const values = pairedValues(base, rec, metric, `verdict of "${system}" against "${old}" on ${id.dataset} (${id.method})`);
      if (values) paired.push({ old: values.a, upgraded: values.b });
      else unpaired = true;
    }
  }
  if (runs.length === 0) return undefined;
  const oldOld = mean(runs.map((r) => r.oldOld));
  const defined = runs.filter((r) => r.upgradedOld !== null);
  const upgradedOld = cannotRun || defined.length === 0 ? null : mean(defined.map((r) => r.upgradedOld!));
  const nn = runs.filter((r) => r.newNew !== null);
  const newNew = nn.length ? mean(nn.map((r) => r.newNew!)) : null;
  const rowSeed = [boot.seed ?? 0, id.task, id.method, id.dataset, id.shots ?? '', metric, old, upgraded].join('/');
  const interval =
    upgradedOld !== null && !unpaired && paired.length
      ? marginInterval(paired, {
          ...(boot.resamples !== undefined ? { resamples: boot.resamples } : {}),
          ...(boot.level !== undefined ? { level: boot.level } : {}),
          seed: rowSeed,
        })
      : undefined;
  const verdict = compatibilityVerdict({ oldOld, newOld: upgradedOld ?? undefined, ...(newNew !== null ? { newNew } : {}), ...(interval ? { interval } : {}) });
  const seedList = [...new Set(runs.map((r) => r.seed).filter((s): s is number => s !== null))];
  const randomRuns = seedList.length > 0 || replicates.length > 1 ? runs.length : 0;
  return {
    ...id,
    metric,
    old,
    new: neu,
    upgraded,
    replicates,
    seeds: seedList,
    randomRuns,
    runs,
    oldOld,
    upgradedOld,
    newNew,
    items: interval?.items ?? 0,
    verdict,
  };
}

function flipRows(id: GroupId, old: string, neu: string, upgrades: string[], cells: Map<string, CellRecord>): FlipRow[] {
  const base = cells.get(`${old}|${old}`);
  if (base?.result.status !== 'ok' || !base.predictions || !base.labels) return [];
  const out: FlipRow[] = [];
  const against = (rec: CellRecord | undefined, upgraded: string, mode: FlipRow['mode']) => {
    if (!rec?.predictions || !rec.labels) return;
    sameItems(base, rec, `flip rate of "${upgraded}" against "${old}" on ${id.dataset}`);
    out.push({ ...id, old, upgraded, mode, ...negativeFlips(base.predictions!, rec.predictions, base.labels!) });
  };
  for (const upgraded of upgrades) against(cells.get(`${upgraded}|${old}`), upgraded, 'hot-plug');
  against(cells.get(`${neu}|${neu}`), neu, 'retrained');
  return out;
}
