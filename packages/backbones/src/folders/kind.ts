import type { ClipConfig } from '../config';
import type { Tokenizer } from '../tokenizer/tokenizer';
import type { LayoutName } from '../weights/layouts';
import type { FolderFiles } from './files';

export type ModelFolderKindName = 'hotplug' | 'hf' | 'open_clip';

/** How one folder kind sees a folder: the files of its own it found, and what it lacks. */
export interface FolderCheck {
  found: string[];
  /** Each entry names the file; empty when the folder is of this kind. */
  missing: string[];
}

/** What a folder kind read from a folder that fits it: everything loadClip needs. */
export interface ModelFolderPlan {
  kind: ModelFolderKindName;
  config: ClipConfig;
  weightsFile: string;
  layout: LayoutName;
  tokenizerFile?: string;
  /** The config adjusted to the folder's tokenizer once it is loaded (e.g. which id ends a text). */
  fitTokenizer?: (config: ClipConfig, tokenizer: Tokenizer) => ClipConfig;
}

/**
 * One layout of model folder loadClip reads. Every kind has this shape, one file each
 * (hotplug.ts, hf.ts, open-clip.ts), listed in order of preference in detect.ts.
 */
export interface ModelFolderKind {
  name: ModelFolderKindName;
  /** For messages, e.g. "Hugging Face CLIP folder". */
  label: string;
  /** The files it looks for, e.g. "config.json (vision_config, text_config), model.safetensors, …". */
  expects: string;
  check(files: FolderFiles): FolderCheck;
  /** Reads the configs of a folder whose check found nothing missing; throws ModelConfigError on bad content. */
  plan(files: FolderFiles): ModelFolderPlan;
}
