import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appProgram, choiceOption, defaultOutDir, intOption, listOption, numberOption, readPackageVersion, type Command } from '@hotplug/cli';
import { CliArgumentError } from '@hotplug/runtime';
import { embeddedModelDir } from '@hotplug/models';
import {
  adapterNames,
  listAdapters,
  resolveAdapterConfig,
  TACA_LOSS_DEFAULTS,
  TACA_TRAINING_DEFAULTS,
  type HybridLossConfig,
  type OutputProjectionMode,
  type TacaTrainingConfig,
} from '@hotplug/taca';

export const COMMANDS = ['all', 'train', 'evaluate', 'export'] as const;
export type Command_ = (typeof COMMANDS)[number];

/**
 * The app's recipe where it departs from the package defaults, chosen on a proxy pair (the
 * embedded old model against a step-550 checkpoint of the new one, 150 steps): lr 1e-3 left
 * both adapters and the projection far from converged (old-head accuracy 48% / 65% on
 * Fashion-MNIST); lr 5e-3 with an output projection on every variant reached 78% / 76%.
 * Two independently trained models differ by more than a rotation, and a 16-wide bottleneck
 * inside the blocks learns that global map slowly; the projection takes it at once.
 */
export const APP_DEFAULTS = { lr: 5e-3, outputProjection: 'always' as OutputProjectionMode, variants: ['taca-symmetric', 'projection'] };

export interface AppOptions {
  command: Command_;
  oldDir: string;
  newDir: string;
  /** The app's result folder: adapters/<variant>/, train/<variant>/ (checkpoints), cache/, report.json / report.md / report.html. */
  outDir: string;
  /** Adapter folders, one per variant (what apps/bench reads): <out>/adapters. */
  adaptersDir: string;
  /** Also copy each trained adapter into @hotplug/models' adapters/ (where apps/bench looks by default). */
  installIntoModels: boolean;
  variants: string[];
  /** Shared adapter fields, and option values applied to every variant that has them. */
  adapter: { blocks?: number[]; outputProjection: OutputProjectionMode; seed?: number; options: Record<string, unknown> };
  /**
   * `--seed N`: the adapter's initialisation and the corpus order. Absent, both take their
   * defaults (seed 0) and a variant's folder is named after it; given, the folder is
   * `<variant>-seed<N>`, so replicates of one variant live side by side (what apps/bench's
   * spec names with \`replicateOf\`).
   */
  seed?: number;
  training: Partial<TacaTrainingConfig> & { loss: HybridLossConfig };
  /** 'scenes' (default): the adapter scene corpus; 'labels': the per-label caption corpus of the shipped adapters. */
  corpus: 'scenes' | 'labels';
  /** `--captions FILE`: a CSV/JSONL of image paths + captions used as the corpus instead of `corpus` (absolute path). */
  captions?: string;
  corpusSize: number;
  maxPerDataset: number;
  trainSize: number;
  testSize: number;
  teacher: 'tfjs' | 'onnx';
  quick: boolean;
  backend?: string;
  /** Discard checkpoints of a run made with another configuration and train afresh. */
  restart: boolean;
}

const QUICK = { steps: 20, batchSize: 32, corpusSize: 400, maxPerDataset: 200, trainSize: 200, testSize: 100 };

const blockIndex = (v: string, option: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliArgumentError(`${option} takes block indices (non-negative integers), got "${v}"`, option);
  return n;
};

function jsonObject(v: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch (err) {
    throw new CliArgumentError(`--options must be a JSON object of adapter options, e.g. '{"bottleneck":8}' (${(err as Error).message})`, '--options');
  }
  if (!o || typeof o !== 'object' || Array.isArray(o))
    throw new CliArgumentError(`--options must be a JSON object of adapter options, e.g. '{"bottleneck":8}', got ${v}`, '--options');
  return o as Record<string, unknown>;
}

/** Every option of every command (one set: each command reads what it needs). */
function withOptions(cmd: Command): Command {
  return cmd
    .option('--old <dir>', 'old model folder (default: the embedded old model)')
    .option('--new <dir>', 'new model folder (default: the embedded new model)')
    .option(
      '--out <dir>',
      "result folder: adapters/<variant>/ (adapter, training.json, visual-taca.onnx; what apps/bench reads with --adapters), train/<variant>/ (checkpoints: rerun to resume), cache/, report.json, report.md, report.html (the evaluation, by apps/bench's harness)",
      defaultOutDir('taca'),
    )
    .option('--install-into-models', "also copy each trained adapter into @hotplug/models' adapters/ (the shipped adapters apps/bench uses by default)")
    .option('--restart', 'discard checkpoints made with another configuration and train afresh (otherwise such a rerun is refused with what changed)')
    .addOption(
      listOption('--variant <names>', `adapter variants (registered: ${adapterNames().join(', ')}; 'every' for all)`, { defaults: APP_DEFAULTS.variants }),
    )
    .addOption(intOption('--bottleneck <n>', "bottleneck width / LoRA rank, for the variants that have it (default: the variant's, 16)"))
    .addOption(numberOption('--scale <x>', 'adapter scale, for the variants that have it (default 1)'))
    .option('--options <json>', 'variant options as a JSON object, applied to every chosen variant that has each key, e.g. \'{"activation":"gelu"}\'')
    .addOption(
      intOption(
        '--seed <n>',
        "adapter initialisation and corpus order (default 0); a seeded run's folders are <variant>-seed<N>, so replicates sit side by side",
        { min: 0 },
      ),
    )
    .addOption(listOption('--blocks <list>', 'blocks that get adapters (default: all)', { item: blockIndex }))
    .addOption(
      choiceOption(
        '--output-projection <mode>',
        'learned map into the old embedding space',
        ['auto', 'always', 'never'] as const,
        APP_DEFAULTS.outputProjection,
      ),
    )
    .addOption(intOption('--steps <n>', `training steps (default ${TACA_TRAINING_DEFAULTS.steps}; --quick ${QUICK.steps})`))
    .addOption(intOption('--batch-size <n>', `(default ${TACA_TRAINING_DEFAULTS.batchSize})`))
    .addOption(numberOption('--lr <x>', `peak learning rate (default ${APP_DEFAULTS.lr})`, { min: 0, exclusiveMin: true }))
    .addOption(choiceOption('--distill <kind>', 'distillation kind', ['cosine', 'l2'] as const, 'cosine'))
    .addOption(numberOption('--w-distill <x>', 'distillation weight', { min: 0, default: TACA_LOSS_DEFAULTS.distill }))
    .addOption(numberOption('--w-contrastive <x>', 'contrastive weight', { min: 0, default: TACA_LOSS_DEFAULTS.contrastive }))
    .addOption(numberOption('--w-influence <x>', 'influence weight', { min: 0, default: TACA_LOSS_DEFAULTS.influence }))
    .addOption(
      choiceOption(
        '--corpus <kind>',
        "training corpus: scenes = @hotplug/data's adapter corpus of captioned train-split scenes; labels = the per-label caption corpus the shipped adapters were trained on",
        ['scenes', 'labels'] as const,
        'scenes',
      ),
    )
    .option(
      '--captions <file>',
      "your own training corpus: a CSV (header: path,caption[,label]) or JSONL of image paths + captions, paths relative to the file's folder and inside it; images are resized to the new model's input (replaces --corpus)",
    )
    .addOption(intOption('--corpus-size <n>', 'scene-corpus pairs (default 20000)'))
    .addOption(intOption('--max-per-dataset <n>', 'labels corpus: images per dataset (default 10000)'))
    .addOption(
      intOption('--train-size <n>', 'evaluate: train images per dataset for the heads and the retrieval gallery (an evenly strided pick; default 5000)'),
    )
    .addOption(intOption('--test-size <n>', 'evaluate: test images per dataset (a seeded sample stratified by class; default 2000)'))
    .addOption(
      choiceOption('--teacher <runtime>', 'training: run the old model (the teacher) in tfjs or through onnxruntime-node', ['tfjs', 'onnx'] as const, 'tfjs'),
    )
    .option('--quick', 'few steps on a small subset (what the tests run)')
    .option('--backend <name>', 'force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)');
}

type Raw = Record<string, unknown> & { variant: string[]; blocks?: number[] };

/** The raw commander values of one command as the app's options; every check that needs no model is here. */
export function resolveOptions(command: Command_, o: Raw): AppOptions {
  const quick = (o.quick as boolean | undefined) ?? false;
  let variants = o.variant;
  if (variants.includes('every')) variants = adapterNames();
  for (const v of variants)
    if (!adapterNames().includes(v))
      throw new CliArgumentError(
        `unknown --variant "${v}"; known variants: ${adapterNames().join(', ')} (a plug-in's variants: add --plugin MODULE)`,
        '--variant',
      );
  variants = [...new Set(variants)];
  const given: Record<string, unknown> = { ...(o.options !== undefined ? jsonObject(o.options as string) : {}) };
  if (o.bottleneck !== undefined) given.bottleneck = o.bottleneck;
  if (o.scale !== undefined) given.scale = o.scale;
  const known = new Set(
    listAdapters()
      .filter((a) => variants.includes(a.name))
      .flatMap((a) => Object.keys(a.defaults)),
  );
  const unused = Object.keys(given).filter((k) => !known.has(k));
  if (unused.length)
    throw new CliArgumentError(
      `no chosen variant (${variants.join(', ')}) has the option ${unused.map((k) => `"${k}"`).join(', ')}; their options: ${[...known].join(', ') || '(none)'}`,
      '--options',
    );
  for (const role of ['old', 'new'] as const)
    if (o[role] !== undefined && !existsSync(resolve(o[role] as string)))
      throw new CliArgumentError(`--${role} ${resolve(o[role] as string)} does not exist; give a model folder`, `--${role}`);
  const captions = o.captions !== undefined ? resolve(o.captions as string) : undefined;
  if (captions !== undefined && !existsSync(captions))
    throw new CliArgumentError(`--captions ${captions} does not exist; give a CSV or JSONL file of image paths and captions`, '--captions');
  const out = resolve(o.out as string);
  const options: AppOptions = {
    command,
    oldDir: resolve((o.old as string | undefined) ?? embeddedModelDir('old')),
    newDir: resolve((o.new as string | undefined) ?? embeddedModelDir('new')),
    outDir: out,
    adaptersDir: join(out, 'adapters'),
    installIntoModels: (o.installIntoModels as boolean | undefined) ?? false,
    variants,
    adapter: {
      outputProjection: o.outputProjection as OutputProjectionMode,
      ...(o.blocks ? { blocks: o.blocks } : {}),
      ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
      options: given,
    },
    ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
    training: {
      steps: (o.steps as number | undefined) ?? (quick ? QUICK.steps : TACA_TRAINING_DEFAULTS.steps),
      batchSize: (o.batchSize as number | undefined) ?? (quick ? QUICK.batchSize : TACA_TRAINING_DEFAULTS.batchSize),
      lr: (o.lr as number | undefined) ?? APP_DEFAULTS.lr,
      warmupSteps: quick ? 2 : TACA_TRAINING_DEFAULTS.warmupSteps,
      ...(o.seed !== undefined ? { seed: o.seed as number } : {}),
      loss: {
        distill: o.wDistill as number,
        distillKind: o.distill as 'cosine' | 'l2',
        contrastive: o.wContrastive as number,
        influence: o.wInfluence as number,
      },
    },
    corpus: o.corpus as 'scenes' | 'labels',
    ...(captions !== undefined ? { captions } : {}),
    corpusSize: (o.corpusSize as number | undefined) ?? (quick ? QUICK.corpusSize : 20000),
    maxPerDataset: (o.maxPerDataset as number | undefined) ?? (quick ? QUICK.maxPerDataset : 10000),
    trainSize: (o.trainSize as number | undefined) ?? (quick ? QUICK.trainSize : 5000),
    testSize: (o.testSize as number | undefined) ?? (quick ? QUICK.testSize : 2000),
    teacher: o.teacher as 'tfjs' | 'onnx',
    quick,
    backend: o.backend as string | undefined,
    restart: (o.restart as boolean | undefined) ?? false,
  };
  // Each variant's options are checked now, before any model is loaded or backend started.
  for (const variant of variants) resolveAdapterConfig(adapterConfigOf(options, variant));
  return options;
}

/** The variant's config: the shared fields, and of the option values given those this variant has. */
export function adapterConfigOf(options: AppOptions, variant: string) {
  const { blocks, outputProjection, seed, options: given } = options.adapter;
  const known = listAdapters().find((a) => a.name === variant)?.defaults ?? {};
  return { variant, blocks, outputProjection, seed, options: Object.fromEntries(Object.entries(given).filter(([k]) => k in known)) };
}

export const DESCRIPTIONS: Record<Command_, string> = {
  all: 'train every --variant, export them to ONNX, evaluate them (the default command)',
  train: 'train the adapters (rerun the same command to resume after a kill)',
  evaluate:
    "evaluate trained adapters with apps/bench's harness: old linear / kNN heads, retrieval against the old gallery, old zero-shot, verdicts with CIs (writes report.json, report.md, report.html)",
  export: "write each trained adapter's adapted encoder as ONNX (visual-taca.onnx)",
};

/** The hotplug-taca program; `onParsed` gets each command's checked options (and runs it; a promise it returns is awaited). */
export function tacaProgram(onParsed: (options: AppOptions) => unknown): Command {
  const p = appProgram({
    name: 'hotplug-taca',
    description: 'Train, export and evaluate TaCA adapters for an old/new model pair.',
    version: readPackageVersion(new URL('../package.json', import.meta.url)),
  });
  for (const command of COMMANDS)
    withOptions(p.command(command, { isDefault: command === 'all' }).description(DESCRIPTIONS[command])).action((o: Raw) => {
      // Synchronous checks first (parseOptions relies on them throwing), then the run itself.
      const running = onParsed(resolveOptions(command, o));
      return running instanceof Promise ? running.then(() => undefined) : undefined;
    });
  return p;
}

/** Parses a command line (without `node script`) into the app's options; throws CliArgumentError or commander's CommanderError. */
export function parseOptions(argv: string[]): AppOptions {
  let parsed: AppOptions | undefined;
  const p = tacaProgram((o) => {
    parsed = o;
  });
  p.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const c of p.commands) c.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  p.parse(argv, { from: 'user' });
  if (!parsed) throw new CliArgumentError(`no command ran for "${argv.join(' ')}"`);
  return parsed;
}
