import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli';

describe('hotplug-pretrain command line', () => {
  it('follows the shared convention: --help and --version exit 0, argument errors exit 2 before any backend starts', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(await main(['--version'])).toBe(0);
      expect(await main(['train', '--model', 'no-such-recipe'])).toBe(2);
      expect(await main(['train', '--steps', '0'])).toBe(2);
      expect(await main(['all', '--model', 'old', '--corpus', 'pictures'])).toBe(2);
      const empty = mkdtempSync(join(tmpdir(), 'hotplug-pretrain-cli-'));
      expect(await main(['evaluate', '--models', empty])).toBe(2);
      const lines = err.mock.calls.map((c) => String(c[0])).join('\n');
      expect(lines).toMatch(/no-such-recipe" has no recipe; known: .*new-lineage/);
      expect(lines).toMatch(/no model folder old\//);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
