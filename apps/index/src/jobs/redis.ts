import { createConnection } from 'node:net';
import type { ConnectionOptions } from 'bullmq';
import { UsageError } from '../errors';

/** BullMQ/ioredis connection options from a redis:// URL (host, port, db, password). */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis "${url}" is not a URL; give redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`);
  }
  if (u.protocol !== 'redis:') throw new UsageError(`--redis "${url}" must start with redis:// (TLS and sockets are not supported here)`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--redis "${url}": database "${u.pathname.slice(1)}" must be a non-negative integer`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    // Workers block on the queue; BullMQ requires ioredis not to give up on those commands.
    maxRetriesPerRequest: null,
  };
}

/** Whether a Redis server answers PING at the URL within `timeoutMs` (a raw RESP exchange, no client library). */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const c = redisConnection(url) as { host: string; port: number };
  return new Promise((resolve) => {
    const socket = createConnection({ host: c.host, port: c.port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
