// Child process of concurrent.test.ts: upserts ids [start, end) into a shared table in small batches.
import { LanceGallery } from '../src/index';

const [dir, start, end, batch] = process.argv.slice(2).filter((a) => a !== '--');
const g = await LanceGallery.open(dir!);
// Wait for the parent's go, so both writers start together.
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
let retries = 0;
let written = 0;
const first = Date.now();
for (let i = Number(start); i < Number(end); i += Number(batch)) {
  const hi = Math.min(Number(end), i + Number(batch));
  const ids = Array.from({ length: hi - i }, (_, j) => `id-${i + j}`);
  const data = new Float32Array(ids.length * g.space.dim).map((_, k) => Math.sin(i * 31 + k));
  const r = await g.upsert({ ids, vectors: { data, rows: ids.length, dim: g.space.dim }, metadata: ids.map(() => ({ writer: process.pid })) });
  retries += r.retries;
  written += r.inserted + r.updated;
}
await g.close();
process.stdin.destroy();
process.stdout.write(`${JSON.stringify({ written, retries, first, last: Date.now() })}\n`);
