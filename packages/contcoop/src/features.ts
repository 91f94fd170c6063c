import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedImageBytes, type Clip } from '@hotplug/backbones';
import type { ImageDataset } from '@hotplug/data';
import { sha256, writeFileAtomic } from '@hotplug/runtime';

/** L2-normalised image embeddings of one split, row-major [rows, dim], with labels. */
export interface ImageFeatures {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
  readonly labels: Int32Array;
}

/** Encodes a dataset with a frozen image encoder: bytes / 255, the model's mean/std, embedding, L2 norm. */
export async function encodeImages(clip: Clip, dataset: ImageDataset, batchSize = 256): Promise<ImageFeatures> {
  const { data, rows, dim } = await embedImageBytes(clip, dataset, { batchSize });
  return { data, rows, dim, labels: dataset.labels };
}

/** Identity of a model's image encoder: its config and every visual weight. */
export function imageEncoderFingerprint(clip: Clip): string {
  const parts: string[] = [JSON.stringify(clip.config.vision), String(clip.config.embedDim)];
  for (const [name, v] of clip.namedWeights()) {
    if (!name.startsWith('visual.')) continue;
    const d = v.dataSync() as Float32Array;
    parts.push(name, sha256(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
  }
  return sha256(parts.join('\n'));
}

function datasetFingerprint(dataset: ImageDataset): string {
  const l = dataset.labels;
  return sha256(
    `${dataset.height}x${dataset.width}x${dataset.channels}/${sha256(dataset.images)}/${sha256(new Uint8Array(l.buffer, l.byteOffset, l.byteLength))}`,
  );
}

/**
 * Image features of frozen encoders, computed once per (encoder, split) and reused: in memory,
 * and in `dir` when given (one float32 file per pair, written atomically). Keys are content
 * hashes of the encoder weights and of the split's images, so a changed model never hits a stale entry.
 */
export class FeatureCache {
  private readonly memory = new Map<string, ImageFeatures>();
  private readonly encoders = new WeakMap<Clip, string>();
  hits = 0;
  misses = 0;

  constructor(readonly dir?: string) {}

  async get(clip: Clip, dataset: ImageDataset): Promise<ImageFeatures> {
    let model = this.encoders.get(clip);
    if (!model) {
      model = imageEncoderFingerprint(clip);
      this.encoders.set(clip, model);
    }
    const key = `${model.slice(0, 24)}-${datasetFingerprint(dataset).slice(0, 24)}`;
    const known = this.memory.get(key);
    if (known) {
      this.hits++;
      return known;
    }
    const file = this.dir ? join(this.dir, `${key}.f32`) : undefined;
    const dim = clip.config.embedDim;
    if (file && existsSync(file)) {
      const bytes = readFileSync(file);
      if (bytes.byteLength === dataset.size * dim * 4) {
        const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        const found = { data, rows: dataset.size, dim, labels: dataset.labels };
        this.memory.set(key, found);
        this.hits++;
        return found;
      }
    }
    this.misses++;
    const computed = await encodeImages(clip, dataset);
    if (this.dir && file) {
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(file, new Uint8Array(computed.data.buffer, computed.data.byteOffset, computed.data.byteLength));
    }
    this.memory.set(key, computed);
    return computed;
  }
}
