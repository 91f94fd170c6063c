import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ModelFolderError } from '../errors';

export interface ModelSourceOptions {
  /** Model names and their folders, e.g. @hotplug/models' embedded ones ({ old, new, … }). */
  registered?: Readonly<Record<string, string>>;
  /** Folder a relative path is taken from (default: the working directory), e.g. a spec file's folder. */
  baseDir?: string;
  /** Where the value came from, for messages ("--old", "spec.json systems[2].model"). */
  source?: string;
}

/** A model named by a registered name or by a folder path, resolved to its folder. */
export interface ModelSource {
  /** The value as given. */
  spec: string;
  /** Absolute folder (any kind loadClip reads). */
  dir: string;
  /** The registered name, when it was one. */
  registered?: string;
}

/**
 * Resolves a model named by a registered name or by a path. A registered name wins over a
 * folder of the same name (write `./old` for the folder); anything else is a path, relative
 * to `baseDir`, that must be a folder. What kind of folder it is, loadClip tells.
 */
export function resolveModelSource(spec: string, options: ModelSourceOptions = {}): ModelSource {
  const registered = options.registered ?? {};
  const names = Object.keys(registered);
  const source = options.source ?? 'model';
  const known = names.length ? `registered models: ${names.join(', ')}` : 'no models are registered';
  if (typeof spec !== 'string' || spec.trim() === '')
    throw new ModelFolderError({
      file: source,
      problem: `a model must be a registered name or a folder path, got ${JSON.stringify(spec)}`,
      fix: `Name one of the ${known}, or give a model folder's path`,
    });
  if (Object.hasOwn(registered, spec)) return { spec, dir: resolve(registered[spec]!), registered: spec };
  const dir = isAbsolute(spec) ? spec : resolve(options.baseDir ?? process.cwd(), spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const looksLikePath = /[\\/]/.test(spec) || spec.startsWith('.');
    throw new ModelFolderError({
      file: source,
      problem: `"${spec}" is ${looksLikePath ? 'not a model folder' : 'neither a registered model nor a model folder'}: ${dir} ${existsSync(dir) ? 'is a file' : 'does not exist'}`,
      fix: `Name one of the ${known}, or give the path of a model folder (Hugging Face, open_clip or hotplug${options.baseDir ? `; relative paths are taken from ${options.baseDir}` : ''})`,
    });
  }
  return { spec, dir };
}
