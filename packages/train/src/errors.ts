import { InputError } from '@hotplug/runtime';

/** A checkpoint folder that cannot be trusted: malformed manifest, wrong sizes, missing tensors. */
export class CheckpointError extends InputError {
  override name = 'CheckpointError';
}

/** One difference between the configuration a checkpoint was made with and the current one. */
export interface ConfigChange {
  path: string;
  saved: unknown;
  current: unknown;
}

/**
 * A rerun whose configuration (or data order, or model) differs from the checkpoint's: resuming
 * would silently mix two runs. Carries the list of changes; pass `restart` to start afresh.
 */
export class ConfigMismatchError extends CheckpointError {
  override name = 'ConfigMismatchError';
  constructor(
    readonly dir: string,
    readonly changes: ConfigChange[],
  ) {
    const lines = changes.slice(0, 20).map((c) => `  ${c.path}: ${show(c.saved)} in the checkpoint, ${show(c.current)} now`);
    if (changes.length > 20) lines.push(`  ... and ${changes.length - 20} more`);
    super(
      `the checkpoint in ${dir} was made with a different configuration:\n${lines.join('\n')}\n` +
        'rerun with the original settings to resume, or restart (--restart / restart: true) to discard the checkpoint and train afresh',
      dir,
      changes[0]?.path,
    );
  }
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** Leaf-by-leaf differences of two JSON values, as dotted paths. */
export function configDiff(saved: unknown, current: unknown, path = ''): ConfigChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(saved) && isObj(current)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])].sort();
    return keys.flatMap((k) => configDiff(saved[k], current[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(saved) === JSON.stringify(current) ? [] : [{ path: path || '(root)', saved, current }];
}
