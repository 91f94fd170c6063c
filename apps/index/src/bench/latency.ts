import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fitMap, mapNames } from '@hotplug/index';
import { Collection } from '../collection';
import { addedEncodeUs, mapLatencyUs, median } from '../evaluate';
import type { ModelSet } from '../systems';

export interface LatencyRow {
  system: string;
  /** µs added to one query (batch of 1) over the bare new model. */
  addedUs: number;
  /** µs per image added when encoding in batches of 256 (adapters only). */
  addedUsBatched: number | null;
}

/** Added query latency of each map (map.apply on one vector) and each TaCA adapter (encoder, batch 1 and 256); median of `runs`. */
export async function latencyBench(
  models: ModelSet,
  runs: number,
  log: (l: string) => void,
): Promise<{ bareNewUs: number; bareNewUsBatched: number; rows: LatencyRow[] }> {
  const c = new Collection({ sources: [{ dataset: 'fashion-mnist', split: 'test', count: 2048 }] });
  const { images } = c.slice(0, c.size);
  const newEnc = models.encoder({ model: 'new' });
  const oldEnc = models.encoder({ model: 'old' });
  const fresh = await newEnc.encode(images);
  const old = await oldEnc.encode(images);
  const one = { ...images, size: 1, images: images.images.slice(0, 784) };
  const batch = { ...images, size: 256, images: images.images.slice(0, 256 * 784) };
  const maps = [];
  for (const kind of mapNames().filter((n) => n !== 'identity'))
    maps.push({ kind, map: await fitMap(kind, { source: fresh, target: old, from: newEnc.space, to: oldEnc.space }, {}, { seed: 0 }) });
  const adapters = readdirSync(models.dirs.adapters, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(models.dirs.adapters, d.name, 'adapter.json')))
    .map((d) => d.name)
    .sort();
  const bare: number[] = [];
  const bareB: number[] = [];
  const per = new Map<string, { a: number[]; b: number[] }>();
  for (let run = 0; run < runs; run++) {
    for (const { kind, map } of maps) {
      const e = per.get(kind) ?? { a: [], b: [] };
      e.a.push(mapLatencyUs(map, fresh, 2000));
      per.set(kind, e);
    }
    for (const v of adapters) {
      const enc = models.encoder({ model: 'new', adapter: v });
      const e = per.get(v) ?? { a: [], b: [] };
      const single = await addedEncodeUs(newEnc, enc, one, 20);
      const batched = await addedEncodeUs(newEnc, enc, batch, 2);
      bare.push(single.bareUs);
      bareB.push(batched.bareUs);
      e.a.push(single.addedUs);
      e.b.push(batched.addedUs);
      per.set(v, e);
    }
    log(`latency run ${run + 1}/${runs}: bare new ${median(bare).toFixed(0)} µs/query, ${median(bareB).toFixed(1)} µs/image at batch 256`);
  }
  return {
    bareNewUs: median(bare),
    bareNewUsBatched: median(bareB),
    rows: [...per.entries()].map(([system, e]) => ({
      system: adapters.includes(system) ? `new + ${system} (TaCA)` : `new + ${system}`,
      addedUs: median(e.a),
      addedUsBatched: e.b.length ? median(e.b) : null,
    })),
  };
}
