// Runs the CLI from source in a child process (what the end-to-end tests spawn and kill).
import { runCli } from '../src/cli';

runCli(process.argv.slice(2)).then((code) => process.exit(code));
