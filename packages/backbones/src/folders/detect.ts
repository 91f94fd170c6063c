import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelFolderError, type FolderKindReport } from '../errors';
import { FolderFiles } from './files';
import { hfFolder } from './hf';
import { hotplugFolder } from './hotplug';
import type { ModelFolderKind, ModelFolderKindName, ModelFolderPlan } from './kind';
import { openClipFolder } from './open-clip';

/**
 * The folder kinds loadClip reads, in order of preference: a folder that fits several (a hub
 * snapshot of an open_clip model also carries the transformers files) is read as the first.
 */
export const MODEL_FOLDER_KINDS: readonly ModelFolderKind[] = [hotplugFolder, hfFolder, openClipFolder];

export function modelFolderKinds(): ModelFolderKindName[] {
  return MODEL_FOLDER_KINDS.map((k) => k.name);
}

/**
 * Tells which kind of model folder `dir` is and reads its configs (nothing large: weights and
 * tokenizer are loaded by loadClip). Throws ModelFolderError listing, for every kind, what it
 * looked for and what is missing when none fits.
 */
export function detectModelFolder(dir: string): ModelFolderPlan {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new ModelFolderError({
      file: path,
      problem: existsSync(path) ? 'is a file, not a model folder' : 'does not exist',
      fix: `Pass the folder that holds the model files (${MODEL_FOLDER_KINDS.map((k) => k.label).join(', ')})`,
    });
  const files = new FolderFiles(path);
  const reports: FolderKindReport[] = [];
  for (const kind of MODEL_FOLDER_KINDS) {
    const { found, missing } = kind.check(files);
    if (missing.length === 0) return kind.plan(files);
    reports.push({ kind: kind.name, label: kind.label, expects: kind.expects, found, missing });
  }
  // The kinds with most of their files present come first: the likeliest intent.
  const ranked = [...reports].sort((a, b) => b.found.length - a.found.length);
  const lines = ranked.map(
    (r) => `\n  - ${r.label}: looked for ${r.expects};${r.found.length ? ` found ${r.found.join(', ')};` : ''} missing: ${r.missing.join('; ')}`,
  );
  throw new ModelFolderError(
    {
      file: path,
      problem: `is not a model folder of any kind loadClip reads:${lines.join('')}`,
      fix: 'Add the missing files (a Hugging Face hub snapshot of the model has them), or save the model with saveClip',
    },
    ranked,
  );
}
