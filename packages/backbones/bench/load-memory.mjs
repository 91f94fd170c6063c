// Peak memory of loading a large checkpoint: safetensors are read tensor by tensor, so the
// resident set should grow by about one tensor beyond the model itself, not by the file
// size again. Run after `npm run build`:
//   node bench/load-memory.mjs [config name, default ViT-B-32] [--init random|none]
// It writes a checkpoint, then loads it in a fresh child process and reports that process's
// peak RSS before and after loadWeights. With --init none (the default, as loadClip does) the
// model's zero-filled buffers are not resident until loaded, so the model's own bytes are
// subtracted; with --init random they are resident from the start.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@hotplug/kernels';
import { createClip, loadWeights, saveWeights } from '../dist/index.js';

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--init');
const name = positional[0] ?? 'ViT-B-32';
const initAt = process.argv.indexOf('--init');
const init = initAt >= 0 ? process.argv[initAt + 1] : 'none';
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

if (process.env.HOTPLUG_LOAD_BENCH_FILE) {
  // Child: create the model, then load the file, printing peak RSS (bytes) at each step.
  await initBackend(undefined, { log: () => {} });
  const clip = createClip(name, { init });
  const afterCreate = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  loadWeights(clip, process.env.HOTPLUG_LOAD_BENCH_FILE);
  const ms = performance.now() - t0;
  const afterLoad = process.resourceUsage().maxRSS * 1024;
  let largest = 0;
  let model = 0;
  for (const v of clip.namedWeights().values()) {
    largest = Math.max(largest, v.size * 4);
    model += v.size * 4;
  }
  console.log(JSON.stringify({ afterCreate, afterLoad, ms, largest, model }));
  clip.dispose();
} else {
  await initBackend(undefined, { log: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-load-bench-'));
  const file = join(dir, 'model.safetensors');
  const clip = createClip(name, { init: 'none' }); // the values do not matter here
  saveWeights(clip, file);
  clip.dispose();
  const size = statSync(file).size;
  const args = [fileURLToPath(import.meta.url), name, '--init', init];
  const lines = execFileSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, HOTPLUG_LOAD_BENCH_FILE: file } })
    .trim()
    .split('\n');
  const out = JSON.parse(lines[lines.length - 1]);
  rmSync(dir, { recursive: true, force: true });
  const overhead = out.afterLoad - out.afterCreate - (init === 'none' ? out.model : 0);
  console.log(`${name} (--init ${init}): checkpoint ${mb(size)} MiB, model ${mb(out.model)} MiB, largest tensor ${mb(out.largest)} MiB`);
  console.log(
    `peak RSS after createClip ${mb(out.afterCreate)} MiB, after loadWeights ${mb(out.afterLoad)} MiB; loading needed ${mb(overhead)} MiB beyond the model (${(overhead / size).toFixed(2)}x the file), ${(out.ms / 1000).toFixed(1)} s`,
  );
}
