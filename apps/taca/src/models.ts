import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportImageEncoder,
  exportTextEncoder,
  loadClip,
  loadOnnxImageEncoder,
  loadOnnxTextEncoder,
  ModelFolderError,
  type Clip,
  type LoadedClip,
  type Tokenizer,
} from '@hotplug/backbones';
import { sha256FileStreamed } from '@hotplug/runtime';
import { teacherFromClip, type Teacher } from '@hotplug/taca';

export interface LoadedModel {
  id: string;
  dir: string;
  clip: Clip;
  tokenizer: Tokenizer;
}

/** A model folder of any kind loadClip reads (hotplug, Hugging Face, open_clip); `id` is the weights' hash. */
export async function loadModel(dir: string, role: 'old' | 'new'): Promise<LoadedModel> {
  let loaded: LoadedClip;
  try {
    loaded = loadClip(dir);
  } catch (err) {
    if (!(err instanceof ModelFolderError)) throw err;
    const hint = dir.includes('models') ? '; the embedded pair is written by apps/pretrain: npm run start -w @hotplug/app-pretrain -- all' : '';
    throw new ModelFolderError({ file: `--${role}`, problem: `${err.file} ${err.problem}`, fix: `${err.fix ?? ''}${hint}` }, err.kinds);
  }
  const { clip, tokenizer } = loaded;
  if (!tokenizer) {
    clip.dispose();
    throw new Error(`--${role} ${dir} has no tokenizer.json; the ${role} model needs its tokenizer`);
  }
  return { id: (await sha256FileStreamed(loaded.files.weights)).slice(0, 16), dir, clip, tokenizer };
}

/**
 * The old model as a teacher, run forward in tfjs or (after exporting its encoders once)
 * through onnxruntime-node: both go through the same Encoder interface.
 */
export async function oldTeacher(old: LoadedModel, runtime: 'tfjs' | 'onnx', workDir: string): Promise<Teacher & { dispose(): void }> {
  const base = teacherFromClip(old.clip, old.tokenizer, old.id);
  if (runtime === 'tfjs') return { ...base, dispose: () => {} };
  mkdirSync(workDir, { recursive: true });
  const imagePath = join(workDir, `old-${old.id}-visual.onnx`);
  const textPath = join(workDir, `old-${old.id}-text.onnx`);
  if (!existsSync(imagePath)) exportImageEncoder(old.clip.visual, imagePath);
  if (!existsSync(textPath)) exportTextEncoder(old.clip.text, textPath);
  const image = await loadOnnxImageEncoder(imagePath, { batchSize: 256 });
  const text = await loadOnnxTextEncoder(textPath, { batchSize: 256 });
  return {
    ...base,
    image,
    text,
    dispose: () => {
      image.dispose();
      text.dispose();
    },
  };
}
