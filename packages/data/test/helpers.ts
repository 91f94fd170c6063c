import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const REFERENCE = join(dirname(fileURLToPath(import.meta.url)), 'reference');

/** Values the fixture generator (tools/fixtures/data/make_fixtures.py) computed independently. */
export const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `hotplug-data-${label}-`));
}

/**
 * The project's backend when @hotplug/kernels exports initBackend; until then tfjs's plain
 * cpu backend (a dependency of @hotplug/kernels).
 */
export async function initTestBackend(): Promise<void> {
  const kernels = (await import('@hotplug/kernels')) as Record<string, unknown>;
  if (typeof kernels.initBackend === 'function') {
    await (kernels.initBackend as () => Promise<unknown>)();
    return;
  }
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
}
