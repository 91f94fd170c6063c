import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { openAtomic } from '@hotplug/runtime';
import { bytesPerElement, decodeToFloat32, isSupportedDtype, SUPPORTED_DTYPES } from './dtypes';

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range of the data in the file. */
  begin: number;
  end: number;
}

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Reads a safetensors file tensor by tensor through positioned reads, so loading a model
 * holds at most one tensor's bytes beside the model itself.
 */
export class SafetensorsReader {
  readonly entries = new Map<string, SafetensorsEntry>();
  readonly metadata: Record<string, string> = {};
  private fd: number | null;

  private constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new Error(`cannot open safetensors file ${path}: ${(err as Error).message}`);
    }
    try {
      this.parseHeader(fstatSync(this.fd).size);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  static open(path: string): SafetensorsReader {
    return new SafetensorsReader(path);
  }

  private fail(problem: string): never {
    throw new Error(`${this.path} is not a valid safetensors file: ${problem}`);
  }

  private parseHeader(fileSize: number): void {
    if (fileSize < 8) this.fail(`truncated: ${fileSize} bytes, too short for the 8-byte header length`);
    const lenBytes = this.readBytes(0, 8);
    const headerLength = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
    if (headerLength > MAX_HEADER) this.fail(`bad header: declared header length ${headerLength} bytes is implausible (limit ${MAX_HEADER})`);
    if (8 + headerLength > fileSize) this.fail(`truncated: header declares ${headerLength} bytes but only ${fileSize - 8} follow`);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(this.readBytes(8, headerLength)));
    } catch (err) {
      this.fail(`bad header: not UTF-8 JSON (${(err as Error).message})`);
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) this.fail('bad header: the JSON header must be an object of tensors');
    const dataStart = 8 + headerLength;
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string'))
          this.fail('bad header: __metadata__ must be an object of string values');
        Object.assign(this.metadata, raw as Record<string, string>);
        continue;
      }
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (!e || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2)
        this.fail(`bad header: tensor "${name}" needs dtype, shape and data_offsets [begin, end]`);
      const shape = e.shape as unknown[];
      if (shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) this.fail(`bad header: tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
      const [b, en] = e.data_offsets as number[];
      if (!Number.isInteger(b) || !Number.isInteger(en) || b! < 0 || en! < b!) this.fail(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(e.data_offsets)}`);
      const width = bytesPerElement(e.dtype);
      if (width === undefined) this.fail(`bad header: tensor "${name}" has unknown dtype "${e.dtype}"`);
      const count = (shape as number[]).reduce((x, y) => x * y, 1);
      if ((en! - b!) !== count * width) this.fail(`bad header: tensor "${name}" [${shape.join(', ')}] ${e.dtype} needs ${count * width} bytes but data_offsets span ${en! - b!}`);
      if (dataStart + en! > fileSize) this.fail(`truncated: tensor "${name}" ends at byte ${dataStart + en!} but the file has ${fileSize} bytes`);
      this.entries.set(name, { name, dtype: e.dtype, shape: shape as number[], begin: dataStart + b!, end: dataStart + en! });
    }
  }

  private readBytes(position: number, length: number): Uint8Array {
    if (this.fd === null) throw new Error(`safetensors file ${this.path} was closed`);
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
    if (!e) throw new Error(`${this.path} has no tensor "${name}"`);
    return e;
  }

  /** One tensor as float32 (F16, BF16, F64 and integer dtypes are converted). */
  readFloat32(name: string): Float32Array {
    const e = this.entry(name);
    if (!isSupportedDtype(e.dtype))
      throw new Error(`tensor "${name}" in ${this.path} has dtype ${e.dtype}, which is not supported (supported: ${SUPPORTED_DTYPES.join(', ')}); convert the checkpoint to F32 or F16`);
    const count = e.shape.reduce((x, y) => x * y, 1);
    return decodeToFloat32(this.readBytes(e.begin, e.end - e.begin), e.dtype, count);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
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
      if (values.length !== expected) throw new Error(`writeSafetensors: tensor "${t.name}" has ${values.length} values but shape [${t.shape.join(', ')}] needs ${expected}`);
      writer.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
