import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file being written under a temporary name; it appears at its real path only on commit. */
export interface AtomicWriter {
  readonly path: string;
  write(chunk: Uint8Array | string): void;
  /** Flushes to disk, renames into place and fsyncs the folder (so the rename itself survives a power cut). */
  commit(): void;
  /** Removes the temporary file; the real path is left as it was. */
  abort(): void;
}

/** `.<name>.<pid>.<8 hex>.tmp`: the temporary name openAtomic gives a file being written. */
const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A temporary file older than this whose writer may still be alive is left alone (it may be mid-write). */
const STALE_MS = 10 * 60 * 1000;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of atomic writes that were killed before commit or abort:
 * those whose writing process is gone, or (pid reused) that are older than ten minutes.
 * Returns the names removed. Called by openAtomic on the folder it writes into.
 */
export function removeOrphanedTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const now = Date.now();
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    const path = join(dir, name);
    try {
      const alive = processAlive(pid);
      if (alive && (pid === process.pid || now - statSync(path).mtimeMs < STALE_MS)) continue;
      rmSync(path, { force: true });
      removed.push(name);
    } catch {
      // Raced with another cleaner or the writer itself: nothing to do.
    }
  }
  return removed;
}

/** fsync of a folder, so a rename inside it is on disk; not every platform allows opening a folder. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Windows cannot open folders; some filesystems refuse fsync on them. Both are not errors of the write.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Opens `path` for writing through a temporary file in the same folder, so a crash or an
 * error never leaves a half-written file at `path` (rename is atomic on one filesystem).
 * Temporary files that earlier killed writers left in that folder are removed first.
 */
export function openAtomic(path: string): AtomicWriter {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeOrphanedTempFiles(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
      fsyncDir(dir);
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
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
