import { Rng, sha256 } from '@hotplug/runtime';

/**
 * The sample indices of every step, derived from (seed, epoch) alone, so a run resumed at
 * step s sees exactly the batches an uninterrupted run would: epoch e is a permutation
 * drawn from Rng(`${seed}/epoch/${e}`), cut into full batches (the tail is dropped).
 */
export class StepSampler {
  readonly batchesPerEpoch: number;
  private cachedEpoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(
    readonly size: number,
    readonly batchSize: number,
    readonly seed: number | string,
  ) {
    if (!(batchSize > 0) || size < batchSize) throw new Error(`StepSampler needs 0 < batchSize (${batchSize}) <= dataset size (${size}); lower the batch size`);
    this.batchesPerEpoch = Math.floor(size / batchSize);
  }

  /**
   * What decides the batch order, for a checkpoint's run record: a resumed run must see the
   * same order (dataset size, batch size, seed, and the first batch as drawn by this Rng).
   */
  fingerprint(): { size: number; batchSize: number; seed: number | string; firstBatch: string } {
    return { size: this.size, batchSize: this.batchSize, seed: this.seed, firstBatch: sha256(new Uint8Array(this.batch(0).buffer)) };
  }

  /** Indices of the batch used at a 0-based step. */
  batch(step: number): Int32Array {
    const epoch = Math.floor(step / this.batchesPerEpoch);
    if (epoch !== this.cachedEpoch) {
      this.order = new Rng(`${this.seed}/epoch/${epoch}`).permutation(this.size);
      this.cachedEpoch = epoch;
    }
    const start = (step % this.batchesPerEpoch) * this.batchSize;
    return this.order.slice(start, start + this.batchSize);
  }
}
