import { appProgram, EXIT as SHARED_EXIT, exitCodeOf as sharedExitCode, listOption, Option, readPackageVersion, runApp, type Command } from '@hotplug/cli';
import { SpaceMismatchError } from '@hotplug/index';
import { AUGMENT_NAMES } from './collection';
import { backfill } from './commands/backfill';
import { bench } from './commands/bench';
import { build } from './commands/build';
import { cutover } from './commands/cutover';
import { ingest } from './commands/ingest';
import { plan } from './commands/plan';
import { query } from './commands/query';
import { worker } from './commands/worker';
import { IncompleteRunError } from './errors';
import { currentWorkerCommand } from './commands/common';

/** Exit codes of hotplug-index: the shared ones (0 ok, 1 failure, 2 usage error) and two of its own. */
export const EXIT = { ...SHARED_EXIT, incomplete: 3, spaceMismatch: 4 } as const;

function common(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'where the database, live.json, manifests, checkpoints and maps live', './runs/index')
    .option('--old <dir>', 'old model folder (default: the embedded old model)')
    .option('--new <dir>', 'new model folder (default: the embedded new model)')
    .option('--adapters <dir>', "trained TaCA adapters, one folder per variant (default: the embedded pair's)")
    .option('--backend <name>', 'tfjs backend: node-gpu, node, hotplug-cpu, wasm, cpu (default: the best available)');
}

function items(cmd: Command): Command {
  return cmd
    .addOption(listOption('--source <dataset:split[:start[:count]]>', 'items from registered dataset splits (list)', { defaults: [] }))
    .addOption(listOption('--augment <list>', `variants of each image: ${AUGMENT_NAMES.join(', ')} (default none)`));
}

function scale(cmd: Command): Command {
  return cmd
    .option('--redis <url>', 'run shards on BullMQ workers over this Redis (e.g. redis://127.0.0.1:6379); in this process without it')
    .option('--workers <n>', 'worker processes to start here (with --redis; 0 = workers started elsewhere with `hotplug-index worker`)', '0')
    .option('--queue <name>', 'BullMQ queue name', 'hotplug-index')
    .option('--shard-size <n>', 'items per shard (the unit of retry and resume)', '1000')
    .option('--batch-size <n>', 'images per encoder batch', '256');
}

/** The hotplug-index program (commander), with its subcommands. */
export function program(): Command {
  const p = appProgram({
    name: 'hotplug-index',
    description: 'Upgrade a deployed vector index to a new model: build, plan, query, ingest, backfill, cutover (scale-out on BullMQ).',
    version: readPackageVersion(new URL('../package.json', import.meta.url)),
  });
  const sub = (name: string, description: string) => p.command(name).description(description);

  scale(items(common(sub('build', 'encode a collection with the old model into a new stamped LanceDB table (the first one becomes live)'))))
    .option('--table <name>', 'table name', 'gallery')
    .option('--encoder <system>', 'old, new or new+ADAPTER', 'old')
    .option('--overwrite', 'replace an existing table of that name')
    .option('--ivf-pq', 'build an IVF-PQ vector index after writing')
    .action(async (o) => void (await build(o)));

  common(
    sub('plan', 'fit each post-hoc map and load each TaCA adapter on a sample; report Recall@k and MRR against a full re-embedding, and the added latency'),
  )
    .option('--table <name>', 'table (default: the live one)')
    .option('--sample <n>', 'items sampled from the table', '2000')
    .option('--queries <n>', 'held-out queries (at most a quarter of the sample; the rest fit the maps)', '400')
    .addOption(listOption('--maps <list>', 'post-hoc maps to fit: all, none or a list', { defaults: ['all'] }))
    .addOption(listOption('--taca <list>', 'TaCA adapters to score: all, none or a list', { defaults: ['all'] }))
    .option('-k <n>', 'neighbours compared', '10')
    .option('--seed <n>', 'sample and fitting seed', '0')
    .action(async (o) => void (await plan(o)));

  items(common(sub('query', 'search the table with images encoded by the new model through a map or an adapter')))
    .option('--table <name>', 'table (default: the live one)')
    .option('--encoder <system>', 'new, new+ADAPTER or old', 'new')
    .option('--via <map>', 'a map fitted by plan: procrustes, low-rank, residual-mlp')
    .option('-k <n>', 'results per query', '10')
    .option('--exact', 'scan every row (ignore an IVF-PQ index)')
    .option('--json', 'print JSON')
    .action(async (o) => void (await query(o)));

  scale(items(common(sub('ingest', 'add new items to a table, encoded by the new model + a TaCA adapter and stamped'))))
    .option('--table <name>', 'table (default: the live one)')
    .option('--encoder <system>', "new+ADAPTER (or the table's own model)", 'new+taca-symmetric')
    .action(async (o) => void (await ingest(o)));

  scale(common(sub('backfill', 're-embed everything in a table with the new model into a new table (resumable; the old table keeps serving)')))
    .option('--from <table>', 'table to re-embed (default: the live one)')
    .option('--to <table>', 'target table (default: FROM-next)')
    .option('--encoder <system>', 'the new model (or new+ADAPTER)', 'new')
    .option('--restart', 'drop a partial backfill and start over')
    .action(async (o) => void (await backfill(o)));

  common(sub('cutover', 'atomically switch which table is live (live.json)'))
    .requiredOption('--to <table>', 'table to make live')
    .option('--force', 'switch even if a backfill is incomplete')
    .action(async (o) => void (await cutover(o)));

  common(sub('bench', 'the README measurements: recall, latency, search (flat vs IVF-PQ), ingest (1 and 2 workers)'))
    .addOption(listOption('--part <names>', 'recall, latency, search, ingest or all (list)', { defaults: [] }))
    .option('--runs <n>', 'runs per figure (the median is reported)', '3')
    .option('--queries <n>', 'queries per run', '500')
    .option('--fit-pairs <n>', 'gallery pairs the maps are fitted on', '10000')
    .addOption(listOption('--sizes <list>', 'search: table sizes', { defaults: ['100000', '1000000'] }))
    .option('--dim <n>', 'search: vector width', '64')
    .option('--sub-vectors <n>', 'search: IVF-PQ sub-vectors (must divide --dim)', '16')
    .option('--refine <n>', 'search: refine factor of the re-ranked IVF-PQ row', '10')
    .option('--partitions <n>', "search: IVF partitions (default: LanceDB's, about sqrt(rows))")
    .option('--max-iterations <n>', 'search: k-means iterations of the IVF and PQ training')
    .option('--sample-rate <n>', 'search: training vectors per partition / code')
    .option('--items <n>', 'ingest: items per run', '6000')
    .option('--redis <url>', 'ingest: Redis for the BullMQ workers')
    .action(async (o) => void (await bench(o, currentWorkerCommand())));

  sub('worker', 'a BullMQ worker process: takes ingest/backfill shards until SIGTERM')
    .requiredOption('--redis <url>', 'Redis URL')
    .option('--queue <name>', 'BullMQ queue name', 'hotplug-index')
    .option('--concurrency <n>', 'shards at once', '1')
    .option('--lock-ms <n>', "job lock; a killed worker's shard is retried after about this long", '30000')
    .addOption(new Option('--backend <name>', 'tfjs backend'))
    .action(async (o) => void (await worker(o)));
  return p;
}

/** Maps an error to the exit code: the shared mapping, plus a space mismatch (4) and an incomplete run (3). */
export function exitCodeOf(err: unknown): number {
  return sharedExitCode(err, (e) => (e instanceof SpaceMismatchError ? EXIT.spaceMismatch : e instanceof IncompleteRunError ? EXIT.incomplete : undefined));
}

/** Runs hotplug-index with `argv` (without node and the script); resolves to the exit code. */
export function runCli(argv: string[]): Promise<number> {
  return runApp(argv, { program, exitCode: exitCodeOf });
}
