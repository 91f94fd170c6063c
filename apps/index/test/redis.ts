// A Redis server for the BullMQ tests: HOTPLUG_REDIS_URL, else one already on 127.0.0.1:6379,
// else a private redis-server started on a free loopback port. Without a redis-server binary the
// tests skip with the reason — except under CI=true, where they fail instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { redisAnswers } from '../src/jobs/redis';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function loopbackOnly(url: string): string {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]')
    throw new Error(`HOTPLUG_REDIS_URL=${url}: the tests only use a loopback Redis (127.0.0.1)`);
  return url;
}

/** Returns a Redis to test against, or the reason there is none (never under CI=true). */
export async function testRedis(): Promise<TestRedis | { skip: string }> {
  const given = process.env.HOTPLUG_REDIS_URL;
  if (given) {
    if (await redisAnswers(loopbackOnly(given))) return { url: given, stop: async () => {} };
    throw new Error(`HOTPLUG_REDIS_URL=${given} does not answer PING; start redis-server there or unset the variable`);
  }
  if (await redisAnswers('redis://127.0.0.1:6379')) return { url: 'redis://127.0.0.1:6379', stop: async () => {} };
  if (spawnSync('redis-server', ['--version']).error) {
    const reason = 'no redis-server binary (Debian: apt-get install redis-server; tools/apt-packages.txt lists it)';
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    return { skip: reason };
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await redisAnswers(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await redisAnswers(url))) throw new Error(`started redis-server on port ${port} but it does not answer PING`);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
