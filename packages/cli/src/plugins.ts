import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '@hotplug/runtime';

/** A --plugin module that cannot be found or throws while loading. */
export class PluginError extends InputError {
  override name = 'PluginError';
}

/**
 * The --plugin values of a command line (before a `--`), comma lists split: what runApp loads
 * before it builds the program, so the plug-ins' variants exist when options are checked.
 */
export function pluginArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const value = arg === '--plugin' ? argv[++i] : arg.startsWith('--plugin=') ? arg.slice('--plugin='.length) : undefined;
    if (arg === '--plugin' && value === undefined) throw new PluginError('--plugin needs a module: a file path or an installed package name', '--plugin');
    if (value !== undefined)
      out.push(
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
  }
  return out;
}

function pluginUrl(spec: string, cwd: string): string {
  const path = resolve(cwd, spec);
  if (spec.startsWith('.') || isAbsolute(spec) || existsSync(path)) {
    if (!existsSync(path)) throw new PluginError(`--plugin ${spec}: no such file (${path})`, '--plugin');
    return pathToFileURL(path).href;
  }
  try {
    // A package name, resolved from the working directory (the user's project), not from this app.
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(spec)).href;
  } catch {
    throw new PluginError(
      `--plugin ${spec}: no file of that name, and no package of that name installed under ${cwd} (npm install it, or give a path)`,
      '--plugin',
    );
  }
}

/**
 * Imports each plug-in module once, in order (ES modules or CommonJS). A plug-in registers its
 * variants when it is evaluated (a `registerAdapter(...)` line); the registries are process-wide,
 * so this works even when the plug-in resolves its own copy of a hotplug package.
 */
export async function loadPlugins(specs: readonly string[], options: { cwd?: string } = {}): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const loaded: string[] = [];
  for (const spec of specs) {
    const url = pluginUrl(spec, cwd);
    try {
      await import(url);
    } catch (err) {
      throw new PluginError(`--plugin ${spec}: loading ${url} failed: ${(err as Error).message}`, '--plugin');
    }
    loaded.push(url);
  }
  return loaded;
}
