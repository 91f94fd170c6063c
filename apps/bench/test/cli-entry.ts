// Runs the CLI from source in a child process (what end-to-end tests spawn, e.g. apps/taca's plug-in test).
import { runCli } from '../src/index';

runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
