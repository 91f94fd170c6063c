import { InputError } from '@hotplug/runtime';
import { CommanderError, type Command } from 'commander';
import { loadPlugins, pluginArgs } from './plugins';

/**
 * Exit codes every hotplug app uses: 0 done (also after --help / --version), 1 the run failed,
 * 2 the command line or an input file is wrong (a usage error, or any InputError). Apps may add
 * codes above 2 for their own outcomes.
 */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** An app's own codes for some errors (undefined: the shared mapping decides). */
export type ExitCodeMapper = (err: unknown) => number | undefined;

/** The exit code of an error: commander usage errors and InputErrors are 2, anything else 1. */
export function exitCodeOf(err: unknown, app?: ExitCodeMapper): number {
  const own = app?.(err);
  if (own !== undefined) return own;
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof InputError) return EXIT.usage;
  return EXIT.error;
}

export interface RunAppOptions {
  /** Builds the program (after the plug-ins are loaded, so its help and checks see their variants). */
  program: () => Command;
  /** App-specific exit codes. */
  exitCode?: ExitCodeMapper;
  /** Where relative --plugin paths and package names resolve from (default: the working directory). */
  cwd?: string;
  /** Error lines (default: stderr). */
  error?: (line: string) => void;
}

/**
 * Runs an app's command line (without `node script`): loads the --plugin modules, parses, runs the
 * chosen command's action, and resolves to the exit code. Argument errors are thrown by the
 * options' parsers and the action's checks before the action starts any tensor backend.
 */
export async function runApp(argv: readonly string[], options: RunAppOptions): Promise<number> {
  const error = options.error ?? ((line: string) => console.error(line));
  let name = 'hotplug';
  try {
    await loadPlugins(pluginArgs(argv), { cwd: options.cwd });
    const program = options.program();
    name = program.name();
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    // commander has printed its own usage errors (with the help hint), and --help / --version output.
    if (!(err instanceof CommanderError)) {
      const e = err as Error;
      error(`${name}: ${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e?.message ?? String(err)}`);
    }
    return exitCodeOf(err, options.exitCode);
  }
}
