// backfill re-embeds a table into a new one while the old one stays live; a SIGKILLed backfill
// resumes from its checkpoint; cutover refuses an incomplete target, then switches atomically.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LanceGallery } from '@hotplug/index';
import { initBackend } from '@hotplug/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT, readLive } from '../src/index';
import { runCliCapturing } from './run-cli';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const viteNode = join(appDir, '../../node_modules/.bin/vite-node');
const entry = join(appDir, 'test/cli-entry.ts');
const out = mkdtempSync(join(tmpdir(), 'index-backfill-'));

const cli = (args: string[]) => runCliCapturing(args, out);

function doneShards(): number {
  const dir = join(out, 'jobs');
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((f) => f.startsWith('backfill-gallery-next-'));
  return files.reduce((n, f) => n + (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { done: number[] }).done.length, 0);
}

beforeAll(async () => {
  await initBackend();
});

describe('backfill and cutover', () => {
  it('resumes a killed backfill, refuses to cut over to it before it is complete, then switches live.json', async () => {
    expect((await cli(['build', '--source', 'fashion-mnist:test:0:100', '--source', 'mnist:test:0:50', '--shard-size', '50'])).code).toBe(EXIT.ok);

    // A backfill in another process, killed once it has written at least one shard.
    const child = spawn(viteNode, [entry, '--', 'backfill', '--out', out, '--shard-size', '15'], { cwd: appDir, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (doneShards() >= 1) {
            clearInterval(poll);
            child.kill('SIGKILL');
            resolve();
          }
        }, 20);
        child.once('exit', (code, signal) => {
          if (signal !== null) return;
          clearInterval(poll);
          reject(new Error(`backfill ended (${code}) before it could be killed`));
        });
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const before = doneShards();
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(10);
    expect(readLive(out)?.table).toBe('gallery');

    const early = await cli(['cutover', '--to', 'gallery-next']);
    expect(early.code, early.out).toBe(EXIT.incomplete);
    expect(early.out).toMatch(/IncompleteRunError: .*(unfinished shards|lacks)/);

    const resumed = await cli(['backfill', '--shard-size', '15']);
    expect(resumed.code, resumed.out).toBe(EXIT.ok);
    expect(resumed.out).toMatch(/resuming, \d+\/10 shards already written/);
    const g = await LanceGallery.open(join(out, 'db'), { table: 'gallery-next' });
    const ids = await g.ids();
    const space = g.space;
    await g.close();
    expect(ids.length).toBe(150);
    expect(new Set(ids).size).toBe(150);
    expect(space.modelName).toMatch(/^new:/);
    // The other shard size is another configuration: refused rather than mixed.
    expect((await cli(['backfill', '--shard-size', '16'])).code).toBe(EXIT.usage);

    const switched = await cli(['cutover', '--to', 'gallery-next']);
    expect(switched.code, switched.out).toBe(EXIT.ok);
    expect(readLive(out)).toMatchObject({ table: 'gallery-next', previous: 'gallery' });
    // The live table is now in the new model's space: bare new queries need no map, old ones are refused.
    expect((await cli(['query', '--source', 'fashion-mnist:test:500:2', '--encoder', 'new'])).code).toBe(EXIT.ok);
    expect((await cli(['query', '--source', 'fashion-mnist:test:500:2', '--encoder', 'old'])).code).toBe(EXIT.spaceMismatch);
    expect((await cli(['cutover', '--to', 'gallery'])).code).toBe(EXIT.ok);
    expect(readLive(out)?.table).toBe('gallery');
  }, 240_000);
});
