import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { listOption } from './options';

export interface AppInfo {
  /** The command's name, e.g. `hotplug-taca`. */
  name: string;
  description: string;
  /** Usually `readPackageVersion(new URL('../package.json', import.meta.url))`. */
  version: string;
}

/** The `version` field of a package.json (a path or a file URL). */
export function readPackageVersion(packageJson: string | URL): string {
  const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  if (typeof parsed.version !== 'string') throw new Error(`${String(packageJson)} has no version`);
  return parsed.version;
}

/** `./runs/<app>` under the working directory: where an app's results go unless `--out` says otherwise. */
export function defaultOutDir(app: string): string {
  return resolve('runs', app);
}

/**
 * A commander program with the shared convention: `-h/--help`, `--version`, `--plugin MODULE`
 * (a global option, accepted before or after the subcommand; the modules are loaded by runApp
 * before the program is built), usage errors thrown (exit code 2 through runApp) instead of
 * exiting, and help after a usage error. Add subcommands with `program.command(...)` after this
 * call, so they inherit the settings.
 */
export function appProgram(info: AppInfo): Command {
  return new Command(info.name)
    .description(info.description)
    .version(info.version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortOptions: false })
    .exitOverride()
    .addOption(
      listOption(
        '--plugin <module>',
        'a module (file path or installed package) to load first; it may register adapters, learners, heads or maps into this app (a list: comma-separated or repeated)',
      ),
    );
}
