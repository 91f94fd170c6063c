// Peak memory of loading a large checkpoint: safetensors are read tensor by tensor, so the
// resident set should grow by about one tensor, not by the file size. Run after `npm run build`:
//   node bench/load-memory.mjs [config name, default ViT-B-32]
// It writes a randomly initialised checkpoint, then loads it in a fresh child process and
// reports that process's peak RSS before and after loadWeights.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@hotplug/kernels';
import { createClip, loadWeights, saveWeights } from '../dist/index.js';

const name = process.argv[2] ?? 'ViT-B-32';
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

if (process.argv[3]) {
  // Child: create the model, then load the file, printing peak RSS (bytes) at each step.
  await initBackend(undefined, { log: () => {} });
  const clip = createClip(name, { seed: 1 });
  const afterCreate = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  loadWeights(clip, process.argv[3]);
  const ms = performance.now() - t0;
  const afterLoad = process.resourceUsage().maxRSS * 1024;
  let largest = 0;
  for (const v of clip.namedWeights().values()) largest = Math.max(largest, v.size * 4);
  console.log(JSON.stringify({ afterCreate, afterLoad, ms, largest }));
  clip.dispose();
} else {
  await initBackend(undefined, { log: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-load-bench-'));
  const file = join(dir, 'model.safetensors');
  const clip = createClip(name, { seed: 0 });
  saveWeights(clip, file);
  clip.dispose();
  const size = statSync(file).size;
  const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), name, file], { encoding: 'utf8' }).trim().split('\n').pop());
  rmSync(dir, { recursive: true, force: true });
  console.log(`${name}: checkpoint ${mb(size)} MiB, largest tensor ${mb(out.largest)} MiB`);
  console.log(`peak RSS after createClip ${mb(out.afterCreate)} MiB, after loadWeights ${mb(out.afterLoad)} MiB: +${mb(out.afterLoad - out.afterCreate)} MiB (${((out.afterLoad - out.afterCreate) / size).toFixed(2)}x the file) in ${(out.ms / 1000).toFixed(1)} s`);
}
