// Public API of @hotplug/cli: the one command-line convention every hotplug app follows.
export { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
export { EXIT, exitCodeOf, runApp, type ExitCodeMapper, type RunAppOptions } from './run';
export { appProgram, defaultOutDir, readPackageVersion, type AppInfo } from './program';
export { intOption, listOption, numberOption, choiceOption, type ListOptionSettings } from './options';
export { loadPlugins, pluginArgs, PluginError } from './plugins';
export { isEntryPoint } from './entry';
