import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@hotplug/kernels';
import { CliArgumentError, joinNegativeValues, writeJsonAtomic } from '@hotplug/runtime';
import { createLearner, listLearners, loadLearner, saveLearner, tokenSpaceRelation, trainPromptLearner } from '@hotplug/contcoop';
import { defaultModelDirs, loadModelFolder, type LoadedModel } from './models';
import { recipeFor, TABLE_LEARNERS } from './recipes';
import { runTable, type TableSpec } from './table';
import { Workbench } from './workbench';
import { driftFromInit, untrainedAccuracy } from './diagnose';

export const USAGE = `usage: hotplug-contcoop <train | evaluate | table> [options]

  train      train a prompt learner on model A (--train-on), save it, evaluate it on A and B
  evaluate   apply a saved prompt state (--state) to a model (--on) and report test accuracy
  table      the compatibility table: every learner x shots x seed trained on old, evaluated
             on old and plugged into new, with the new model's zero-shot accuracy (JSON + Markdown)
  diagnose   why prompts do or do not transfer: how the two token-embedding spaces relate, and
             each learner's untrained prompts on old and new (JSON)

models and data:
  --old DIR, --new DIR   model folders (model.safetensors, config.json, tokenizer.json);
                         default: the embedded pair of @hotplug/models
  --dataset NAME         fashion-mnist or mnist (train/evaluate; default fashion-mnist)
  --datasets A,B         table datasets (default fashion-mnist,mnist)
  --test-size N          evaluate on the first N test images (default: all)
  --conditional-test-size N   test images for CoCoOp, whose prompts are per image (default 1000)
  --cache DIR            image-feature cache (default runs/contcoop/features)

training:
  --learner KIND         ${listLearners().map((l) => l.kind).join(', ')} (train; default contcoop)
  --learners A,B         table learners (default: all five)
  --shots N | --shots 1,2,4,8,16     --seed N | --seeds 1,2,3
  --train-on old|new     the model prompts are learned on (default old; the other one is B)
  --steps N  --lr X  --batch-size N
  --options JSON         learner options, e.g. '{"nCtx":4,"distillWeight":2}'
  --out DIR              output folder (train: runs/contcoop/<learner>-<dataset>-<shots>shot-s<seed>;
                         table: runs/contcoop/table); rerun the same command to resume
  --quick                table: 2 shot counts, 2 seeds, 30 steps, 300 test images (a smoke run)
  --restart              train: discard a checkpoint made with other settings (otherwise refused with what changed)
  --state FILE --on old|new   evaluate: the saved state and the model to plug it into
  --backend NAME         force a tfjs backend`;

const OPTIONS = {
  old: { type: 'string' }, new: { type: 'string' }, dataset: { type: 'string' }, datasets: { type: 'string' },
  'test-size': { type: 'string' }, 'conditional-test-size': { type: 'string' }, cache: { type: 'string' },
  learner: { type: 'string' }, learners: { type: 'string' }, shots: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' },
  'train-on': { type: 'string' }, steps: { type: 'string' }, lr: { type: 'string' }, 'batch-size': { type: 'string' },
  options: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' }, state: { type: 'string' }, on: { type: 'string' },
  backend: { type: 'string' }, help: { type: 'boolean' }, restart: { type: 'boolean' },
} as const;

function positiveInts(name: string, v: string): number[] {
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0 || s.trim() === '') throw new CliArgumentError(`--${name} takes positive integers separated by commas, got "${v}"`, `--${name}`);
    return n;
  });
}

function one(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const [n, ...rest] = positiveInts(name, v);
  if (rest.length) throw new CliArgumentError(`--${name} takes one number, got "${v}"`, `--${name}`);
  return n;
}

function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n) || v.trim() === '') throw new CliArgumentError(`--${name} must be a positive number, got "${v}"`, `--${name}`);
  return n;
}

function list(v: string | undefined, fallback: readonly string[]): string[] {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [...fallback];
}

function parseOptions(v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const o = JSON.parse(v);
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
    return o;
  } catch (err) {
    throw new Error(`--options must be a JSON object of learner options, e.g. '{"nCtx":4}' (${(err as Error).message})`);
  }
}

/** Runs one command line (without `node script`); resolves when done. */
export async function runCli(argv: string[], log: (line: string) => void = console.log): Promise<void> {
  // joinNegativeValues: `--lr -1` reaches positiveNumber's message instead of parseArgs' "ambiguous" error.
  const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, OPTIONS), allowPositionals: true, options: OPTIONS });
  if (values.help || positionals.length === 0) return void log(USAGE);
  const command = positionals[0]!;
  if (!['train', 'evaluate', 'table', 'diagnose'].includes(command)) throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  await initBackend((values.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const defaults = values.old && values.new ? undefined : defaultModelDirs();
  const old = loadModelFolder('old', values.old ?? defaults!.old);
  const next = loadModelFolder('new', values.new ?? defaults!.new);
  const quick = values.quick ?? false;
  const bench = new Workbench({
    cacheDir: resolve(values.cache ?? 'runs/contcoop/features'),
    testSize: one('test-size', values['test-size']) ?? (quick ? 300 : undefined),
    conditionalTestSize: one('conditional-test-size', values['conditional-test-size']) ?? (quick ? 100 : 1000),
    log,
  });
  const train = { steps: one('steps', values.steps) ?? (quick ? 30 : undefined), lr: positiveNumber('lr', values.lr), batchSize: one('batch-size', values['batch-size']) };
  try {
    if (command === 'table') {
      const learners = list(values.learners, TABLE_LEARNERS);
      const options = parseOptions(values.options);
      const spec: TableSpec = {
        datasets: list(values.datasets, ['fashion-mnist', 'mnist']),
        learners,
        shots: values.shots ? positiveInts('shots', values.shots) : quick ? [1, 4] : [1, 2, 4, 8, 16],
        seeds: values.seeds ? positiveInts('seeds', values.seeds) : quick ? [1, 2] : [1, 2, 3],
        train,
        // --options applies to every trained learner that has those options (validated by createLearner).
        options: options ? Object.fromEntries(learners.filter((l) => l !== 'zeroshot').map((l) => [l, options])) : undefined,
      };
      const out = resolve(values.out ?? 'runs/contcoop/table');
      mkdirSync(out, { recursive: true });
      const report = await runTable(bench, old, next, spec, out, log);
      log(`wrote ${join(out, 'table.json')} and ${join(out, 'table.md')} (${report.cells.length} cells, ${(report.seconds / 60).toFixed(1)} min)`);
      return;
    }
    if (command === 'diagnose') {
      const relation = tokenSpaceRelation(old, next);
      log(`token embeddings old vs new (${relation.tokens} tokens): mean cosine of the same token ${relation.sameTokenCosine.toFixed(3)}, held-out R² of a linear map old -> new ${relation.linearMapHeldOutR2.toFixed(3)}`);
      const drift = { old: driftFromInit(old), new: driftFromInit(next) };
      for (const [id, d] of Object.entries(drift)) {
        if (d) log(`${id}: trained token embeddings vs their random initialisation (seed from training.json): mean cosine ${d.sameTokenCosine.toFixed(3)}, held-out R² ${d.linearMapHeldOutR2.toFixed(3)}`);
      }
      const untrained: Record<string, Record<string, { old: number; new: number }>> = {};
      for (const dataset of list(values.datasets, ['fashion-mnist', 'mnist'])) {
        untrained[dataset] = await untrainedAccuracy(bench, old, next, dataset, list(values.learners, TABLE_LEARNERS));
        for (const [kind, acc] of Object.entries(untrained[dataset]!)) log(`${dataset} ${kind} untrained: old ${(100 * acc.old).toFixed(1)}%, new ${(100 * acc.new).toFixed(1)}%`);
      }
      const out = resolve(values.out ?? 'runs/contcoop/diagnose.json');
      writeJsonAtomic(out, { models: { old: old.dir, new: next.dir }, tokenSpace: relation, driftFromInit: drift, untrained });
      log(`wrote ${out}`);
      return;
    }
    const dataset = values.dataset ?? 'fashion-mnist';
    const models: Record<string, LoadedModel> = { old, new: next };
    if (command === 'evaluate') {
      if (!values.state) throw new Error('evaluate needs --state FILE (a prompt state written by the train command)');
      const on = values.on ?? 'new';
      const model = models[on];
      if (!model) throw new Error(`--on must be old or new, got "${on}"`);
      const learner = loadLearner(resolve(values.state));
      const { accuracy, images } = await bench.evaluate(learner, model, dataset);
      learner.dispose();
      log(`${learner.kind} from ${values.state} on ${on} (${dataset}, ${images} test images): accuracy ${(100 * accuracy).toFixed(2)}%`);
      return;
    }
    const trainOn = values['train-on'] ?? 'old';
    if (trainOn !== 'old' && trainOn !== 'new') throw new Error(`--train-on must be old or new, got "${trainOn}"`);
    const [a, b] = trainOn === 'old' ? [old, next] : [next, old];
    const kind = values.learner ?? 'contcoop';
    const shots = one('shots', values.shots) ?? 16;
    const seed = one('seed', values.seed) ?? 1;
    const out = resolve(values.out ?? join('runs/contcoop', `${kind}-${dataset}-${shots}shot-s${seed}`));
    const target = bench.target(a, dataset);
    const learner = createLearner(kind, target, { seed, options: parseOptions(values.options) });
    const feats = await bench.features(a, bench.fewShot(dataset, shots, seed), `${dataset} ${shots}-shot`);
    const recipe = recipeFor(kind, train);
    const summary = await trainPromptLearner(learner, target, feats, { ...recipe, seed, checkpointDir: join(out, 'checkpoint'), checkpointEvery: 50, restart: values.restart ?? false, logFile: join(out, 'metrics.jsonl'), label: `${kind} on ${a.id}` });
    saveLearner(learner, join(out, 'prompt.safetensors'), target);
    const onA = await bench.evaluate(learner, a, dataset);
    const onB = await bench.evaluate(learner, b, dataset);
    const zs = createLearner('zeroshot', target);
    const zsB = await bench.evaluate(zs, b, dataset);
    zs.dispose();
    learner.dispose();
    const result = {
      learner: kind, options: learner.config, dataset, shots, seed, trainedOn: { id: a.id, dir: a.dir }, pluggedInto: { id: b.id, dir: b.dir },
      recipe, finalLoss: summary?.finalLoss, accuracy: { [a.id]: onA.accuracy, [b.id]: onB.accuracy, [`${b.id} zero-shot`]: zsB.accuracy }, testImages: onB.images,
    };
    writeJsonAtomic(join(out, 'result.json'), result);
    log(`${kind} (${dataset}, ${shots}-shot, seed ${seed}) trained on ${a.id}: ${(100 * onA.accuracy).toFixed(2)}% on ${a.id}, ${(100 * onB.accuracy).toFixed(2)}% plugged into ${b.id} (its zero-shot: ${(100 * zsB.accuracy).toFixed(2)}%) -> ${out}`);
  } finally {
    bench.dispose();
    old.clip.dispose();
    next.clip.dispose();
  }
}

