#!/usr/bin/env node
// hotplug-bench: the compatibility benchmark, end to end, on the embedded old/new pair.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appProgram, defaultOutDir, isEntryPoint, readPackageVersion, runApp, type Command } from '@hotplug/cli';
import { initBackend } from '@hotplug/kernels';
import { embeddedAdaptersRoot } from '@hotplug/models';
import { CliArgumentError } from '@hotplug/runtime';
import { readBenchSpec } from './spec';
import { runBenchmark } from './run';

// The public API other apps build on (apps/taca, apps/contcoop): a spec in, the harness's report out.
export { readBenchSpec, type BenchSpec } from './spec';
export { runBenchmark, specModelDirs, type BenchRunOptions, type BenchRunResult } from './run';
export { Workspace, type DataLimits } from './systems';

const specDir = fileURLToPath(new URL('../specs', import.meta.url));

interface RunOptions {
  quick?: boolean;
  spec?: string;
  out: string;
  cache: string;
  adapters?: string;
  old?: string;
  new?: string;
  backend?: string;
}

const folder = (flag: string, dir: string | undefined): string | undefined => {
  if (dir === undefined) return undefined;
  const path = resolve(dir);
  if (!existsSync(path)) throw new CliArgumentError(`${flag} ${path} does not exist`, flag);
  return path;
};

/** The `run` command: every check that needs no model first, then the backend and the grid. */
async function run(o: RunOptions): Promise<void> {
  const specPath = o.spec ? resolve(o.spec) : resolve(specDir, o.quick ? 'quick.json' : 'default.json');
  const spec = readBenchSpec(specPath);
  const models = { ...(o.old ? { old: folder('--old', o.old)! } : {}), ...(o.new ? { new: folder('--new', o.new)! } : {}) };
  const adaptersRoot = folder('--adapters', o.adapters) ?? embeddedAdaptersRoot();
  await initBackend((o.backend as Parameters<typeof initBackend>[0]) ?? 'auto');
  const started = performance.now();
  const { markdown, paths, report } = await runBenchmark(spec, { models, adaptersRoot, outDir: resolve(o.out), cacheDir: resolve(o.cache) });
  console.log(`\n${markdown}`);
  const s = report.stats;
  console.log(
    `done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${report.cells.length} cells (${s.cellsCached} from the cache), ${s.featuresExtracted} feature sets extracted, ${s.headsTrained} heads and ${s.learnersTrained} learners trained`,
  );
  console.log(`reports:\n  ${paths.markdown}\n  ${paths.html}\n  ${paths.json}`);
}

/** The hotplug-bench program: one command, `run` (the default). */
export function benchProgram(): Command {
  const p = appProgram({
    name: 'hotplug-bench',
    description:
      'The compatibility benchmark: which downstream modules (linear / kNN heads, retrieval galleries, zero-shot and prompt-tuned classifiers) trained on the old model keep working on the new one, with and without adapters, and how well.',
    version: readPackageVersion(new URL('../package.json', import.meta.url)),
  });
  p.command('run', { isDefault: true })
    .description('run a benchmark spec and write report.json, report.md and report.html (the default command)')
    .option('--quick', 'a short run (specs/quick.json: fewer systems, shots, seeds and images)')
    .option('--spec <file>', 'a benchmark spec (default: specs/default.json, or specs/quick.json with --quick)')
    .option('--out <dir>', 'result folder: report.json, report.md, report.html', defaultOutDir('bench'))
    .option('--cache <dir>', 'features, trained modules and results; a rerun computes only what changed', resolve('runs', 'bench-cache'))
    .option('--adapters <dir>', "trained adapters, one folder per variant (apps/taca's <out>/adapters; default: the shipped ones in @hotplug/models)")
    .option('--old <dir>', 'old model folder (default: the embedded old model)')
    .option('--new <dir>', 'new model folder (default: the embedded new model)')
    .option('--backend <name>', 'force a tfjs backend (node-gpu, node, hotplug-cpu, wasm, cpu)')
    .action((o: RunOptions) => run(o));
  return p;
}

/** Runs hotplug-bench with `argv` (without node and the script); resolves to the exit code (0 ok, 1 failure, 2 usage error). */
export function runCli(argv: string[]): Promise<number> {
  return runApp(argv, { program: benchProgram });
}

if (isEntryPoint(import.meta.url)) runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
