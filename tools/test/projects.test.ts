// Repository-wide checks: every package is a working, self-contained unit that a
// plain Node script can import from its built output, ESM and CJS alike.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const projectDirs = (group: string) =>
  readdirSync(join(root, group))
    .map((d) => join(root, group, d))
    .filter((d) => existsSync(join(d, 'package.json')));
const packages = projectDirs('packages');
const apps = projectDirs('apps');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

describe('workspace layout', () => {
  it('has the packages and apps of DESIGN.md', () => {
    const names = packages.map((d) => relative(join(root, 'packages'), d));
    for (const n of ['kernels', 'backbones', 'data', 'taca', 'contcoop', 'heads', 'bench']) expect(names).toContain(n);
    const appNames = apps.map((d) => relative(join(root, 'apps'), d));
    for (const n of ['pretrain', 'taca', 'contcoop', 'bench']) expect(appNames).toContain(n);
  });

  it.each([...packages, ...apps].map((d) => [relative(root, d), d]))('%s never imports another project by relative path', (_name, dir) => {
    for (const file of [...sourceFiles(join(dir, 'src')), ...sourceFiles(join(dir, 'test'))]) {
      const text = readFileSync(file, 'utf8');
      // A relative import must stay inside the project (or reach the shared tools/ presets);
      // other projects are imported by their package name, and never their src/.
      const offenders = [...text.matchAll(/from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
        .map((m) => (m[1] ?? m[2])!)
        .filter((spec) => {
          if (/^@hotplug\/[^/]+\/src/.test(spec)) return true;
          if (!spec.startsWith('.')) return false;
          const target = resolve(dirname(file), spec);
          return !target.startsWith(dir + sep) && !target.startsWith(join(root, 'tools') + sep);
        });
      expect(offenders, `${relative(root, file)} reaches into another project`).toEqual([]);
    }
  });

  it.each(apps.map((d) => [relative(root, d), d]))('%s is private', (_name, dir) => {
    expect(readJson(join(dir, 'package.json')).private).toBe(true);
  });
});

describe.each(packages.map((d) => [readJson(join(d, 'package.json')).name as string, d]))('%s', (name, dir) => {
  const pkg = readJson(join(dir, 'package.json'));

  it('is named after its folder and documents itself', () => {
    expect(name).toBe(`@hotplug/${relative(join(root, 'packages'), dir)}`);
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    expect(pkg.private).not.toBe(true);
  });

  it('declares ESM, CJS and types in its exports map, and all three were built', () => {
    const entry = pkg.exports['.'];
    for (const file of [entry.import.default, entry.import.types, entry.require.default, entry.require.types]) {
      expect(existsSync(join(dir, file)), `${name}: ${file} missing; run npm run build`).toBe(true);
    }
  });

  it('imports from a plain Node script, ESM and CJS giving the same API', () => {
    const keys = (code: string, type: 'module' | 'commonjs') =>
      JSON.parse(
        execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: root, encoding: 'utf8' })
          .trim()
          .split('\n')
          .pop()!,
      );
    const esm = keys(`const m = await import('${name}'); console.log(JSON.stringify(Object.keys(m).filter(k => k !== 'default').sort()))`, 'module');
    const cjs = keys(`const m = require('${name}'); console.log(JSON.stringify(Object.keys(m).sort()))`, 'commonjs');
    expect(esm).toEqual(cjs);
  });
});
