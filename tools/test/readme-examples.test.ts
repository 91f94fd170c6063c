// Every package's README example is a tested file: examples/readme.mjs, its CommonJS twin made
// from it, and the README block showing it verbatim (tools/pack-install.mjs runs both files in a
// clean install; tools/tsconfig.examples.json type-checks them against the packages' d.ts).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, packageDirs, sync, toCommonJs, withExample } from '../readme-examples.mjs';

describe('README examples', () => {
  it('exist for every package, with readme.cjs made from readme.mjs and the README showing it verbatim', () => {
    expect(packageDirs().length).toBeGreaterThanOrEqual(13);
    expect(sync({ write: false })).toEqual([]);
  });

  it.each(packageDirs().map((d) => [basename(d), d]))('%s: the example imports the package by its name and checks its result', (name, dir) => {
    const esm = readFileSync(join(dir, 'examples', 'readme.mjs'), 'utf8');
    expect(esm.startsWith('// @ts-check\n')).toBe(true);
    expect(esm).toContain(`from '@hotplug/${name}';`);
    expect(esm).toMatch(/\bassert\./);
    expect(esm).toContain(`${name} README example (ESM)`);
  });

  it('turns imports into requires inside an async function, and would notice a changed block', () => {
    const cjs = toCommonJs(
      "// @ts-check\n// what it does\nimport assert from 'node:assert/strict';\nimport * as tf from '@tensorflow/tfjs-core';\nimport { a, b } from '@hotplug/x';\n\nawait a();\nconsole.log('x README example (ESM)');\n",
    );
    expect(cjs).toBe(
      "// @ts-check\n// what it does\nconst assert = require('node:assert/strict');\nconst tf = require('@tensorflow/tfjs-core');\nconst { a, b } = require('@hotplug/x');\n\n(async () => {\n  await a();\n  console.log('x README example (CommonJS)');\n})().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n",
    );
    const readme = `# x\n\nintro\n\n${MARKER}\n\n\`\`\`js\nold();\n\`\`\`\n\nmore\n\n\`\`\`sh\nkeep\n\`\`\`\n`;
    const updated = withExample(readme, 'fresh();\n');
    expect(updated).toBe(`# x\n\nintro\n\n${MARKER}\n\n\`\`\`js\nfresh();\n\`\`\`\n\nmore\n\n\`\`\`sh\nkeep\n\`\`\`\n`);
    expect(updated).not.toContain(`\`\`\`js\nold();`);
    // Without the marker, the first code block is the one replaced.
    expect(withExample('# x\n\n```ts\nold();\n```\n\n```sh\nkeep\n```\n', 'fresh();\n')).toBe(
      `# x\n\n${MARKER}\n\n\`\`\`js\nfresh();\n\`\`\`\n\n\`\`\`sh\nkeep\n\`\`\`\n`,
    );
  });
});
