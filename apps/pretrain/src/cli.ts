import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClip } from '@hotplug/backbones';
import type { EvaluatedModel } from '@hotplug/bench';
import { appProgram, choiceOption, defaultOutDir, intOption, listOption, readPackageVersion, runApp, type Command } from '@hotplug/cli';
import { initBackend } from '@hotplug/kernels';
import { EMBEDDED_MODELS, embeddedModelCardPath, embeddedWeightsRoot } from '@hotplug/models';
import { CliArgumentError, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import { modelCardMarkdown, type TrainingRecord } from './card';
import { readPretrainConfig, type PretrainConfig } from './config';
import { prepareCorpus, type CorpusName } from './corpus';
import { buildModelCard, completeRecord } from './model-card';
import { pretrainModel } from './pretrain';

const configDir = fileURLToPath(new URL('../configs', import.meta.url));
const EMBEDDED = EMBEDDED_MODELS as readonly string[];

export const COMMANDS = {
  all: 'train every --model, evaluate them and write the model card (the default command)',
  train: 'train the --model recipes into <out>/models (rerun the same command to resume after a kill)',
  evaluate: 'evaluate the embedded models (or --models DIR) on every downstream task and write the model card to <out>/card',
} as const;
type CommandName = keyof typeof COMMANDS;

interface Raw {
  model: string[];
  out: string;
  models?: string;
  installIntoModels?: boolean;
  steps?: number;
  restart?: boolean;
  corpus: CorpusName;
  corpusSize?: number;
  maxPerDataset?: number;
  evalMaxItems: number;
  evalSceneItems?: number;
  backend?: string;
}

/** Where one invocation reads and writes (every path resolved). */
interface Layout {
  /** <out>/models/<name>: trained model folders. */
  models: string;
  /** <out>/train/<name>: checkpoints, metrics.jsonl, training.json. */
  train: string;
  /** <out>/card: card.json + MODEL_CARD.md. */
  card: string;
}

function layoutOf(o: Raw): Layout {
  const out = resolve(o.out);
  return { models: join(out, 'models'), train: join(out, 'train'), card: join(out, 'card') };
}

function knownRecipes(): string[] {
  return readdirSync(configDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}

/** Every check that needs no model or backend. */
function check(command: CommandName, o: Raw): void {
  const known = knownRecipes();
  for (const m of o.model)
    if (!known.includes(m)) throw new CliArgumentError(`--model "${m}" has no recipe; known: ${known.join(', ')} (configs in ${configDir})`, '--model');
  if (command === 'all' && o.model.some((m) => !EMBEDDED.includes(m)))
    throw new CliArgumentError(
      `"all" trains and evaluates the embedded models (${EMBEDDED.join(', ')}); train other recipes with "train --model NAME"`,
      '--model',
    );
  if (o.installIntoModels && o.model.some((m) => !EMBEDDED.includes(m)))
    throw new CliArgumentError(`--install-into-models installs only the embedded models (${EMBEDDED.join(', ')})`, '--install-into-models');
  if (o.models !== undefined && command !== 'evaluate')
    throw new CliArgumentError('--models DIR is read by "evaluate" only ("all" evaluates what it trained)', '--models');
  if (o.models !== undefined)
    for (const m of EMBEDDED)
      if (!existsSync(join(resolve(o.models), m, 'config.json')))
        throw new CliArgumentError(`--models ${o.models}: no model folder ${m}/ (it must hold ${EMBEDDED.join(', ')})`, '--models');
}

async function train(o: Raw, at: Layout, backendName: string, recipes: Record<string, PretrainConfig>): Promise<void> {
  console.log(`building the ${o.corpus} caption corpus and tokenizer`);
  const prepared = prepareCorpus({ corpus: o.corpus, seed: 0, maxPerDataset: o.maxPerDataset, size: o.corpusSize });
  console.log(
    `corpus: ${prepared.corpus.size} image/caption pairs from ${prepared.corpus.sourceNames.join(' + ')} (train splits); vocabulary ${prepared.tokenizer.vocabSize}`,
  );
  for (const name of o.model) {
    const recipe = recipes[name]!;
    const runDir = join(at.train, name);
    const modelDir = join(at.models, name);
    const infoPath = join(runDir, 'training.json');
    const { clip, summary } = await pretrainModel(recipe, prepared, { runDir, outDir: modelDir, steps: o.steps, restart: o.restart ?? false });
    try {
      const parameters = [...clip.namedWeights().values()].reduce((n, v) => n + v.size, 0);
      const totalSteps = o.steps ?? recipe.steps;
      const earlier = existsSync(infoPath) ? (JSON.parse(readFileSync(infoPath, 'utf8')) as TrainingRecord) : undefined;
      // A rerun of a finished run trains nothing: keep the record of the run that did.
      const record: TrainingRecord =
        summary.alreadyFinished && earlier
          ? earlier
          : completeRecord(
              {
                name,
                description: recipe.description,
                config: `apps/pretrain/configs/${name}.json`,
                steps: totalSteps,
                batchSize: recipe.batchSize,
                seed: recipe.seed,
                seconds: summary.totalSeconds,
                minutesPer1000Steps: ((summary.totalSeconds / totalSteps) * 1000) / 60,
                backend: backendName,
                corpus: o.corpus,
                ...('seed' in prepared.corpus && typeof prepared.corpus.seed === 'number' ? { corpusSeed: prepared.corpus.seed } : {}),
                corpusSize: prepared.corpus.size,
                parameters,
                ...(recipe.warmStart ? { warmStart: recipe.warmStart } : {}),
              },
              modelDir,
              runDir,
            );
      writeJsonAtomic(infoPath, record);
      writeJsonAtomic(join(modelDir, 'training.json'), record);
      console.log(
        `${name}: ${summary.steps} steps in ${(summary.totalSeconds / 60).toFixed(1)} min, final loss ${summary.finalLoss.toFixed(3)} -> ${modelDir}`,
      );
    } finally {
      clip.dispose();
    }
  }
}

/** The model card of the models in `modelsRoot` (one folder per embedded model); metrics come from `<modelsRoot>/../train`. */
async function evaluate(o: Raw, modelsRoot: string, cardDir: string, recipes: Record<string, PretrainConfig>): Promise<void> {
  const trainRoot = join(dirname(modelsRoot), 'train');
  const loaded: EvaluatedModel[] = [];
  try {
    for (const name of EMBEDDED) {
      const { clip, tokenizer } = loadClip(join(modelsRoot, name));
      if (!tokenizer) throw new Error(`${join(modelsRoot, name)} has no tokenizer.json`);
      loaded.push({ id: name, clip, tokenizer });
    }
    const training = EMBEDDED.map((n) =>
      completeRecord(JSON.parse(readFileSync(join(modelsRoot, n, 'training.json'), 'utf8')) as TrainingRecord, join(modelsRoot, n), join(trainRoot, n)),
    );
    const prepared = prepareCorpus({ corpus: (training[0]!.corpus ?? 'scenes') as CorpusName, size: training[0]!.corpusSize });
    const card = await buildModelCard(loaded, recipes, prepared, training, {
      maxItems: o.evalMaxItems,
      ...(o.evalSceneItems ? { sceneItems: o.evalSceneItems } : {}),
      log: (l) => console.log(l),
    });
    writeJsonAtomic(join(cardDir, 'card.json'), card);
    writeFileAtomic(join(cardDir, 'MODEL_CARD.md'), modelCardMarkdown(card));
    console.log(modelCardMarkdown(card));
  } finally {
    for (const m of loaded) m.clip.dispose();
  }
}

/** Copies trained model folders and the card into the @hotplug/models package (what every app loads by default). */
function install(at: Layout, models: readonly string[]): void {
  const weights = embeddedWeightsRoot();
  for (const m of models) {
    mkdirSync(join(weights, m), { recursive: true });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'training.json']) cpSync(join(at.models, m, f), join(weights, m, f));
  }
  const pkg = dirname(embeddedModelCardPath());
  if (existsSync(join(at.card, 'card.json'))) for (const f of ['card.json', 'MODEL_CARD.md']) cpSync(join(at.card, f), join(pkg, f));
  console.log(`installed ${models.join(', ')}${existsSync(join(at.card, 'card.json')) ? ' and the model card' : ''} into ${dirname(weights)}`);
}

async function runCommand(command: CommandName, o: Raw): Promise<void> {
  check(command, o);
  const at = layoutOf(o);
  const backend = await initBackend((o.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const recipes = Object.fromEntries([...new Set([...EMBEDDED, ...o.model])].map((m) => [m, readPretrainConfig(join(configDir, `${m}.json`))])) as Record<
    string,
    PretrainConfig
  >;
  if (command !== 'evaluate') await train(o, at, backend.name, recipes);
  if (command !== 'train') await evaluate(o, command === 'all' ? at.models : resolve(o.models ?? embeddedWeightsRoot()), at.card, recipes);
  if (o.installIntoModels) install(at, command === 'evaluate' ? [] : o.model);
}

function withOptions(cmd: Command): Command {
  return cmd
    .addOption(listOption('--model <names>', `recipes in configs/ to train (known: ${knownRecipes().join(', ')})`, { defaults: [...EMBEDDED] }))
    .option(
      '--out <dir>',
      'result folder: models/<name>/ (model folders), train/<name>/ (checkpoints, metrics.jsonl; rerun to resume), card/ (card.json, MODEL_CARD.md)',
      defaultOutDir('pretrain'),
    )
    .option('--models <dir>', 'evaluate: a folder holding one model folder per embedded model (default: the @hotplug/models package)')
    .option('--install-into-models', 'copy the trained models and the card into @hotplug/models (what every app loads by default)')
    .addOption(intOption('--steps <n>', "override every recipe's step count"))
    .option('--restart', 'discard checkpoints made with another recipe or corpus and train afresh (otherwise such a rerun is refused with what changed)')
    .addOption(
      choiceOption(
        '--corpus <kind>',
        "scenes: @hotplug/data's pretraining corpus; labels: the older per-label caption corpus",
        ['scenes', 'labels'] as const,
        'scenes',
      ),
    )
    .addOption(intOption('--corpus-size <n>', 'scenes in the scene corpus (default 60000)'))
    .addOption(intOption('--max-per-dataset <n>', 'labels corpus: images per dataset'))
    .addOption(
      intOption('--eval-max-items <n>', "classification tasks with more items (Fashion-MNIST's 10,000) are cut to N, stratified and seeded", { default: 4000 }),
    )
    .addOption(intOption('--eval-scene-items <n>', "items per scene task (default: each task's own, 1,000-2,000)"))
    .option('--backend <name>', 'force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)');
}

/** The hotplug-pretrain program. */
export function pretrainProgram(): Command {
  const p = appProgram({
    name: 'hotplug-pretrain',
    description: 'Train the embedded models on the scenes world, evaluate them on every downstream task, write the model card.',
    version: readPackageVersion(new URL('../package.json', import.meta.url)),
  });
  for (const [name, description] of Object.entries(COMMANDS))
    withOptions(p.command(name, { isDefault: name === 'all' }).description(description)).action((o: Raw) => runCommand(name as CommandName, o));
  return p;
}

/** Runs one command line (without `node script`); resolves to the exit code (0 ok, 1 failure, 2 usage). */
export function main(argv: string[]): Promise<number> {
  return runApp(argv, { program: pretrainProgram });
}
