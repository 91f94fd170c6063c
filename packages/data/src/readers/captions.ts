import { readFileSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { DataListingError } from '../errors';
import { confinePath } from './confine';
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
  // Runs of ordinary characters are copied in one slice (a character at a time is slow for large listings).
  const special = /[,\r\n"]/g;
  while (i < t.length) {
    if (quoted) {
      const q = t.indexOf('"', i);
      if (q < 0) {
        field += t.slice(i);
        i = t.length;
        break;
      }
      field += t.slice(i, q);
      if (t[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    special.lastIndex = i;
    const m = special.exec(t);
    const j = m ? m.index : t.length;
    field += t.slice(i, j);
    i = j;
    if (i >= t.length) break;
    const ch = t[i]!;
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === '"') {
      field += ch;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else {
      row.push(field);
      field = '';
      if (!(row.length === 1 && row[0] === '')) rows.push(row);
      row = [];
      i += ch === '\r' && t[i + 1] === '\n' ? 2 : 1;
    }
  }
  if (quoted) throw new DataListingError({ file: what, problem: 'a quoted field is not closed', expected: 'RFC 4180 CSV' });
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
  /** Folder relative paths are resolved against, and must stay inside (default: the listing file's folder). */
  imageRoot?: string;
  /** Further folders image paths may resolve into (absolute paths included); anything else is refused. */
  allowedRoots?: readonly string[];
  /** Most classes a label column may make (default 100,000): integer labels above it are refused before anything is allocated. */
  maxClasses?: number;
  /** Largest listing file read, in bytes (default 1 GiB). */
  maxFileBytes?: number;
}

export const DEFAULT_MAX_CLASSES = 100_000;
const DEFAULT_MAX_LISTING_BYTES = 1024 * 1024 * 1024;

/** Reads a listing file as UTF-8 after checking its size. */
export function readListing(file: string, what: string, maxBytes = DEFAULT_MAX_LISTING_BYTES): string {
  try {
    const size = statSync(file).size;
    if (size > maxBytes) throw new DataListingError({ file, problem: `is ${size} bytes, above the limit ${maxBytes} (maxFileBytes)` });
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof DataListingError) throw err;
    throw new DataListingError({ file, problem: `cannot read ${what} ${file}: ${(err as Error).message}`, fix: 'Check the path' });
  }
}

/**
 * Indexes a CSV (with a header row) or JSONL file of image path + caption, and optionally a
 * label. Columns/keys: path|image|filepath|file|filename, caption|text|title|description,
 * label|class|category. Labels that are class names become indices in sorted order; without
 * a label column every entry gets label 0 of the single class 'unlabelled'.
 */
export function indexCaptionFile(file: string, options: CaptionIndexOptions = {}): ImageIndex {
  const text = readListing(file, 'caption file', options.maxFileBytes);
  const records = extname(file).toLowerCase() === '.csv' ? csvRecords(text, file) : jsonlRecords(text, file);
  const fail = (problem: string, field?: string): never => {
    throw new DataListingError({ file, problem, ...(field ? { field } : {}), fix: 'Fix the listing (CSV with a header row, or one JSON object per line)' });
  };
  if (records.length === 0) fail('caption file has no records');
  const keys = Object.keys(records[0]!);
  const pathKey = pickKey(keys, PATH_KEYS);
  const captionKey = pickKey(keys, CAPTION_KEYS);
  const labelKey = pickKey(keys, LABEL_KEYS);
  if (!pathKey) fail(`no image path column; name one of: ${PATH_KEYS.join(', ')}`, 'header');
  if (!captionKey) fail(`no caption column; name one of: ${CAPTION_KEYS.join(', ')}`, 'header');
  const root = options.imageRoot ?? dirname(file);
  const rawLabels = labelKey ? records.map((r) => String(r[labelKey] ?? '')) : undefined;
  const dirs = new Map<string, boolean>();
  const { classNames, labelOf } = rawLabels
    ? classesOf(rawLabels, file, options.maxClasses ?? DEFAULT_MAX_CLASSES)
    : { classNames: ['unlabelled'], labelOf: () => 0 };
  const entries: ImageIndexEntry[] = records.map((r, i) => {
    const p = r[pathKey!];
    const caption = r[captionKey!];
    if (typeof p !== 'string' || p === '') fail('missing image path', `record ${i + 1}`);
    if (typeof caption !== 'string') fail('caption must be a string', `record ${i + 1}`);
    const path = confinePath(p as string, root, { file, field: `record ${i + 1}, ${pathKey}`, allowedRoots: options.allowedRoots, dirs });
    return { path, caption: caption as string, label: labelOf(rawLabels ? rawLabels[i]! : '') };
  });
  return { name: options.name ?? file, split: options.split ?? 'all', classNames, entries };
}

/**
 * Integer labels keep their numbering (names '0'..'K-1'); anything else is sorted into names.
 * The class count is bounded before the name list is allocated, and found with a loop
 * (a spread into Math.max overflows the stack for a few hundred thousand rows).
 */
function classesOf(raw: readonly string[], file: string, maxClasses: number): { classNames: string[]; labelOf: (r: string) => number } {
  if (raw.every((r) => /^\d+$/.test(r))) {
    let max = -1;
    let at = 0;
    raw.forEach((r, i) => {
      const v = Number(r);
      if (v > max) {
        max = v;
        at = i;
      }
    });
    if (max + 1 > maxClasses)
      throw new DataListingError({
        file,
        field: `record ${at + 1}, label`,
        problem: `integer label ${raw[at]} would make ${max + 1} classes, above maxClasses ${maxClasses}`,
        expected: `labels 0..${maxClasses - 1}`,
        fix: 'Fix the label, or pass a larger { maxClasses }',
      });
    return { classNames: Array.from({ length: max + 1 }, (_, i) => String(i)), labelOf: (r) => Number(r) };
  }
  const names = [...new Set(raw)].sort();
  if (names.length > maxClasses)
    throw new DataListingError({
      file,
      field: 'label',
      problem: `${names.length} distinct labels, above maxClasses ${maxClasses}`,
      fix: 'Pass a larger { maxClasses }',
    });
  const index = new Map(names.map((n, i) => [n, i]));
  return { classNames: names, labelOf: (r) => index.get(r)! };
}

function csvRecords(text: string, file: string): Record<string, string>[] {
  const rows = parseCsv(text, file);
  const header = rows[0];
  if (!header) return [];
  return rows.slice(1).map((row, i) => {
    if (row.length !== header.length)
      throw new DataListingError({ file, field: `line ${i + 2}`, problem: `${row.length} fields, header has ${header.length}` });
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
      throw new DataListingError({ file, field: `line ${i + 1}`, problem: `not valid JSON (${(err as Error).message})` });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new DataListingError({ file, field: `line ${i + 1}`, problem: 'expected a JSON object per line' });
    out.push(v as Record<string, unknown>);
  });
  return out;
}
