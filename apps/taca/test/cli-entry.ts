// Runs the CLI from source in a child process (what the end-to-end tests spawn and kill).
import { runCli } from '../src/app';

runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
