import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV, NATIVE_ENV, availableBackends, initBackend } from '../src/index';

const quiet = { log: () => {} };

afterEach(() => {
  delete process.env[BACKEND_ENV];
  delete process.env[NATIVE_ENV];
});

describe('initBackend', () => {
  it('takes the first available backend in order and says why the better ones were skipped', async () => {
    const lines: string[] = [];
    const available = await availableBackends();
    const report = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(report.name).toBe(available[0]);
    expect(tf.getBackend()).toBe(report.tfBackend);
    // tfjs-node(-gpu) cannot be installed on this machine: both must be skipped with a reason.
    expect(report.skipped.map((s) => s.name).slice(0, 2)).toEqual(['node-gpu', 'node']);
    for (const [i, pkg] of ['tfjs-node-gpu', 'tfjs-node'].entries()) {
      expect(report.skipped[i].reason).toMatch(new RegExp(`@tensorflow/${pkg} (is not installed|is installed without its native binding|cannot be loaded)`));
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`backend ${report.name}`);
    expect(lines[0]).toContain('skipped node-gpu');
  });

  it('returns the same report on a second call with the same preference', async () => {
    const first = await initBackend(undefined, quiet);
    const second = await initBackend('auto', quiet);
    expect(second).toBe(first);
  });

  it('forces a backend by option and by environment variable', async () => {
    const byOption = await initBackend('cpu', quiet);
    expect(byOption).toMatchObject({ name: 'cpu', tfBackend: 'cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    process.env[BACKEND_ENV] = 'wasm';
    const byEnv = await initBackend(undefined, quiet);
    expect(byEnv.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('explains an unavailable forced backend and lists what is available', async () => {
    await expect(initBackend('node', quiet)).rejects.toThrow(
      /backend 'node' .* is unavailable: @tensorflow\/tfjs-node (is not|is installed without|cannot).*Available here: .*wasm, cpu/,
    );
    await expect(initBackend('node-gpu', quiet)).rejects.toThrow(/backend 'node-gpu' .* is unavailable: @tensorflow\/tfjs-node-gpu /);
  });

  it('rejects unknown names from the option and the environment', async () => {
    await expect(initBackend('tpu' as never, quiet)).rejects.toThrow(/unknown backend 'tpu'; expected one of node-gpu, node, hotplug-cpu, wasm, cpu/);
    process.env[BACKEND_ENV] = 'gpu';
    await expect(initBackend(undefined, quiet)).rejects.toThrow(/HOTPLUG_BACKEND=gpu: unknown backend 'gpu'/);
  });

  it('falls back past the native backend when it is disabled', async () => {
    process.env[NATIVE_ENV] = 'off';
    const report = await initBackend('auto', quiet);
    expect(report.name).toBe('wasm');
    expect(report.skipped.find((s) => s.name === 'hotplug-cpu')?.reason).toMatch(/disabled by HOTPLUG_NATIVE=off/);
  });

  it('has the native backend wherever a C++ toolchain exists (the build compiled it)', async () => {
    const hasCompiler = spawnSync('g++', ['--version']).status === 0 && spawnSync('make', ['--version']).status === 0;
    if (!hasCompiler) return; // no toolchain: the build warned and hotplug-cpu is skipped by design
    const report = await initBackend('hotplug-cpu', quiet);
    expect(report).toMatchObject({ name: 'hotplug-cpu', tfBackend: 'hotplug-cpu', skipped: [] });
    expect(report.threads).toBeGreaterThanOrEqual(1);
    expect(['avx512f', 'avx2-fma', 'generic']).toContain(report.simd);
  });
});
