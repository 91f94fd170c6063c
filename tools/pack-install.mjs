#!/usr/bin/env node
// Installs each package the way a user would: `npm pack` every package, then for each one a
// clean folder outside the repository, a plain `npm install` of its tarball and the tarballs
// of the @hotplug packages it depends on (no flags, none of the repository's .npmrc or
// environment), and a check that it loads under ESM and CommonJS with the same API. If the
// package has examples/readme.mjs and examples/readme.cjs, they run there too.
//
//   node tools/pack-install.mjs [name ...] [--keep] [--json FILE]
//
// Prints one line per package (install exit code, seconds, installed size) and exits 1 if any
// step failed. Packages are built beforehand (npm run build); packing does not build.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : null;
const wanted = args.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));

const packages = new Map(
  readdirSync(join(root, 'packages'))
    .filter((d) => existsSync(join(root, 'packages', d, 'package.json')))
    .map((d) => {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8'));
      return [pkg.name, { dir: join(root, 'packages', d), pkg }];
    }),
);
const names = wanted.length ? wanted.map((n) => (n.startsWith('@') ? n : `@hotplug/${n}`)) : [...packages.keys()];
for (const n of names) if (!packages.has(n)) throw new Error(`unknown package ${n}; known: ${[...packages.keys()].join(', ')}`);

// A user's environment: nothing npm-related inherited from this process (npm run sets many
// npm_config_* variables, the repository's .npmrc among them) and no ONNXRUNTIME_NODE_INSTALL.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^NPM_|^ONNXRUNTIME_NODE_INSTALL|^INIT_CWD$/i.test(k)));

/** @hotplug dependencies a user's install pulls in: dependencies and required peers, transitively. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const { pkg } = packages.get(name);
  const optional = pkg.peerDependenciesMeta ?? {};
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}).filter((p) => !optional[p]?.optional)];
  for (const d of deps) if (packages.has(d)) closure(d, seen);
  return seen;
}

const work = mkdtempSync(join(tmpdir(), 'hotplug-pack-install-'));
const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
const needed = [...new Set(names.flatMap((n) => [...closure(n)]))];
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', tarDir, ...needed.flatMap((n) => ['-w', n])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
const tarball = new Map(packed.map((p) => [p.name, join(tarDir, p.filename)]));

function checkLicense(name) {
  const files = packed.find((p) => p.name === name).files.map((f) => f.path);
  const problems = [];
  if (!files.includes('LICENSE')) problems.push('no LICENSE in the tarball');
  if (files.includes('binding.gyp') && packages.get(name).pkg.gypfile !== false)
    problems.push('ships binding.gyp without "gypfile": false (npm would run node-gyp rebuild)');
  return problems;
}

const results = [];
for (const name of names) {
  const dir = join(work, name.replace('@hotplug/', ''));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }, null, 2));
  const tarballs = [...closure(name)].map((n) => tarball.get(n));
  const t0 = Date.now();
  const install = spawnSync('npm', ['install', ...tarballs], { cwd: dir, env, encoding: 'utf8' });
  const seconds = (Date.now() - t0) / 1000;
  const result = { name, installExit: install.status, seconds, problems: checkLicense(name) };
  if (install.status !== 0)
    result.problems.push(`npm install exited ${install.status}: ${(install.stderr || install.stdout).trim().split('\n').slice(-6).join(' | ')}`);
  else {
    result.sizeKiB = Number(execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0]);
    // Same API from import and require, in a plain Node process of the user's folder.
    const keys = (type, code) => {
      const r = spawnSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${type}: ${r.stderr.trim().split('\n').slice(0, 4).join(' | ')}`);
      return r.stdout.trim().split('\n').pop();
    };
    try {
      const esm = keys('module', `const m = await import('${name}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`);
      const cjs = keys('commonjs', `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`);
      if (esm !== cjs) result.problems.push('ESM and CommonJS exports differ');
    } catch (error) {
      result.problems.push(`does not load: ${error.message}`);
    }
    // The package's README example, as files of its own, run from the user's folder.
    for (const example of ['readme.mjs', 'readme.cjs']) {
      const file = join(packages.get(name).dir, 'examples', example);
      if (!existsSync(file)) continue;
      cpSync(file, join(dir, example));
      const r = spawnSync(process.execPath, [example], { cwd: dir, env, encoding: 'utf8' });
      result.examples ??= {};
      result.examples[example] = r.status;
      if (r.status !== 0) result.problems.push(`${example} exited ${r.status}: ${r.stderr.trim().split('\n').slice(0, 4).join(' | ')}`);
    }
  }
  results.push(result);
  const size = result.sizeKiB === undefined ? '-' : `${(result.sizeKiB / 1024).toFixed(1)} MiB`;
  console.log(
    `${name}: npm install exit ${result.installExit} in ${seconds.toFixed(1)} s, node_modules ${size}${result.problems.length ? `; PROBLEMS: ${result.problems.join('; ')}` : ''}`,
  );
}

if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(results.every((r) => r.problems.length === 0) ? 0 : 1);
