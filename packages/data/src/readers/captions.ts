import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { ImageIndex, ImageIndexEntry } from './image-index';

const PATH_KEYS = ['path', 'image', 'filepath', 'file', 'filename'];
const CAPTION_KEYS = ['caption', 'text', 'title', 'description'];
const LABEL_KEYS = ['label', 'class', 'category'];

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string, what = 'CSV'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < t.length) {
    const ch = t[i]!;
    if (quoted) {
      if (ch === '"' && t[i + 1] === '"') (field += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (field += ch), i++;
    } else if (ch === '"' && field === '') (quoted = true), i++;
    else if (ch === ',') row.push(field), (field = ''), i++;
    else if (ch === '\n' || ch === '\r') {
      row.push(field);
      field = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      i += ch === '\r' && t[i + 1] === '\n' ? 2 : 1;
    } else (field += ch), i++;
  }
  if (quoted) throw new Error(`${what}: a quoted field is not closed`);
  row.push(field);
  if (!(row.length === 1 && row[0] === '')) rows.push(row);
  return rows;
}

function pickKey(keys: readonly string[], wanted: readonly string[]): string | undefined {
  return keys.find((k) => wanted.includes(k.trim().toLowerCase()));
}

export interface CaptionIndexOptions {
  name?: string;
  split?: string;
  /** Folder relative paths are resolved against (default: the listing file's folder). */
  imageRoot?: string;
}

/**
 * Indexes a CSV (with a header row) or JSONL file of image path + caption, and optionally a
 * label. Columns/keys: path|image|filepath|file|filename, caption|text|title|description,
 * label|class|category. Labels that are class names become indices in sorted order; without
 * a label column every entry gets label 0 of the single class 'unlabelled'.
 */
export function indexCaptionFile(file: string, options: CaptionIndexOptions = {}): ImageIndex {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read caption file ${file}: ${(err as Error).message}`);
  }
  const records = extname(file).toLowerCase() === '.csv' ? csvRecords(text, file) : jsonlRecords(text, file);
  if (records.length === 0) throw new Error(`caption file ${file} has no records`);
  const keys = Object.keys(records[0]!);
  const pathKey = pickKey(keys, PATH_KEYS);
  const captionKey = pickKey(keys, CAPTION_KEYS);
  const labelKey = pickKey(keys, LABEL_KEYS);
  if (!pathKey) throw new Error(`caption file ${file}: no image path column; name one of: ${PATH_KEYS.join(', ')}`);
  if (!captionKey) throw new Error(`caption file ${file}: no caption column; name one of: ${CAPTION_KEYS.join(', ')}`);
  const root = options.imageRoot ?? dirname(file);
  const rawLabels = labelKey ? records.map((r) => String(r[labelKey] ?? '')) : undefined;
  const classNames = rawLabels ? classNamesOf(rawLabels) : ['unlabelled'];
  const entries: ImageIndexEntry[] = records.map((r, i) => {
    const p = r[pathKey];
    const caption = r[captionKey];
    if (typeof p !== 'string' || p === '') throw new Error(`caption file ${file}, record ${i + 1}: missing image path`);
    if (typeof caption !== 'string') throw new Error(`caption file ${file}, record ${i + 1}: caption must be a string`);
    return { path: isAbsolute(p) ? p : resolve(root, p), caption, label: rawLabels ? classNames.indexOf(rawLabels[i]!) : 0 };
  });
  return { name: options.name ?? file, split: options.split ?? 'all', classNames, entries };
}

/** Integer labels keep their numbering (names '0'..'K-1'); anything else is sorted into names. */
function classNamesOf(raw: string[]): string[] {
  if (raw.every((r) => /^\d+$/.test(r))) {
    const k = Math.max(...raw.map(Number)) + 1;
    return Array.from({ length: k }, (_, i) => String(i));
  }
  return [...new Set(raw)].sort();
}

function csvRecords(text: string, file: string): Record<string, string>[] {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) return [];
  return rows.slice(1).map((row, i) => {
    if (row.length !== header.length) throw new Error(`${file}, line ${i + 2}: ${row.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h.trim(), row[j]!]));
  });
}

function jsonlRecords(text: string, file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}, line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}, line ${i + 1}: expected a JSON object per line`);
    out.push(v as Record<string, unknown>);
  });
  return out;
}
