#!/usr/bin/env node
// Keeps every package's README example one tested file: packages/<name>/examples/readme.mjs is
// the source; readme.cjs is made from it (the same code under CommonJS) and the README's main
// code block is its text, verbatim, after the marker line. tools/pack-install.mjs runs both files
// in a clean install; tools/test/readme-examples.test.ts fails when anything here is out of date.
//
//   node tools/readme-examples.mjs          write readme.cjs and the README blocks
//   node tools/readme-examples.mjs --check  exit 1 listing what is out of date
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
export const MARKER =
  '<!-- The example below is examples/readme.mjs (readme.cjs is the same under CommonJS), run in CI by tools/pack-install.mjs in a clean install; edit that file, then run node tools/readme-examples.mjs -->';

/** Package folders (absolute) that have a package.json. */
export function packageDirs() {
  return readdirSync(join(root, 'packages'))
    .map((d) => join(root, 'packages', d))
    .filter((d) => existsSync(join(d, 'package.json')));
}

const IMPORT = /^import\s+([\s\S]+?)\s+from\s+'([^']+)';\n/;

/**
 * The ESM example as CommonJS: its leading comments, one `require` per import, and the rest
 * inside an async function (CommonJS has no top-level await) whose failure exits 1.
 */
export function toCommonJs(esm) {
  let rest = esm;
  let head = '';
  while (rest.startsWith('//')) {
    const end = rest.indexOf('\n') + 1;
    head += rest.slice(0, end);
    rest = rest.slice(end);
  }
  const requires = [];
  for (let m = IMPORT.exec(rest); m; m = IMPORT.exec(rest)) {
    const [whole, what, from] = m;
    const binding = what.startsWith('* as ') ? what.slice(5) : what; // namespace, default or { named }
    requires.push(`const ${binding} = require('${from}');`);
    rest = rest.slice(whole.length);
  }
  if (requires.length === 0) throw new Error('the example has no import at its top');
  const body = rest.replaceAll('(ESM)', '(CommonJS)');
  const code = `${head}${requires.join('\n')}\n\n(async () => {\n${body}})().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n`;
  // The repository's formatter decides the layout, so the file passes `biome check` as written.
  return execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--stdin-file-path=readme.cjs'], { cwd: root, input: code, encoding: 'utf8' });
}

/** The README with its example block replaced by `esm` (the block after MARKER, or else the first code block). */
export function withExample(readme, esm) {
  const block = `${MARKER}\n\n\`\`\`js\n${esm}\`\`\`\n`;
  const at = readme.indexOf(MARKER);
  const start = at >= 0 ? at : readme.indexOf('\n```') + 1;
  if (start <= 0) throw new Error('the README has no code block to replace');
  const fence = readme.indexOf('```', start);
  const end = readme.indexOf('\n```', readme.indexOf('\n', fence)) + 5;
  return readme.slice(0, start) + block + readme.slice(end);
}

/** What is out of date, as messages; with write, fixes it. */
export function sync({ write = false } = {}) {
  const problems = [];
  for (const dir of packageDirs()) {
    const name = dir.slice(root.length + 1);
    const mjsFile = join(dir, 'examples', 'readme.mjs');
    if (!existsSync(mjsFile)) {
      problems.push(`${name}: no examples/readme.mjs`);
      continue;
    }
    const esm = readFileSync(mjsFile, 'utf8');
    const cjsFile = join(dir, 'examples', 'readme.cjs');
    const cjs = toCommonJs(esm);
    if (!existsSync(cjsFile) || readFileSync(cjsFile, 'utf8') !== cjs) {
      problems.push(`${name}: examples/readme.cjs is not examples/readme.mjs under CommonJS`);
      if (write) writeFileSync(cjsFile, cjs);
    }
    const readmeFile = join(dir, 'README.md');
    const readme = readFileSync(readmeFile, 'utf8');
    if (!readme.includes(`${MARKER}\n\n\`\`\`js\n${esm}\`\`\`\n`)) {
      problems.push(`${name}: README.md does not show examples/readme.mjs verbatim after the marker`);
      if (write) writeFileSync(readmeFile, withExample(readme, esm));
    }
  }
  return problems;
}

if (process.argv[1] === import.meta.filename) {
  const check = process.argv.includes('--check');
  const problems = sync({ write: !check });
  for (const p of problems) console.log(`${check ? 'out of date' : 'updated'}: ${p}`);
  if (check && problems.length) {
    console.log('run: node tools/readme-examples.mjs');
    process.exit(1);
  }
}
