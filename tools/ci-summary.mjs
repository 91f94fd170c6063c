#!/usr/bin/env node
// Adds up the per-project vitest JSON reports into one closing line for CI.
// Exits non-zero when a test failed or a project that has tests wrote no report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reportDir = join(root, 'reports', 'vitest');
const projects = ['packages', 'apps']
  .flatMap((g) => readdirSync(join(root, g)).map((d) => join(root, g, d)))
  .concat([join(root, 'tools')])
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')))
  .filter((p) => p.scripts?.test)
  .map((p) => p.name.replace(/^@hotplug\//, ''));

let passed = 0,
  failed = 0,
  skipped = 0;
const missing = [];
for (const name of projects) {
  const file = join(reportDir, `${name}.json`);
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) failed += r.numFailedTestSuites; // a suite that failed to load
}
if (missing.length) console.log(`no test report from: ${missing.join(', ')} (the project's test run crashed or never started)`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
