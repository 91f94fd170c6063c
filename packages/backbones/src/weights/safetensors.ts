import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { openAtomic } from '@hotplug/runtime';
import { z } from 'zod';
import { describeIssues, SafetensorsError } from '../errors';
import { bytesPerElement, decodeToFloat32, isSupportedDtype, SUPPORTED_DTYPES, type SafetensorsDtype } from './dtypes';

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range of the data in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsReadOptions {
  /** Largest JSON header accepted, in bytes (default 100 MiB). */
  maxHeaderBytes?: number;
  /** Accept NaN / Infinity values in readFloat32 (default false: such a tensor is refused, naming it). */
  allowNonFinite?: boolean;
}

const DEFAULT_MAX_HEADER = 100 * 1024 * 1024;

// The header as the format defines it; checked before any entry is recorded.
const EntrySchema = z.strictObject({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
const MetadataSchema = z.record(z.string(), z.string());

/**
 * Reads a safetensors file tensor by tensor through positioned reads, so loading a model
 * holds at most one tensor's bytes beside the model itself. The whole header is checked
 * on open: entry structure, dtypes, sizes against the shape, duplicate names, and that the
 * tensors tile the data section exactly (no overlap, no hole, no trailing bytes).
 */
export class SafetensorsReader {
  readonly entries = new Map<string, SafetensorsEntry>();
  readonly metadata: Record<string, string> = {};
  private fd: number | null;
  private readonly options: SafetensorsReadOptions;

  private constructor(
    readonly path: string,
    options: SafetensorsReadOptions,
  ) {
    this.options = options;
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new SafetensorsError({ file: path, problem: `cannot open safetensors file: ${(err as Error).message}`, fix: 'Check the path' });
    }
    try {
      this.parseHeader(fstatSync(this.fd).size);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  static open(path: string, options: SafetensorsReadOptions = {}): SafetensorsReader {
    return new SafetensorsReader(path, options);
  }

  private fail(problem: string, field?: string, expected?: string): never {
    throw new SafetensorsError({
      file: this.path,
      problem: `not a valid safetensors file: ${problem}`,
      ...(field !== undefined ? { field } : {}),
      ...(expected !== undefined ? { expected } : {}),
      fix: 'Re-export the checkpoint (safetensors.torch.save_file or saveWeights)',
    });
  }

  private parseHeader(fileSize: number): void {
    const maxHeader = this.options.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
    if (fileSize < 8) this.fail(`truncated: ${fileSize} bytes, too short for the 8-byte header length`);
    const lenBytes = this.readBytes(0, 8);
    const headerLength = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
    if (headerLength > maxHeader)
      this.fail(
        `bad header: declared header length ${headerLength} bytes is implausible (limit ${maxHeader})`,
        'header length',
        `at most maxHeaderBytes ${maxHeader}`,
      );
    if (8 + headerLength > fileSize) this.fail(`truncated: header declares ${headerLength} bytes but only ${fileSize - 8} follow`, 'header length');
    let header: unknown;
    let text = '';
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(this.readBytes(8, headerLength));
      header = JSON.parse(text);
    } catch (err) {
      this.fail(`bad header: not UTF-8 JSON (${(err as Error).message})`, 'header');
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) this.fail('bad header: the JSON header must be an object of tensors', 'header');
    const duplicate = firstDuplicateKey(text);
    if (duplicate !== undefined)
      this.fail(`bad header: tensor name ${JSON.stringify(duplicate)} appears twice`, `tensor "${duplicate}"`, 'unique tensor names');
    const dataStart = 8 + headerLength;
    const dataLength = fileSize - dataStart;
    const found: SafetensorsEntry[] = [];
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (!MetadataSchema.safeParse(raw).success) this.fail('bad header: __metadata__ must be an object of string values', '__metadata__');
        Object.assign(this.metadata, raw as Record<string, string>);
        continue;
      }
      const field = `tensor "${name}"`;
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
      if (
        !e ||
        typeof e !== 'object' ||
        typeof e.dtype !== 'string' ||
        !Array.isArray(e.shape) ||
        !Array.isArray(e.data_offsets) ||
        e.data_offsets.length !== 2
      )
        this.fail(`bad header: tensor "${name}" needs dtype, shape and data_offsets [begin, end]`, field);
      const parsed = EntrySchema.safeParse(raw);
      if (!parsed.success) {
        const bad = parsed.error.issues[0]!;
        if (bad.path[0] === 'shape')
          this.fail(`bad header: tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`, field, 'non-negative integer dimensions');
        if (bad.path[0] === 'data_offsets')
          this.fail(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(e.data_offsets)}`, field, 'two non-negative integers');
        this.fail(`bad header: tensor "${name}": ${describeIssues(parsed.error.issues)}`, field);
      }
      const {
        dtype,
        shape,
        data_offsets: [b, en],
      } = parsed.data;
      if (en < b) this.fail(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(e.data_offsets)}`, field, 'begin <= end');
      const width = bytesPerElement(dtype);
      if (width === undefined) this.fail(`bad header: tensor "${name}" has unknown dtype "${dtype}"`, field);
      // The product can exceed 2^53 for a hostile shape; it is only compared, never allocated.
      const bytes = shape.reduce((x, y) => x * y, 1) * width;
      if (en - b !== bytes)
        this.fail(`bad header: tensor "${name}" [${shape.join(', ')}] ${dtype} needs ${bytes} bytes but data_offsets span ${en - b}`, field);
      if (en > dataLength) this.fail(`truncated: tensor "${name}" ends at byte ${dataStart + en} but the file has ${fileSize} bytes`, field);
      found.push({ name, dtype, shape, begin: dataStart + b, end: dataStart + en });
    }
    // The format requires the tensors to cover the data section exactly: an overlap makes two
    // tensors share bytes, a hole or a tail hides bytes no tensor accounts for.
    const sorted = [...found].sort((x, y) => x.begin - y.begin || x.end - y.end);
    let cursor = dataStart;
    let previous: SafetensorsEntry | undefined;
    for (const e of sorted) {
      if (e.begin < cursor)
        this.fail(
          `bad header: tensor "${e.name}" (bytes ${e.begin - dataStart}..${e.end - dataStart}) overlaps tensor "${previous!.name}" (bytes ${previous!.begin - dataStart}..${previous!.end - dataStart})`,
          `tensor "${e.name}"`,
          'tensors that do not share bytes',
        );
      if (e.begin > cursor)
        this.fail(
          `bad header: data bytes ${cursor - dataStart}..${e.begin - dataStart} belong to no tensor`,
          `tensor "${e.name}"`,
          'tensors stored back to back',
        );
      cursor = e.end;
      previous = e;
    }
    if (cursor !== fileSize) this.fail(`${fileSize - cursor} trailing bytes after the last tensor`, 'data section', `the file to end at byte ${cursor}`);
    for (const e of found) this.entries.set(e.name, e);
  }

  private readBytes(position: number, length: number): Uint8Array {
    if (this.fd === null)
      throw new SafetensorsError({ file: this.path, problem: 'the safetensors file was closed', fix: 'Open it again with SafetensorsReader.open' });
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) this.fail(`truncated while reading bytes ${position}..${position + length}`);
      done += n;
    }
    return buf;
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  entry(name: string): SafetensorsEntry {
    const e = this.entries.get(name);
    if (!e)
      throw new SafetensorsError({
        file: this.path,
        problem: `has no tensor "${name}"`,
        field: `tensor "${name}"`,
        fix: `Its tensors are: ${this.names.slice(0, 5).join(', ')}${this.entries.size > 5 ? ', ...' : ''}`,
      });
    return e;
  }

  /** Throws unless `name`'s dtype is one readFloat32 converts. */
  checkReadable(name: string): void {
    const e = this.entry(name);
    if (!isSupportedDtype(e.dtype))
      throw new SafetensorsError({
        file: this.path,
        field: `tensor "${name}"`,
        problem: `tensor "${name}" has dtype ${e.dtype}, which is not supported (supported: ${SUPPORTED_DTYPES.join(', ')})`,
        fix: 'Convert the checkpoint to F32 or F16',
      });
  }

  /**
   * One tensor as float32 (F16, BF16, F64 and integer dtypes are converted). NaN and
   * Infinity are refused unless the reader was opened with allowNonFinite.
   */
  readFloat32(name: string, options: { allowNonFinite?: boolean } = {}): Float32Array {
    this.checkReadable(name);
    const e = this.entry(name);
    const count = e.shape.reduce((x, y) => x * y, 1);
    const out = decodeToFloat32(this.readBytes(e.begin, e.end - e.begin), e.dtype as SafetensorsDtype, count);
    if (!(options.allowNonFinite ?? this.options.allowNonFinite)) {
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(out[i]!)) {
          throw new SafetensorsError({
            file: this.path,
            field: `tensor "${name}"`,
            problem: `tensor "${name}" holds ${out[i]} at element ${i}`,
            expected: 'finite values',
            fix: 'The checkpoint is corrupt or diverged; pass { allowNonFinite: true } only if you mean to load it anyway',
          });
        }
      }
    }
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The first key of the top-level JSON object that occurs twice (JSON.parse keeps only the last). */
function firstDuplicateKey(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = depth === 1 && ch === '{';
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) expectKey = true;
  }
  return undefined;
}

/** A tensor to write; `data` is called only when its bytes are written. */
export interface TensorSource {
  name: string;
  shape: readonly number[];
  data: () => Float32Array;
}

/** Writes float32 tensors as safetensors, atomically, one tensor in memory at a time. */
export function writeSafetensors(path: string, tensors: readonly TensorSource[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`writeSafetensors: tensor name "${t.name}" appears twice`);
    seen.add(t.name);
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  const writer = openAtomic(path);
  try {
    writer.write(lengthBytes);
    writer.write(headerBytes);
    for (const t of tensors) {
      const values = t.data();
      const expected = t.shape.reduce((a, b) => a * b, 1);
      if (values.length !== expected)
        throw new Error(`writeSafetensors: tensor "${t.name}" has ${values.length} values but shape [${t.shape.join(', ')}] needs ${expected}`);
      writer.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
