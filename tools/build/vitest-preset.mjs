// One test recipe for every project: vitest, plus a JSON report per project that
// .ci/run adds up into its closing "N passed, N failed" line.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';

function workspaceRoot(from) {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no nx.json above ${from}: run tests from inside the hotplug workspace`);
    dir = up;
  }
  return dir;
}

export function projectConfig(overrides = {}) {
  const root = process.cwd();
  const name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name.replace(/^@hotplug\//, '');
  const { test = {}, ...rest } = overrides;
  return defineConfig({
    ...rest,
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      reporters: ['default', 'json'],
      outputFile: { json: join(workspaceRoot(root), 'reports', 'vitest', `${name}.json`) },
      ...test,
    },
  });
}
