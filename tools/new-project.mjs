#!/usr/bin/env node
// Creates a package (packages/NAME, published as @hotplug/NAME) or an app
// (apps/NAME, private, @hotplug/app-NAME) with the layout every project shares.
// Usage: node tools/new-project.mjs package|app NAME "one-line description"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [kind, name, description = ''] = process.argv.slice(2);
if (!['package', 'app'].includes(kind) || !/^[a-z][a-z0-9-]*$/.test(name ?? '')) {
  console.error('usage: node tools/new-project.mjs package|app NAME "description" (NAME: lower-case letters, digits, dashes)');
  process.exit(2);
}
const dir = join(kind === 'app' ? 'apps' : 'packages', name);
if (existsSync(dir)) {
  console.error(`${dir} exists already; pick another name or edit it in place`);
  process.exit(2);
}
const fullName = kind === 'app' ? `@hotplug/app-${name}` : `@hotplug/${name}`;
const write = (file, text) => {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), text);
};
const pkg = {
  name: fullName,
  version: '0.0.0',
  description,
  license: 'MIT',
  type: 'module',
  ...(kind === 'app' ? { private: true, bin: { [`hotplug-${name}`]: './dist/index.js' } } : {}),
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md'],
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    lint: 'tsc --noEmit -p tsconfig.json',
    ...(kind === 'app' ? { start: 'node dist/index.js' } : {}),
  },
  dependencies: {},
};
write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
write('tsconfig.json', `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test'] }, null, 2)}\n`);
write('tsup.config.ts', "import { packageConfig } from '../../tools/build/tsup-preset.mjs';\n\nexport default packageConfig();\n");
write('vitest.config.ts', "import { projectConfig } from '../../tools/build/vitest-preset.mjs';\n\nexport default projectConfig();\n");
write('src/index.ts', `// Public API of ${fullName}: everything a user may import is exported here.\nexport {};\n`);
write('README.md', `# ${fullName}\n\n${description}\n`);
console.log(`created ${dir} (${fullName}); add src/, test/ and a README example, then a changeset: npx changeset`);
