// One build recipe for every package and app: ESM + CJS + .d.ts from src/index.ts.
import { defineConfig } from 'tsup';

export function packageConfig(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'node20',
    sourcemap: true,
    clean: true,
    splitting: false,
    // The editor path aliases point at other packages' sources; declarations must
    // reference those packages by name instead, so the aliases are dropped here.
    dts: { compilerOptions: { paths: {} } },
    ...overrides,
  });
}
