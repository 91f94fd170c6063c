import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEntryPoint } from '../src/index';

describe('isEntryPoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotplug-cli-entry-'));
  const script = join(dir, 'app.mjs');
  writeFileSync(script, '');
  const link = join(dir, 'hotplug-app');
  symlinkSync(script, link);
  const url = pathToFileURL(script).href;

  it('is true for the script node was started with, also through a bin symlink', () => {
    expect(isEntryPoint(url, ['node', script])).toBe(true);
    expect(isEntryPoint(url, ['node', link])).toBe(true);
  });

  it('is false for another script, no script, or a path that does not exist', () => {
    const other = join(dir, 'other.mjs');
    writeFileSync(other, '');
    expect(isEntryPoint(url, ['node', other])).toBe(false);
    expect(isEntryPoint(url, ['node'])).toBe(false);
    expect(isEntryPoint(url, ['node', join(dir, 'missing.mjs')])).toBe(false);
    expect(isEntryPoint(pathToFileURL(join(dir, 'gone.mjs')).href, ['node', script])).toBe(false);
  });
});
