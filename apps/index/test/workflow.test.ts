// The "done when": an old-model LanceDB table refuses a raw new-model query with the
// space error, answers it through new + TaCA and new + Procrustes, and takes new items from two
// BullMQ worker processes, one SIGKILLed mid-shard, with every item ending up exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LanceGallery } from '@hotplug/index';
import { initBackend } from '@hotplug/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, readLive, type PlanReport } from '../src/index';
import { runCliCapturing } from './run-cli';
import { testRedis, type TestRedis } from './redis';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const viteNode = join(appDir, '../../node_modules/.bin/vite-node');
const entry = join(appDir, 'test/cli-entry.ts');
const out = mkdtempSync(join(tmpdir(), 'index-workflow-'));
const BUILT = 'fashion-mnist:test:0:400';
const INGESTED = 'fashion-mnist:test:400:240';

const cli = (args: string[]) => runCliCapturing(args, out);

/** Label of each hit's item as stored, against the query's label: the share of same-class hits. */
function sameClassShare(result: { queries: { id: string; hits: { metadata?: Record<string, unknown> }[] }[] }, labelOf: (id: string) => number): number {
  let same = 0;
  let all = 0;
  for (const q of result.queries)
    for (const h of q.hits) {
      all++;
      if (h.metadata?.label === labelOf(q.id)) same++;
    }
  return same / all;
}

let redis: TestRedis | { skip: string };
beforeAll(async () => {
  await initBackend();
  redis = await testRedis();
});
afterAll(async () => {
  if ('stop' in redis) await redis.stop();
});

describe('hotplug-index upgrade workflow on the embedded pair', () => {
  it('builds an old-model table, refuses a raw new-model query, answers through new + TaCA and new + Procrustes', async () => {
    const built = await cli(['build', '--source', BUILT, '--shard-size', '100']);
    expect(built.code, built.out).toBe(EXIT.ok);
    expect(readLive(out)?.table).toBe('gallery');

    const raw = await cli(['query', '--source', 'fashion-mnist:test:900:5', '--encoder', 'new']);
    expect(raw.code, raw.out).toBe(EXIT.spaceMismatch);
    expect(raw.out).toMatch(/SpaceMismatchError: .*holds vectors of model "old:/);

    const planned = await cli(['plan', '--sample', '400', '--queries', '80', '--taca', 'taca-symmetric']);
    expect(planned.code, planned.out).toBe(EXIT.ok);
    const report = JSON.parse(readFileSync(join(out, 'plans', 'gallery.json'), 'utf8')) as PlanReport;
    const row = (name: string) => report.rows.find((r) => r.system === name)!;
    expect(row('new (no map)').refused).toBe('SpaceMismatchError');
    for (const name of ['new + procrustes', 'new + low-rank', 'new + residual-mlp', 'new + taca-symmetric', 'old (no upgrade)']) {
      expect(row(name).recallAtK, name).toBeGreaterThan(0);
      expect(row(name).recallAtK, name).toBeLessThanOrEqual(1);
    }

    const fm = (await import('@hotplug/data')).loadDataset('fashion-mnist', 'test');
    const labelOf = (id: string) => fm.labels[Number(id.split('/')[2]!.split('#')[0])]!;
    const args = ['--source', 'fashion-mnist:test:900:40', '--json', '-k', '10'];
    const viaTaca = await cli(['query', ...args, '--encoder', 'new+taca-symmetric']);
    const viaProcrustes = await cli(['query', ...args, '--encoder', 'new', '--via', 'procrustes']);
    const oldOld = await cli(['query', ...args, '--encoder', 'old']);
    for (const r of [viaTaca, viaProcrustes, oldOld]) expect(r.code, r.out).toBe(EXIT.ok);
    const share = (r: { out: string }) => sameClassShare(JSON.parse(r.out.slice(r.out.indexOf('{'))), labelOf);
    // Ten classes: chance is 0.1. Measured on the shipped scene-trained pair (40 queries x top 10): old 0.475,
    // new via Procrustes 0.265, new + TaCA 0.11. The old gallery and the Procrustes route find same-class items well
    // above chance; the TaCA adapter, trained on scene captions, lands at chance on these canvases (the benchmark
    // reports it as not compatible), so for it the test checks only that the route answers.
    const [taca, procrustes, old] = [share(viaTaca), share(viaProcrustes), share(oldOld)];
    expect(old).toBeGreaterThan(0.3);
    expect(procrustes).toBeGreaterThan(0.18);
    expect(taca).toBeLessThanOrEqual(1);
    // Every route answers all 40 queries with 10 hits: each share is a count out of 400.
    for (const r of [viaTaca, viaProcrustes, oldOld]) {
      const hits = JSON.parse(r.out.slice(r.out.indexOf('{'))).queries.map((q: { hits: unknown[] }) => q.hits.length);
      expect(hits).toEqual(Array(40).fill(10));
    }
    for (const x of [taca, procrustes, old]) expect(Math.abs(x * 400 - Math.round(x * 400))).toBeLessThan(1e-9);
  }, 240_000);

  it('ingests new items through two BullMQ worker processes, one killed mid-shard: every item exactly once', async (ctx) => {
    if ('skip' in redis) return ctx.skip(redis.skip);
    const queue = `test-ingest-${process.pid}-${Date.now()}`;
    const logs = new Map<number, string>();
    const start = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const w = spawn(viteNode, [entry, '--', 'worker', '--redis', (redis as TestRedis).url, '--queue', queue, '--lock-ms', '2000'], {
          cwd: appDir,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        logs.set(w.pid!, '');
        const onData = (d: Buffer) => {
          logs.set(w.pid!, logs.get(w.pid!)! + d.toString());
          if (logs.get(w.pid!)!.includes('worker ready')) resolve(w);
        };
        w.stdout!.on('data', onData);
        w.stderr!.on('data', onData);
        w.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${logs.get(w.pid!)}`)));
      });
    const [victim, survivor] = await Promise.all([start(), start()]);
    // Kill the first worker as soon as it has a shard in hand (before it can write it).
    const killed = new Promise<number>((resolve) => {
      const watch = (d: Buffer) => {
        const m = /shard (\d+) \(\d+\.\.\d+\) started/.exec(d.toString());
        if (m) {
          victim.stdout!.off('data', watch);
          victim.kill('SIGKILL');
          resolve(Number(m[1]));
        }
      };
      victim.stdout!.on('data', watch);
    });
    try {
      const ingest = await cli([
        'ingest',
        '--source',
        INGESTED,
        '--encoder',
        'new+taca-symmetric',
        '--redis',
        (redis as TestRedis).url,
        '--queue',
        queue,
        '--shard-size',
        '30',
      ]);
      expect(ingest.code, `${ingest.out}\n${[...logs.values()].join('\n')}`).toBe(EXIT.ok);
      const orphan = await killed;
      // The killed worker's shard was taken over by the survivor once its lock lapsed.
      expect(logs.get(survivor.pid!)).toMatch(new RegExp(`shard ${orphan} done`));
      expect(logs.get(victim.pid!)).not.toMatch(/done/);
    } finally {
      survivor.kill('SIGTERM');
      victim.kill('SIGKILL');
    }
    const g = await LanceGallery.open(join(out, 'db'), { table: 'gallery' });
    const ids = await g.ids();
    const items: { id: string; source: string }[] = [];
    for await (const batch of g.scan({ withVectors: false })) items.push(...batch.map((s) => ({ id: s.id, source: s.source })));
    await g.close();
    const expected = [
      ...Array.from({ length: 400 }, (_, i) => `fashion-mnist/test/${i}`),
      ...Array.from({ length: 240 }, (_, i) => `fashion-mnist/test/${400 + i}`),
    ];
    expect(ids.length).toBe(expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    // Ingested items are stamped with the adapter they came through.
    const ingested = items.filter((it) => Number(it.id.split('/')[2]) >= 400);
    expect(new Set(ingested.map((it) => it.source)).size).toBe(1);
    expect(ingested[0]!.source).toMatch(/taca\/taca-symmetric:/);
  }, 240_000);
});
