import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appProgram, choiceOption, CommanderError, defaultOutDir, intOption, listOption, readPackageVersion, runApp, type Command } from '@hotplug/cli';
import { initBackend } from '@hotplug/kernels';
import { CliArgumentError, writeJsonAtomic } from '@hotplug/runtime';
import { runBenchmark, Workspace } from '@hotplug/app-bench';
import { createLearner, listLearners, loadLearner, saveLearner, tokenSpaceRelation, trainPromptLearner } from '@hotplug/contcoop';
import { embeddedModelDir } from '@hotplug/models';
import { recipeFor, TABLE_LEARNERS } from './recipes';
import { tableSpec, type TableOptions } from './spec';
import { fewShotFeatures, promptAccuracy, promptTarget, zeroShotAccuracy } from './workspace';
import { driftFromInit, untrainedAccuracy } from './diagnose';

export const COMMANDS = {
  train: 'train a prompt learner on model A (--train-on), save it, evaluate it on A and B',
  evaluate: 'apply a saved prompt state (--state) to a model (--on) and report test accuracy',
  table:
    "the compatibility table through apps/bench's harness: every learner x shots x seed trained on each model and plugged from old into new (and new-lineage), against the new model's zero-shot, with verdicts and intervals (report.json, report.md, report.html)",
  diagnose: "why prompts do or do not transfer: how the two token-embedding spaces relate, and each learner's untrained prompts on old and new (JSON)",
} as const;
type CommandName = keyof typeof COMMANDS;

const positiveInt = (v: string, option: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || v === '') throw new CliArgumentError(`${option} takes positive integers separated by commas, got "${v}"`, option);
  return n;
};

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n) || v.trim() === '') throw new CliArgumentError(`--${name} must be a positive number, got "${v}"`, `--${name}`);
    return n;
  };
}

function jsonOptions(v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const o = JSON.parse(v);
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
    return o;
  } catch (err) {
    throw new CliArgumentError(`--options must be a JSON object of learner options, e.g. '{"nCtx":4}' (${(err as Error).message})`, '--options');
  }
}

/** One value of a list option that a command takes once (train: --shots 16). */
function one<T>(name: string, v: T[] | undefined): T | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 1) throw new CliArgumentError(`--${name} takes one value here, got ${v.length} (${v.join(',')})`, `--${name}`);
  return v[0];
}

interface Raw {
  old?: string;
  new?: string;
  lineage?: string;
  dataset?: string;
  datasets?: string[];
  trainSize?: number;
  testSize?: number;
  conditionalTestSize?: number;
  cache?: string;
  learner?: string;
  learners?: string[];
  shots?: number[];
  seed?: number[];
  seeds?: number[];
  trainOn: 'old' | 'new';
  steps?: number;
  lr?: number;
  batchSize?: number;
  options?: string;
  out: string;
  quick?: boolean;
  restart?: boolean;
  state?: string;
  on: 'old' | 'new';
  backend?: string;
}

/** Every option of every command (one set: each command reads what it needs). */
function withOptions(cmd: Command): Command {
  return cmd
    .option('--old <dir>', 'old model folder (default: the embedded old model of @hotplug/models)')
    .option('--new <dir>', 'new model folder (default: the embedded new model)')
    .option(
      '--lineage <dir>',
      "table: a third model, the continued-lineage upgrade of old (default: the embedded new-lineage with the embedded pair, none with --old / --new; 'none' to leave it out)",
    )
    .option('--dataset <name>', 'train / evaluate: fashion-mnist or mnist (default fashion-mnist)')
    .addOption(listOption('--datasets <list>', 'table / diagnose datasets', { defaults: ['fashion-mnist', 'mnist'] }))
    .addOption(intOption('--train-size <n>', 'train images per dataset the few-shot examples are drawn from (an evenly strided pick; default 5000)'))
    .addOption(intOption('--test-size <n>', "evaluate on the benchmark's seeded class-stratified sample of N test images (default: all)"))
    .addOption(intOption('--conditional-test-size <n>', 'table: test images for CoCoOp, whose prompts are per image (default 1000)'))
    .option('--cache <dir>', 'table: features, trained learners and finished cells; a rerun computes only what changed (default: <out>/cache)')
    .option(
      '--learner <kind>',
      `train: ${listLearners()
        .map((l) => l.kind)
        .join(', ')} (default contcoop)`,
    )
    .addOption(listOption('--learners <list>', 'table / diagnose learners', { defaults: TABLE_LEARNERS }))
    .addOption(listOption('--shots <list>', 'shots per class (train: one, default 16; table: default 1,2,4,8,16)', { item: positiveInt }))
    .addOption(listOption('--seed <n>', 'train: the seed (default 1)', { item: positiveInt }))
    .addOption(listOption('--seeds <list>', 'table seeds (default 1,2,3)', { item: positiveInt }))
    .addOption(choiceOption('--train-on <model>', 'the model prompts are learned on; the other one is B', ['old', 'new'] as const, 'old'))
    .addOption(intOption('--steps <n>', 'training steps'))
    .option('--lr <x>', 'learning rate', positiveNumber('lr'))
    .addOption(intOption('--batch-size <n>', 'batch size'))
    .option('--options <json>', 'learner options, e.g. \'{"nCtx":4,"distillWeight":2}\'')
    .option(
      '--out <dir>',
      'result folder: train: <out>/<learner>-<dataset>-<shots>shot-s<seed>/; table: <out>/table/report.{json,md,html}; diagnose: <out>/diagnose.json; rerun the same command to resume',
      defaultOutDir('contcoop'),
    )
    .option('--quick', 'table: 2 shot counts, 2 seeds, 30 steps, 1000 train / 300 test images (a smoke run)')
    .option('--restart', 'train: discard a checkpoint made with other settings (otherwise refused with what changed)')
    .option('--state <file>', 'evaluate: the saved prompt state')
    .addOption(choiceOption('--on <model>', 'evaluate: the model to plug the state into', ['old', 'new'] as const, 'new'))
    .option('--backend <name>', 'force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)');
}

/** The hotplug-contcoop program; each command's output lines go to `log`. */
export function contcoopProgram(log: (line: string) => void = console.log): Command {
  const p = appProgram({
    name: 'hotplug-contcoop',
    description: 'Train prompts on one model, evaluate them on another; the compatibility table.',
    version: readPackageVersion(new URL('../package.json', import.meta.url)),
  });
  for (const [name, description] of Object.entries(COMMANDS))
    withOptions(p.command(name).description(description)).action((o: Raw) => runCommand(name as CommandName, o, log));
  return p;
}

/**
 * Runs one command line (without `node script`) in this process and resolves when done; errors
 * (usage errors included) are thrown. `--help` / `--version` write to `log`.
 */
export async function runCli(argv: string[], log: (line: string) => void = console.log): Promise<void> {
  const p = contcoopProgram(log);
  const write = { writeOut: (s: string) => log(s.trimEnd()), writeErr: (s: string) => log(s.trimEnd()) };
  p.configureOutput(write);
  for (const c of p.commands) c.configureOutput(write);
  try {
    await p.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return;
    throw err;
  }
}

/** The CLI's entry: resolves to the exit code (0 ok, 1 failure, 2 usage error). */
export function main(argv: string[]): Promise<number> {
  return runApp(argv, { program: () => contcoopProgram(console.log) });
}

async function runCommand(command: CommandName, values: Raw, log: (line: string) => void): Promise<void> {
  // Checks that need no model, before the backend starts.
  for (const role of ['old', 'new', 'lineage'] as const)
    if (values[role] !== undefined && values[role] !== 'none' && !existsSync(resolve(values[role]!)))
      throw new CliArgumentError(
        `model "${role === 'lineage' ? 'new-lineage' : role}": ${resolve(values[role]!)} does not exist. Pass the folder that holds the model files (hotplug folder (saveClip), Hugging Face CLIP folder, open_clip folder)`,
        `--${role}`,
      );
  if (command === 'evaluate' && !values.state)
    throw new CliArgumentError('evaluate needs --state FILE (a prompt state written by the train command)', '--state');
  const learnerOptions = jsonOptions(values.options);
  const outRoot = resolve(values.out);
  const quick = values.quick ?? false;
  const embedded = values.old === undefined && values.new === undefined;
  const lineage =
    values.lineage === 'none' ? undefined : values.lineage !== undefined ? resolve(values.lineage) : embedded ? embeddedModelDir('new-lineage') : undefined;
  const models = {
    old: resolve(values.old ?? embeddedModelDir('old')),
    new: resolve(values.new ?? embeddedModelDir('new')),
    ...(lineage && command === 'table' ? { 'new-lineage': lineage } : {}),
  };
  const testImages = values.testSize ?? (quick ? 300 : undefined);
  const limits = { trainImages: values.trainSize ?? (quick ? 1000 : 5000), ...(testImages !== undefined ? { testImages } : {}) };
  const train = { steps: values.steps ?? (quick ? 30 : undefined), lr: values.lr, batchSize: values.batchSize };
  await initBackend((values.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  if (command === 'table') {
    const learners = values.learners!;
    const options = learnerOptions;
    const spec: TableOptions = {
      datasets: values.datasets!,
      learners,
      shots: values.shots ?? (quick ? [1, 4] : [1, 2, 4, 8, 16]),
      seeds: values.seeds ?? (quick ? [1, 2] : [1, 2, 3]),
      systems: Object.keys(models) as TableOptions['systems'],
      train,
      // --options applies to every trained learner that has those options (validated by createLearner).
      ...(options ? { options: Object.fromEntries(learners.filter((l) => l !== 'zeroshot').map((l) => [l, options])) } : {}),
      ...limits,
      conditionalTestImages: values.conditionalTestSize ?? (quick ? 100 : 1000),
    };
    const out = join(outRoot, 'table');
    mkdirSync(out, { recursive: true });
    const { markdown, paths, report } = await runBenchmark(tableSpec(spec), {
      models,
      // Prompt learners use no adapters.
      adaptersRoot: join(outRoot, 'adapters'),
      outDir: out,
      cacheDir: resolve(values.cache ?? join(outRoot, 'cache')),
      progress: false,
    });
    log(markdown);
    log(
      `wrote ${paths.markdown}, ${paths.html} and ${paths.json} (${report.cells.length} cells: ${report.stats.cellsComputed} computed, ${report.stats.cellsCached} from the cache; ${report.stats.learnersTrained} learners trained)`,
    );
    return;
  }
  const ws = new Workspace(models, limits);
  try {
    if (command === 'diagnose') {
      const [old, next] = [
        { ...ws.model('old'), dir: models.old },
        { ...ws.model('new'), dir: models.new },
      ];
      const relation = tokenSpaceRelation(old, next);
      log(
        `token embeddings old vs new (${relation.tokens} tokens): mean cosine of the same token ${relation.sameTokenCosine.toFixed(3)}, held-out R² of a linear map old -> new ${relation.linearMapHeldOutR2.toFixed(3)}`,
      );
      const drift = { old: driftFromInit(old), new: driftFromInit(next) };
      for (const [id, d] of Object.entries(drift)) {
        if (d)
          log(
            `${id}: trained token embeddings vs their random initialisation (seed from training.json): mean cosine ${d.sameTokenCosine.toFixed(3)}, held-out R² ${d.linearMapHeldOutR2.toFixed(3)}`,
          );
      }
      const untrained: Record<string, Record<string, { old: number; new: number }>> = {};
      for (const dataset of values.datasets!) {
        untrained[dataset] = await untrainedAccuracy(ws, dataset, values.learners!);
        for (const [kind, acc] of Object.entries(untrained[dataset]!))
          log(`${dataset} ${kind} untrained: old ${(100 * acc.old).toFixed(1)}%, new ${(100 * acc.new).toFixed(1)}%`);
      }
      const out = join(outRoot, 'diagnose.json');
      writeJsonAtomic(out, { models: { old: models.old, new: models.new }, tokenSpace: relation, driftFromInit: drift, untrained });
      log(`wrote ${out}`);
      return;
    }
    const dataset = values.dataset ?? 'fashion-mnist';
    if (command === 'evaluate') {
      const on = values.on;
      const learner = loadLearner(resolve(values.state!));
      try {
        const { accuracy, images } = await promptAccuracy(ws, learner, on, dataset);
        log(`${learner.kind} from ${values.state} on ${on} (${dataset}, ${images} test images): accuracy ${(100 * accuracy).toFixed(2)}%`);
      } finally {
        learner.dispose();
      }
      return;
    }
    const [a, b] = values.trainOn === 'old' ? (['old', 'new'] as const) : (['new', 'old'] as const);
    const kind = values.learner ?? 'contcoop';
    const shots = one('shots', values.shots) ?? 16;
    const seed = one('seed', values.seed) ?? 1;
    const out = join(outRoot, `${kind}-${dataset}-${shots}shot-s${seed}`);
    const target = promptTarget(ws, a, dataset);
    const learner = createLearner(kind, target, { seed, options: learnerOptions });
    try {
      const feats = await fewShotFeatures(ws, a, dataset, shots, seed, target.numClasses);
      const recipe = recipeFor(kind, train);
      const summary = await trainPromptLearner(learner, target, feats, {
        ...recipe,
        seed,
        checkpointDir: join(out, 'checkpoint'),
        checkpointEvery: 50,
        restart: values.restart ?? false,
        logFile: join(out, 'metrics.jsonl'),
        label: `${kind} on ${a}`,
      });
      saveLearner(learner, join(out, 'prompt.safetensors'), target);
      const onA = await promptAccuracy(ws, learner, a, dataset);
      const onB = await promptAccuracy(ws, learner, b, dataset);
      const zsB = await zeroShotAccuracy(ws, b, dataset);
      const result = {
        learner: kind,
        options: learner.config,
        dataset,
        shots,
        seed,
        trainedOn: { id: a, dir: models[a] },
        pluggedInto: { id: b, dir: models[b] },
        recipe,
        finalLoss: summary?.finalLoss,
        accuracy: { [a]: onA.accuracy, [b]: onB.accuracy, [`${b} zero-shot`]: zsB },
        trainImages: limits.trainImages,
        testImages: onB.images,
      };
      writeJsonAtomic(join(out, 'result.json'), result);
      log(
        `${kind} (${dataset}, ${shots}-shot, seed ${seed}) trained on ${a}: ${(100 * onA.accuracy).toFixed(2)}% on ${a}, ${(100 * onB.accuracy).toFixed(2)}% plugged into ${b} (its zero-shot: ${(100 * zsB).toFixed(2)}%) -> ${out}`,
      );
    } finally {
      learner.dispose();
      target.dispose();
    }
  } finally {
    ws.dispose();
  }
}
