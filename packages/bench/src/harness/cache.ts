import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureMatrix } from '@hotplug/heads';
import { sha256, writeFileAtomic, writeJsonAtomic } from '@hotplug/runtime';
import type { FeatureSet } from './steps';

interface BlobMeta {
  key: string;
  sha256: string;
  config: unknown;
}

interface FeatureMeta extends BlobMeta {
  rows: number;
  dim: number;
  modelId: string;
}

/**
 * Computed artefacts on disk, keyed by cell hash. Every entry is a payload plus a JSON
 * file written after it (both atomically): the JSON is the "done" marker, and it carries
 * the payload's checksum so a damaged payload is recomputed instead of trusted.
 */
export class ArtefactCache {
  constructor(readonly dir: string) {}

  private path(kind: string, key: string, ext: string): string {
    return join(this.dir, kind, `${key}${ext}`);
  }

  /** Reads a JSON entry, or undefined when it is absent or unreadable (then it is recomputed). */
  readJson<T>(kind: string, key: string): T | undefined {
    const p = this.path(kind, key, '.json');
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  writeJson(kind: string, key: string, value: unknown): void {
    writeJsonAtomic(this.path(kind, key, '.json'), value);
  }

  /** Reads a binary entry whose checksum still matches. */
  readBlob(kind: string, key: string): { bytes: Buffer; meta: BlobMeta } | undefined {
    const meta = this.readJson<BlobMeta>(kind, key);
    const p = this.path(kind, key, '.bin');
    if (!meta || !existsSync(p)) return undefined;
    const bytes = readFileSync(p);
    return sha256(bytes) === meta.sha256 ? { bytes, meta } : undefined;
  }

  writeBlob(kind: string, key: string, bytes: Uint8Array, meta: Record<string, unknown>): void {
    writeFileAtomic(this.path(kind, key, '.bin'), bytes);
    this.writeJson(kind, key, { ...meta, key, sha256: sha256(bytes) });
  }

  readFeatures(key: string): FeatureSet | undefined {
    const hit = this.readBlob('features', key);
    if (!hit) return undefined;
    const meta = hit.meta as FeatureMeta;
    const copy = new Uint8Array(hit.bytes.byteLength);
    copy.set(hit.bytes);
    const n = meta.rows * meta.dim;
    if (copy.byteLength !== 4 * (n + meta.rows)) return undefined;
    const features = featureMatrix(new Float32Array(copy.buffer, 0, n), meta.rows, meta.dim, meta.modelId);
    return { features, labels: new Int32Array(copy.buffer, 4 * n, meta.rows) };
  }

  writeFeatures(key: string, set: FeatureSet, modelId: string, config: unknown): void {
    const { rows, dim, data } = set.features;
    const bytes = new Uint8Array(4 * (rows * dim + rows));
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0);
    bytes.set(new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength), 4 * rows * dim);
    this.writeBlob('features', key, bytes, { rows, dim, modelId, config });
  }

  /** Folder for a saved head; it is complete when its head.json exists (written last). */
  headDir(key: string): string {
    return join(this.dir, 'heads', key);
  }

  hasHead(key: string): boolean {
    return existsSync(join(this.headDir(key), 'head.json'));
  }
}
