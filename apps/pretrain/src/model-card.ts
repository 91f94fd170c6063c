import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configForTokenizer, createClip, resolveConfig } from '@hotplug/backbones';
import { PRETRAINING_CORPUS } from '@hotplug/data';
import type { EvaluatedModel } from '@hotplug/bench';
import { qualityBars, PAIRS, type ModelCard, type TokenFigures, type TrainingRecord } from './card';
import type { PretrainConfig } from './config';
import { EMBEDDED_FORMAT, type PreparedCorpus } from './corpus';
import { taskQuality, type QualityOptions } from './quality';
import { linearMapR2, meanRowCosine, tokenCounts, usedTokens, type TokenTable } from './tokens';

const table = (m: EvaluatedModel): TokenTable => {
  const t = m.clip.text.tokenEmbedding;
  return { data: t.dataSync() as Float32Array, rows: t.shape[0]!, dim: t.shape[1]! };
};

/** Token-table figures: how far each table moved from its random start, and how pairs relate. */
export function tokenFigures(models: EvaluatedModel[], recipes: Record<string, PretrainConfig>, prepared: PreparedCorpus): TokenFigures {
  const counts = tokenCounts(prepared.tokenIds, prepared.tokenizer.vocabSize);
  const used = usedTokens(counts);
  const all = Int32Array.from({ length: prepared.tokenizer.vocabSize }, (_, i) => i);
  const byId = new Map(models.map((m) => [m.id, m]));
  const out: TokenFigures = { models: [], pairs: [] };
  for (const m of models) {
    const recipe = recipes[m.id]!;
    // The random initialisation this recipe's seed gives (before any warm start).
    const init = createClip(configForTokenizer(resolveConfig(recipe.model), prepared.tokenizer), { seed: recipe.seed });
    try {
      const a = table(m);
      const b = { data: init.text.tokenEmbedding.dataSync() as Float32Array, rows: a.rows, dim: a.dim };
      out.models.push({
        id: m.id,
        cosineToInit: meanRowCosine(a, b, used),
        cosineToInitAllRows: meanRowCosine(a, b, all),
        usedTokens: used.length,
        vocabSize: a.rows,
      });
    } finally {
      init.dispose();
    }
  }
  for (const p of PAIRS) {
    const from = byId.get(p.old);
    const to = byId.get(p.next);
    if (from && to) out.pairs.push({ pair: p.id, from: p.old, to: p.next, r2: linearMapR2(table(from), table(to), used) });
  }
  return out;
}

/** Mean loss of the first and last ten logged steps of a run's metrics.jsonl. */
function lossEnds(runDir: string): { initialLoss?: number; finalLoss?: number } {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return {};
  const losses = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { initialLoss: mean(losses.slice(0, 3)), finalLoss: mean(losses.slice(-3)) };
}

/** Fills what a training record can say about itself from its model folder and run folder. */
export function completeRecord(record: TrainingRecord, modelDir: string, runDir: string): TrainingRecord {
  const weights = join(modelDir, 'model.safetensors');
  return {
    ...lossEnds(runDir),
    // The scene corpus is always the pretraining stream; records written before the field existed lack it.
    ...(record.corpus === 'scenes' ? { corpusSeed: PRETRAINING_CORPUS.seed } : {}),
    ...record,
    minutesPer1000Steps: record.minutesPer1000Steps ?? ((record.seconds / record.steps) * 1000) / 60,
    ...(existsSync(weights) ? { bytes: statSync(weights).size } : {}),
  };
}

/** The whole model card of the embedded models. */
export async function buildModelCard(
  models: EvaluatedModel[],
  recipes: Record<string, PretrainConfig>,
  prepared: PreparedCorpus,
  training: TrainingRecord[],
  options: QualityOptions = {},
): Promise<ModelCard> {
  const tasks = await taskQuality(models, 'old', EMBEDDED_FORMAT, options);
  const tokens = tokenFigures(models, recipes, prepared);
  const c = prepared.corpus;
  return {
    generatedBy: 'npm run start -w @hotplug/app-pretrain -- all',
    data: `Scene corpus (@hotplug/data pretrainingCorpus, stream seed ${training[0]?.corpusSeed ?? 1001}): ${c.size} 64x64 RGB scenes of 1-4 train-split Fashion-MNIST / MNIST objects with grammar-made captions (no task labels), converted to ${EMBEDDED_FORMAT.size}x${EMBEDDED_FORMAT.size} RGB. One byte-level BPE tokenizer (vocabulary ${prepared.tokenizer.vocabSize}, context ${prepared.tokenizer.contextLength}) trained on the captions and the downstream prompts, shared by every model. Test splits never enter training; every downstream task is built from test-split objects.`,
    training,
    tasks,
    tokens,
    bars: qualityBars(
      tasks,
      tokens,
      models.map((m) => m.id),
    ),
  };
}
