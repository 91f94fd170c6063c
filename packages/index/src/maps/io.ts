import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors } from '@hotplug/backbones';
import { writeJsonAtomic } from '@hotplug/runtime';
import { StampError } from '../errors';
import { checkSpace, type EmbeddingSpace } from '../space';
import { rebuildMap } from './space-map';
import type { MapFitReport, MapParam, SpaceMap } from './types';

export const MAP_WEIGHTS_FILE = 'map.safetensors';
export const MAP_MANIFEST_FILE = 'map.json';
const FORMAT = 'hotplug-space-map';

/** What map.json holds beside map.safetensors. */
export interface MapManifest {
  format: typeof FORMAT;
  version: 1;
  kind: string;
  options: Record<string, unknown>;
  from: EmbeddingSpace;
  to: EmbeddingSpace;
  fingerprint: string;
  parameters: number;
  report?: MapFitReport;
}

/** Writes map.safetensors + map.json into `dir`, both atomically (weights first, so a manifest never names missing weights). */
export function saveMap(map: SpaceMap, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(
    join(dir, MAP_WEIGHTS_FILE),
    [...map.params()].map(([name, p]) => ({ name, shape: p.shape, data: () => p.data })),
    { format: FORMAT, kind: map.kind, fingerprint: map.fingerprint },
  );
  const manifest: MapManifest = {
    format: FORMAT,
    version: 1,
    kind: map.kind,
    options: { ...map.options },
    from: map.from,
    to: map.to,
    fingerprint: map.fingerprint,
    parameters: map.parameterCount(),
    ...(map.report ? { report: sanitizeReport(map.report) } : {}),
  };
  writeJsonAtomic(join(dir, MAP_MANIFEST_FILE), manifest);
}

// JSON has no NaN: identityMse of maps between widths is stored as null and read back as NaN.
function sanitizeReport(r: MapFitReport): MapFitReport {
  return { ...r, identityMse: Number.isFinite(r.identityMse) ? r.identityMse : (null as unknown as number) };
}

/** Reads and checks map.json. */
export function readMapManifest(dir: string): MapManifest {
  const path = join(dir, MAP_MANIFEST_FILE);
  if (!existsSync(path)) throw new StampError(`${dir} holds no saved map: ${MAP_MANIFEST_FILE} is missing (save one with saveMap)`);
  let m: MapManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as MapManifest;
  } catch (err) {
    throw new StampError(`${path} is not valid JSON (${(err as Error).message}); save the map again`);
  }
  if (m?.format !== FORMAT || m.version !== 1 || typeof m.kind !== 'string' || !m.from || !m.to)
    throw new StampError(`${path} is not a hotplug space-map manifest (format ${JSON.stringify(m?.format)}, version ${m?.version})`);
  checkSpace(m.from, `${path} "from"`);
  checkSpace(m.to, `${path} "to"`);
  if (m.report && m.report.identityMse === null) m.report.identityMse = NaN;
  return m;
}

/** Restores a map written by saveMap; every tensor is checked for presence and shape, and the fingerprint must match. */
export function loadMap(dir: string): SpaceMap {
  const m = readMapManifest(dir);
  const weights = join(dir, MAP_WEIGHTS_FILE);
  if (!existsSync(weights)) throw new StampError(`${dir} has ${MAP_MANIFEST_FILE} but no ${MAP_WEIGHTS_FILE}; save the map again`);
  const reader = SafetensorsReader.open(weights);
  const params = new Map<string, MapParam>();
  try {
    for (const [name, e] of reader.entries) params.set(name, { shape: [...e.shape], data: reader.readFloat32(name) });
  } finally {
    reader.close();
  }
  const map = rebuildMap(m.kind, m.options, m.from, m.to, params, m.report);
  if (map.fingerprint !== m.fingerprint)
    throw new StampError(`${dir}: the weights hash to ${map.fingerprint} but ${MAP_MANIFEST_FILE} says ${m.fingerprint}; the files do not belong together`);
  return map;
}
