#!/usr/bin/env node
// Installs each package the way a user would: `npm pack` every package, then for each one a
// clean folder outside the repository, a plain `npm install` of its tarball and the tarballs
// of the @hotplug packages it depends on (no flags, none of the repository's .npmrc or
// environment), and a check that it loads under ESM and CommonJS with the same API. Then the
// package's README example, examples/readme.mjs and examples/readme.cjs, runs there; an example
// that needs more than the package says so in a line `// Installed with: npm install A B ...`,
// and those packages are installed with it (@hotplug ones from their tarballs).
//
//   node tools/pack-install.mjs [name ...] [--keep] [--json FILE]
//
// Prints one line per package (install exit code, seconds, installed size, the largest installed
// packages, the examples' exit codes and seconds), writes those figures to FILE as JSON, and
// exits 1 if any step failed. Packages are built beforehand (npm run build); packing does not build.
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
/** What a package's README example installs besides the package: its `// Installed with: npm install ...` line. */
function exampleNeeds(name) {
  const file = join(packages.get(name).dir, 'examples', 'readme.mjs');
  const line = existsSync(file) ? /^\/\/ Installed with: npm install (.+)$/m.exec(readFileSync(file, 'utf8')) : null;
  return line ? line[1].trim().split(/\s+/) : [name];
}

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
/** The tarballs (of @hotplug packages) and registry specs one package's folder installs. */
function installSet(name) {
  const wantedHere = [...new Set([name, ...exampleNeeds(name)])];
  const local = new Set(wantedHere.filter((n) => packages.has(n)).flatMap((n) => [...closure(n)]));
  return { local: [...local], registry: wantedHere.filter((n) => !packages.has(n)) };
}
const needed = [...new Set(names.flatMap((n) => installSet(n).local))];
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

// A README example is meant to take seconds; a hung one fails the package instead of the CI job.
const EXAMPLE_TIMEOUT_MS = 120_000;

/** The n largest installed packages (scoped ones counted one by one), in KiB, largest first. */
function largestPackages(nodeModules, n) {
  const dirs = readdirSync(nodeModules)
    .filter((d) => !d.startsWith('.'))
    .flatMap((d) => (d.startsWith('@') ? readdirSync(join(nodeModules, d)).map((s) => `${d}/${s}`) : [d]));
  if (dirs.length === 0) return [];
  const du = execFileSync('du', ['-sk', ...dirs], { cwd: nodeModules, encoding: 'utf8' });
  return du
    .trim()
    .split('\n')
    .map((line) => {
      const [kib, name] = line.split('\t');
      return { name, sizeKiB: Number(kib) };
    })
    .sort((a, b) => b.sizeKiB - a.sizeKiB)
    .slice(0, n);
}

const results = [];
for (const name of names) {
  const dir = join(work, name.replace('@hotplug/', ''));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }, null, 2));
  const { local, registry } = installSet(name);
  const t0 = Date.now();
  const install = spawnSync('npm', ['install', ...local.map((n) => tarball.get(n)), ...registry], { cwd: dir, env, encoding: 'utf8' });
  const seconds = (Date.now() - t0) / 1000;
  const { size: tarballBytes, unpackedSize, entryCount } = packed.find((p) => p.name === name);
  const result = {
    name,
    installed: [...local, ...registry],
    installExit: install.status,
    seconds,
    tarballKiB: Math.round(tarballBytes / 1024),
    unpackedKiB: Math.round(unpackedSize / 1024),
    tarballFiles: entryCount,
    problems: checkLicense(name),
  };
  if (install.status !== 0)
    result.problems.push(`npm install exited ${install.status}: ${(install.stderr || install.stdout).trim().split('\n').slice(-6).join(' | ')}`);
  else {
    result.sizeKiB = Number(execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0]);
    result.largest = largestPackages(join(dir, 'node_modules'), 4);
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
      const e0 = Date.now();
      const r = spawnSync(process.execPath, [example], { cwd: dir, env, encoding: 'utf8', timeout: EXAMPLE_TIMEOUT_MS });
      result.examples ??= {};
      result.examples[example] = { exit: r.status, seconds: (Date.now() - e0) / 1000, said: r.stdout.trim().split('\n').pop() ?? '' };
      if (r.status !== 0)
        result.problems.push(
          `${example} ${r.status === null ? `was killed (${r.signal}; limit ${EXAMPLE_TIMEOUT_MS / 1000} s)` : `exited ${r.status}`}: ${r.stderr.trim().split('\n').slice(0, 4).join(' | ')}`,
        );
    }
  }
  results.push(result);
  const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
  const size = result.sizeKiB === undefined ? '-' : mib(result.sizeKiB);
  const largest = result.largest ? ` (largest: ${result.largest.map((p) => `${p.name} ${mib(p.sizeKiB)}`).join(', ')})` : '';
  const examples = result.examples
    ? `; examples ${Object.entries(result.examples)
        .map(([f, e]) => `${f} exit ${e.exit} in ${e.seconds.toFixed(1)} s`)
        .join(', ')}`
    : '';
  console.log(
    `${name}: npm install exit ${result.installExit} in ${seconds.toFixed(1)} s, node_modules ${size}${largest}, tarball ${mib(result.tarballKiB)}${examples}${result.problems.length ? `; PROBLEMS: ${result.problems.join('; ')}` : ''}`,
  );
}

if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2));
if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(results.every((r) => r.problems.length === 0) ? 0 : 1);
