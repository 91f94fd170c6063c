import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runApp } from '@hotplug/cli';
import { initBackend } from '@hotplug/kernels';
import { embeddedAdaptersRoot } from '@hotplug/models';
import { writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { loadOnnxImageEncoder } from '@hotplug/backbones';
import { loadDataset, renderSingleObjects } from '@hotplug/data';
import { BUILT_IN_ADAPTERS, exportAdaptedEncoder, imageBatch, injectAdapter, loadAdapter, type AdaptedEncoder } from '@hotplug/taca';
import type { ExperimentReport } from '@hotplug/bench';
import { evaluateAdapters } from './evaluate';
import { loadModel, oldTeacher, type LoadedModel } from './models';
import { tacaProgram, type AppOptions } from './options';
import { adapterDir, adapterFolderName, inputFormat, oldCorpusFeatures, trainingCorpus, trainVariant } from './train-variant';

function trainedDir(options: AppOptions, variant: string): string {
  const dir = adapterDir(options, variant);
  if (!existsSync(join(dir, 'adapter.json')))
    throw new Error(
      `no trained "${variant}" adapter in ${dir}; run: hotplug-taca train --variant ${variant} (with the same --out${options.variants.some((v) => !BUILT_IN_ADAPTERS.includes(v)) ? ' and --plugin' : ''})`,
    );
  return dir;
}

/** Max abs difference between the exported graph under onnxruntime-node and the tfjs adapted encoder. */
async function onnxParity(encoder: AdaptedEncoder, path: string, next: LoadedModel): Promise<number> {
  // 64 Fashion-MNIST test images drawn in the new encoder's own input format (size, channels), as the benchmark sees them.
  const test = loadDataset('fashion-mnist', 'test');
  const format = inputFormat(next);
  const n = 64;
  const pixels = renderSingleObjects(test.images.subarray(0, n * test.height * test.width), n, format, false);
  const images = imageBatch(
    { height: format.size, width: format.size, channels: format.channels, images: pixels },
    Int32Array.from({ length: n }, (_, i) => i),
    { mean: next.clip.config.vision.mean, std: next.clip.config.vision.std },
  );
  const onnx = await loadOnnxImageEncoder(path, { batchSize: 64 });
  const [a, b] = [await onnx.encode(images), await encoder.encode(images)];
  const error = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  tf.dispose([images, a, b]);
  onnx.dispose();
  return error;
}

/**
 * Copies a trained adapter folder into @hotplug/models' adapters/ (--install-into-models): the
 * shipped adapters apps/bench uses by default. Never done unless asked.
 */
function installIntoModels(options: AppOptions, variant: string): void {
  const from = adapterDir(options, variant);
  const to = join(embeddedAdaptersRoot(), adapterFolderName(options, variant));
  for (const file of readdirSync(from)) writeFileAtomic(join(to, file), readFileSync(join(from, file)));
  console.log(`${variant}: installed into ${to}`);
}

/** Runs the CLI with the given arguments (without node and the script); resolves to the exit code (0 ok, 1 failure, 2 usage error). */
export function runCli(argv: string[]): Promise<number> {
  return runApp(argv, { program: () => tacaProgram((options) => runTaca(options)) });
}

/** Runs one checked command: train / export / evaluate (all: the three); evaluate resolves to the benchmark's report. */
export async function runTaca(options: AppOptions): Promise<ExperimentReport | null> {
  await initBackend((options.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const { command } = options;
  if (command === 'all' || command === 'train' || command === 'export') await trainAndExport(options);
  if (command === 'all' || command === 'evaluate') {
    // Every variant's folder first, with the command that trains a missing one.
    for (const variant of options.variants) trainedDir(options, variant);
    const { markdown, paths, report } = await evaluateAdapters(options);
    console.log(`\n${markdown}\nwritten: ${paths.markdown}, ${paths.html} and ${paths.json}`);
    return report;
  }
  return null;
}

async function trainAndExport(options: AppOptions): Promise<void> {
  const old = await loadModel(options.oldDir, 'old');
  const next = await loadModel(options.newDir, 'new');
  const teacher = await oldTeacher(old, options.teacher, join(options.outDir, 'cache'));
  try {
    const { command } = options;
    if (command === 'all' || command === 'train') {
      const corpus = trainingCorpus(options, inputFormat(next));
      console.log(
        `caption corpus: ${corpus.size} image/caption pairs (${options.captions ? options.captions : `${corpus.sourceNames.join(' + ')}, train splits`}) at ${corpus.height}x${corpus.width}x${corpus.channels}`,
      );
      const feats = await oldCorpusFeatures(options, teacher, corpus);
      for (const variant of options.variants) {
        await trainVariant(options, variant, next, old, teacher, corpus, feats);
        if (options.installIntoModels && command === 'train') installIntoModels(options, variant);
      }
    }
    if (command === 'all' || command === 'export') {
      for (const variant of options.variants) {
        const adapter = loadAdapter(trainedDir(options, variant), next.clip.visual);
        const encoder = injectAdapter(next.clip.visual, adapter);
        const path = join(adapterDir(options, variant), 'visual-taca.onnx');
        exportAdaptedEncoder(encoder, path);
        const error = await onnxParity(encoder, path, next);
        console.log(`${variant}: adapted encoder exported to ${path}; onnxruntime vs tfjs on 64 test images: max abs error ${error.toExponential(2)}`);
        writeJsonAtomic(join(adapterDir(options, variant), 'export.json'), { onnx: path, parityImages: 64, maxAbsError: error });
        encoder.dispose();
        adapter.dispose();
        if (options.installIntoModels) installIntoModels(options, variant);
      }
    }
  } finally {
    teacher.dispose();
    old.clip.dispose();
    next.clip.dispose();
  }
}
