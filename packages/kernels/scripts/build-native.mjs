// Compiles the native addon with node-gyp (the package's own devDependency). A machine
// without a C++ toolchain still gets a working package: the build warns and succeeds, and
// initBackend skips 'hotplug-cpu' at run time with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (process.env.HOTPLUG_SKIP_NATIVE_BUILD === '1') {
  console.warn('[@hotplug/kernels] HOTPLUG_SKIP_NATIVE_BUILD=1: native addon not built; the hotplug-cpu backend will be skipped');
  process.exit(0);
}

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  console.warn('[@hotplug/kernels] node-gyp is not installed: native addon not built; the hotplug-cpu backend will be skipped');
  process.exit(0);
}

// node-gyp needs Node's headers. npm passes its `nodedir` config as npm_config_nodedir; when
// run some other way, use the headers installed next to this node binary rather than let
// node-gyp try to download them.
const nodedir = [];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) nodedir.push(`--nodedir=${prefix}`);

// Other projects' builds (nx builds dependencies first) may build this package while tests
// load the addon: take a lock, and build incrementally (configure only when binding.gyp is
// newer than the Makefile) instead of `rebuild`, which deletes build/ first.
mkdirSync(join(packageRoot, 'build'), { recursive: true });
const lock = join(packageRoot, 'build', '.native-build.lock');
const waitUntil = Date.now() + 180_000;
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    const stale = existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000;
    if (stale) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > waitUntil) {
      console.warn(`[@hotplug/kernels] WARNING: another native build holds ${lock}; not building`);
      process.exit(0);
    } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}

function nodeGypRun(command) {
  return spawnSync(process.execPath, [nodeGyp, command, ...nodedir, ...(command === 'build' ? ['--jobs', 'max'] : [])], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

const started = Date.now();
let result;
try {
  const makefile = join(packageRoot, 'build', 'Makefile');
  const needsConfigure = !existsSync(makefile) || statSync(join(packageRoot, 'binding.gyp')).mtimeMs > statSync(makefile).mtimeMs;
  result = needsConfigure ? nodeGypRun('configure') : { status: 0 };
  if (result.status === 0) result = nodeGypRun('build');
} finally {
  rmSync(lock, { recursive: true, force: true });
}
if (result.status !== 0) {
  const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  console.warn(`[@hotplug/kernels] WARNING: the native addon failed to compile; tfjs will fall back to the wasm backend.\n${tail}`);
  process.exit(0);
}
console.log(`[@hotplug/kernels] native addon built in ${((Date.now() - started) / 1000).toFixed(1)} s: build/Release/hotplug_kernels.node`);
