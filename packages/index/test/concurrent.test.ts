import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { LanceGallery } from '../src/index';
import { space } from './fixtures';

const here = fileURLToPath(new URL('.', import.meta.url));
const viteNode = join(here, '../../../node_modules/.bin/vite-node');
const dir = mkdtempSync(join(tmpdir(), 'hotplug-concurrent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  written: number;
  retries: number;
  first: number;
  last: number;
}

/** Starts a writer; `ready` resolves once it has opened the table, `go()` lets it write, `done` gives its report. */
function worker(start: number, end: number): { ready: Promise<void>; go: () => void; done: Promise<Report> } {
  const child = spawn(viteNode, [join(here, 'upsert-worker.ts'), '--', dir, String(start), String(end), '20'], {
    cwd: join(here, '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let signalReady: () => void;
  const ready = new Promise<void>((r) => (signalReady = r));
  const done = new Promise<Report>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) signalReady();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Report);
      else reject(new Error(`upsert worker exited with ${code}:\n${err.slice(-2000)}`));
    });
  });
  return { ready, go: () => child.stdin.write('go\n'), done };
}

it('two processes upserting overlapping ids into one table leave every id exactly once', async () => {
  const g = await LanceGallery.create(dir, space('m', 8));
  await g.close();
  // Both processes write ids 0..799 in the same order at the same time (the same id races in two
  // concurrent merge-inserts); the second also writes 800..1199.
  const writers = [worker(0, 800), worker(0, 1200)];
  await Promise.all(writers.map((w) => w.ready));
  writers.forEach((w) => {
    w.go();
  });
  const [a, b] = await Promise.all(writers.map((w) => w.done));
  expect(a!.written).toBe(800);
  expect(b!.written).toBe(1200);
  // The two writers' commit windows overlapped (otherwise this would test nothing about concurrency).
  expect(Math.max(a!.first, b!.first)).toBeLessThan(Math.min(a!.last, b!.last));
  const back = await LanceGallery.open(dir);
  const ids = await back.ids();
  expect(ids.length).toBe(1200);
  expect(new Set(ids).size).toBe(1200);
  expect(await back.size()).toBe(1200);
  await back.close();
  console.log(
    `concurrent upsert: commit conflicts retried ${a!.retries} + ${b!.retries} times; writing took ${a!.last - a!.first} and ${b!.last - b!.first} ms, overlapping ${Math.min(a!.last, b!.last) - Math.max(a!.first, b!.first)} ms`,
  );
}, 120_000);
