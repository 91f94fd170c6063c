import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterCorpus, buildCaptionCorpus, captionVocabulary, sceneCategoryPrompts, type CaptionCorpus, type ImageFormat } from '@hotplug/data';
import { writeJsonAtomic } from '@hotplug/runtime';
import {
  ADAPTER_CONFIG_FILE,
  adapterTarget,
  createAdapter,
  encoderIdentity,
  injectAdapter,
  saveAdapter,
  teacherFeatures,
  textClassifier,
  trainAdapter,
  type Teacher,
  type TeacherFeatures,
} from '@hotplug/taca';
import { captionFileCorpus, isCaptionFileCorpus } from './captions';
import { adapterConfigOf, type AppOptions } from './options';
import type { LoadedModel } from './models';

/** What the app records about one trained adapter (training.json next to it). */
export interface TrainingRecord {
  variant: string;
  steps: number;
  /** Step this invocation started from (> 0 after a resume: then `seconds` covers only the remaining steps). */
  resumedFromStep: number;
  seconds: number;
  /** Loss of the last step (null only for a run whose checkpoint and log predate recording it). */
  finalLoss: number | null;
  adapterParameters: number;
  backboneParameters: number;
  /** adapterParameters / backboneParameters of the new visual encoder. */
  trainedFraction: number;
  corpusSize: number;
}

/** A variant's folder name: the variant, or `<variant>-seed<N>` for a run given `--seed N`. */
export function adapterFolderName(options: Pick<AppOptions, 'seed'>, variant: string): string {
  return options.seed === undefined ? variant : `${variant}-seed${options.seed}`;
}

/** `<out>/adapters/<variant>[-seed<N>]`: the adapter, its training record and ONNX export. */
export function adapterDir(options: AppOptions, variant: string): string {
  return join(options.adaptersDir, adapterFolderName(options, variant));
}

/** `<out>/train/<variant>[-seed<N>]`: checkpoints and metrics.jsonl (a rerun resumes from here). */
export function trainDir(options: AppOptions, variant: string): string {
  return join(options.outDir, 'train', adapterFolderName(options, variant));
}

/** The last logged loss of a run's metrics.jsonl (for checkpoints that predate recording it). */
function lastLoggedLoss(file: string): number | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const loss = (JSON.parse(line) as { loss?: unknown }).loss;
      if (typeof loss === 'number' && Number.isFinite(loss)) return loss;
    } catch {
      // a torn last line of a killed run: try the one before
    }
  }
  return null;
}

/**
 * The task-agnostic corpus (no labels, no test data). Default: @hotplug/data's adapter corpus,
 * captioned scenes of train-split objects, converted to the new encoder's input `format`.
 * `--corpus labels`: the per-label caption corpus the shipped adapters were trained on.
 * `--captions FILE`: the user's own image/caption pairs instead of either.
 */
export function trainingCorpus(options: AppOptions, format: ImageFormat): CaptionCorpus {
  if (options.captions) return captionFileCorpus(options.captions, format);
  if (options.corpus === 'labels') return buildCaptionCorpus({ seed: 0, maxPerDataset: options.maxPerDataset });
  return adapterCorpus({ size: options.corpusSize, format });
}

/** The input format of a model's visual encoder. */
export function inputFormat(model: LoadedModel): ImageFormat {
  const { imageSize, channels } = model.clip.config.vision;
  if (channels !== 1 && channels !== 3)
    throw new Error(`model ${model.clip.config.name} takes ${channels}-channel images; scene corpora come in 1 or 3 channels`);
  return { size: imageSize, channels };
}

const isSceneCorpus = (corpus: CaptionCorpus) => 'corpus' in corpus;

/** Prompts of every class of the corpus's caption vocabularies: what the influence loss's old classifier is built from. */
export function vocabularyPrompts(corpus: CaptionCorpus): string[][] {
  // Scene captions talk about the 20 object categories.
  if (isSceneCorpus(corpus)) return sceneCategoryPrompts();
  // A user's file: its label column's classes, or (unlabelled) each distinct caption as its own class.
  if (isCaptionFileCorpus(corpus))
    return corpus.classNames.length > 1 || corpus.classNames[0] !== 'unlabelled'
      ? corpus.classNames.map((c) => [`a photo of a ${c}.`])
      : [...new Set(corpus.captions)].map((c) => [c]);
  const out: string[][] = [];
  for (const name of corpus.sourceNames) {
    const vocab = captionVocabulary(name);
    for (const phrases of vocab.synonyms) out.push(vocab.templates.flatMap((t) => phrases.map((p) => t.replaceAll('{}', p))));
  }
  return out;
}

export async function oldCorpusFeatures(options: AppOptions, teacher: Teacher, corpus: CaptionCorpus): Promise<TeacherFeatures> {
  const started = performance.now();
  const feats = await teacherFeatures(teacher, corpus, {
    cacheFile: join(options.outDir, 'cache', `old-features-${teacher.id}-${corpus.sourceNames.join('+')}-${corpus.size}.safetensors`),
  });
  console.log(
    `old-model features of ${corpus.size} corpus pairs: ${feats.cached ? 'read from the cache' : `computed in ${((performance.now() - started) / 1000).toFixed(1)} s and cached`}`,
  );
  return feats;
}

/** Trains one variant (resuming a killed run), saves the adapter alone and its training record. */
export async function trainVariant(
  options: AppOptions,
  variant: string,
  next: LoadedModel,
  old: LoadedModel,
  teacher: Teacher,
  corpus: CaptionCorpus,
  feats: TeacherFeatures,
): Promise<TrainingRecord> {
  const dir = adapterDir(options, variant);
  const recordPath = join(dir, 'training.json');
  const adapter = createAdapter(adapterConfigOf(options, variant), adapterTarget(next.clip.visual, old.clip.config.embedDim));
  const encoder = injectAdapter(next.clip.visual, adapter);
  try {
    const started = performance.now();
    const classifier = options.training.loss.influence > 0 ? await textClassifier(teacher, vocabularyPrompts(corpus)) : undefined;
    const result = await trainAdapter({
      encoder,
      corpus,
      teacher: feats,
      classifier,
      config: { ...options.training, loss: { ...options.training.loss, scale: teacher.logitScale } },
      runDir: trainDir(options, variant),
      restart: options.restart,
      checkpointEvery: Math.max(1, Math.min(50, Math.floor((options.training.steps ?? 1) / 4))),
      label: variant,
    });
    // A finished run rerun: the checkpoint said so and nothing trained; keep the record written when it trained.
    if (result.summary.alreadyFinished && existsSync(recordPath) && existsSync(join(dir, ADAPTER_CONFIG_FILE))) {
      const earlier = JSON.parse(readFileSync(recordPath, 'utf8')) as TrainingRecord;
      console.log(
        `${variant}: already trained (${earlier.steps} steps, final loss ${earlier.finalLoss?.toFixed(4) ?? 'not recorded'}); ${dir} left as it is (--restart to train again)`,
      );
      return earlier;
    }
    saveAdapter(adapter, dir, { model: encoderIdentity(next.clip.visual), outputSpace: encoderIdentity(old.clip.visual) });
    const record: TrainingRecord = {
      variant,
      steps: result.config.steps,
      resumedFromStep: result.summary.startStep,
      // Wall time of this invocation, including the projection baseline's one pass of the new encoder over the corpus;
      // a finished run whose adapter folder was removed is re-saved from its checkpoint with the time training took then.
      seconds: result.summary.alreadyFinished ? result.summary.totalSeconds : (performance.now() - started) / 1000,
      finalLoss: Number.isFinite(result.summary.finalLoss) ? result.summary.finalLoss : lastLoggedLoss(join(trainDir(options, variant), 'metrics.jsonl')),
      adapterParameters: result.adapterParameters,
      backboneParameters: result.backboneParameters,
      trainedFraction: result.adapterParameters / result.backboneParameters,
      corpusSize: corpus.size,
    };
    writeJsonAtomic(recordPath, record);
    console.log(
      `${variant}: ${record.steps} steps in ${record.seconds.toFixed(1)} s, final loss ${record.finalLoss?.toFixed(4) ?? 'not recorded'}, ${record.adapterParameters} parameters (${(100 * record.trainedFraction).toFixed(2)}% of the backbone; trainAdapter checked the backbone bit-identical); saved to ${dir}`,
    );
    return record;
  } finally {
    encoder.dispose();
    adapter.dispose();
  }
}
