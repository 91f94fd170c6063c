// One build recipe for every package and app: ESM + CJS + .d.ts from src/index.ts.
import { defineConfig } from 'tsup';

// Never bundled, deep imports included ('@tensorflow/tfjs-core/dist/...'): these hold global
// state (tfjs' engine and registries) or native binaries, so CommonJS and ESM users must share
// the one installed copy. tsup externalises declared dependencies by name only.
export const ALWAYS_EXTERNAL = [/^@tensorflow\//, /^onnxruntime-node(\/|$)/, /^@lancedb\//, /^apache-arrow(\/|$)/];

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
    external: [...ALWAYS_EXTERNAL, ...(overrides.external ?? [])],
  });
}
