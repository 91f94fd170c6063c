import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsReader } from '../weights/safetensors';
import { detectLayout, type LayoutName } from '../weights/layouts';

/** Config files are a few kilobytes; anything far larger is not one (checked before reading). */
const MAX_JSON_BYTES = 1024 * 1024;

/** A JSON file as a folder check sees it: absent, unreadable (with the reason), or an object. */
export type JsonFile = { state: 'absent' } | { state: 'bad'; reason: string } | { state: 'ok'; json: Record<string, unknown> };

/**
 * The files of one candidate model folder, each read at most once while every folder kind
 * checks it. Only names and JSON configs are read here: weights stay unread (a safetensors
 * header gives the tensor names) until the chosen kind loads them.
 */
export class FolderFiles {
  private readonly json = new Map<string, JsonFile>();
  private readonly layouts = new Map<string, LayoutName | 'unknown' | 'unreadable'>();

  constructor(readonly dir: string) {}

  path(name: string): string {
    return join(this.dir, name);
  }

  has(name: string): boolean {
    const p = this.path(name);
    return existsSync(p) && statSync(p).isFile();
  }

  readJson(name: string): JsonFile {
    let file = this.json.get(name);
    if (!file) {
      file = this.load(name);
      this.json.set(name, file);
    }
    return file;
  }

  /**
   * The weight layout a safetensors file's tensor names show. 'unreadable' when the header
   * cannot be read: the kind that owns the file then loads it, so the reader's own error
   * (truncated, bad header…) reaches the user instead of a vaguer "wrong kind".
   */
  layoutOf(name: string): LayoutName | 'unknown' | 'unreadable' {
    let layout = this.layouts.get(name);
    if (!layout) {
      try {
        const reader = SafetensorsReader.open(this.path(name));
        try {
          layout = detectLayout(reader.names) ?? 'unknown';
        } finally {
          reader.close();
        }
      } catch {
        layout = 'unreadable';
      }
      this.layouts.set(name, layout);
    }
    return layout;
  }

  private load(name: string): JsonFile {
    if (!this.has(name)) return { state: 'absent' };
    try {
      const size = statSync(this.path(name)).size;
      if (size > MAX_JSON_BYTES) return { state: 'bad', reason: `${size} bytes is far more than a config file (limit ${MAX_JSON_BYTES})` };
      const json: unknown = JSON.parse(readFileSync(this.path(name), 'utf8'));
      if (!json || typeof json !== 'object' || Array.isArray(json)) return { state: 'bad', reason: 'not a JSON object' };
      return { state: 'ok', json: json as Record<string, unknown> };
    } catch (err) {
      return { state: 'bad', reason: `not readable JSON: ${(err as Error).message}` };
    }
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const LAYOUT_LABEL: Record<LayoutName, string> = { hotplug: 'hotplug', hf: 'Hugging Face', open_clip: 'open_clip' };

/**
 * What is wrong with a weights file for a kind expecting `want` names (undefined: it fits,
 * or it cannot be read and the load will say why).
 */
export function weightsProblem(files: FolderFiles, name: string, want: LayoutName): string | undefined {
  if (!files.has(name)) return `${name} is missing`;
  const layout = files.layoutOf(name);
  if (layout === want || layout === 'unreadable') return undefined;
  if (layout === 'unknown') return `${name} holds no ${LAYOUT_LABEL[want]} weight names`;
  return `${name} holds ${LAYOUT_LABEL[layout]} weight names, not ${LAYOUT_LABEL[want]} ones`;
}
