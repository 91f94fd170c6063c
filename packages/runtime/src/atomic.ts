import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file being written under a temporary name; it appears at its real path only on commit. */
export interface AtomicWriter {
  readonly path: string;
  write(chunk: Uint8Array | string): void;
  /** Flushes to disk and renames into place. */
  commit(): void;
  /** Removes the temporary file; the real path is left as it was. */
  abort(): void;
}

/**
 * Opens `path` for writing through a temporary file in the same folder, so a crash or an
 * error never leaves a half-written file at `path` (rename is atomic on one filesystem).
 */
export function openAtomic(path: string): AtomicWriter {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w');
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    path,
    write(chunk) {
      if (!open) throw new Error(`write to ${path} after commit/abort`);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    },
    commit() {
      if (!open) throw new Error(`commit of ${path} after commit/abort`);
      fsyncSync(fd);
      close();
      renameSync(tmp, path);
    },
    abort() {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

/** Writes a whole file atomically. */
export function writeFileAtomic(path: string, data: Uint8Array | string | ReadonlyArray<Uint8Array>): void {
  const w = openAtomic(path);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) w.write(data);
    else for (const chunk of data) w.write(chunk);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/** Writes JSON (two-space indented, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
