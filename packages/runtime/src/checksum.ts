import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';

/** SHA-256 of bytes, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file, hex, read whole (for small files). */
export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** SHA-256 of a file, hex, streamed (for large files). */
export async function sha256FileStreamed(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
