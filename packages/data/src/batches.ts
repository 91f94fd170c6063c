import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@hotplug/runtime';
import { applyStepsTf, bytesToTensor, type BatchTransform, type TransformSpec } from './transforms';
import { compilePlan, type BatchShape, type TransformStep } from './transform-plan';
import { PREFETCH_WORKER_SOURCE, type WorkerReply } from './prefetch-worker';

/** Anything with images of one size: an ImageDataset, a CaptionCorpus, a subset of either. */
export interface BatchSource {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly images: Uint8Array;
  readonly labels?: Int32Array;
  readonly captions?: readonly string[];
}

export interface BatchOptions {
  batchSize: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the order and of random transforms (default 0). */
  seed?: number;
  /** Pipeline applied to each batch after scaling bytes to [0, 1] (default: none). */
  transform?: readonly TransformSpec[] | BatchTransform;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Batches prepared ahead of the one being consumed (default 1; 0 = none). */
  prefetch?: number;
  /** Passes over the data (default 1). */
  epochs?: number;
  /**
   * Build batches on a worker thread (default false): gathering and the planned transforms
   * run there in plain JavaScript while the main thread trains, even when training never
   * yields to the event loop. Needs `transform` as specs, not a function.
   */
  worker?: boolean;
}

/**
 * One batch. Its tensors belong to the iterator: they are disposed when the loop asks for
 * the next batch or ends (break and throw included). `tf.keep` or clone what must outlive it.
 */
export interface Batch {
  /** [B,H,W,C] float32, transformed. */
  readonly images: tf.Tensor4D;
  /** [B] int32: class labels; for a source without labels (a caption corpus) the pair targets 0..B-1. */
  readonly labels: tf.Tensor1D;
  readonly captions?: string[];
  /** Positions of the batch's items in the source. */
  readonly indices: Int32Array;
  readonly epoch: number;
  /** Batch number within the epoch. */
  readonly step: number;
  /** When its data was ready (Date.now()), on whichever thread built it. */
  readonly readyAt: number;
}

interface PlannedBatch {
  epoch: number;
  step: number;
  indices: Int32Array;
}

/**
 * Iterates a source in batches of tfjs tensors: seeded shuffling per epoch, seeded random
 * transforms per batch (so results do not depend on timing), and the next batch prepared
 * while the current one trains. Use with `for await`.
 */
export class BatchIterator implements AsyncIterable<Batch> {
  private readonly transformFn: BatchTransform | undefined;
  private readonly planner: ((shape: BatchShape, rng: Rng) => TransformStep[]) | undefined;
  private readonly opts: Required<Omit<BatchOptions, 'transform'>>;

  constructor(
    private readonly source: BatchSource,
    options: BatchOptions,
  ) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    if (source.size === 0) throw new Error('BatchIterator: the source is empty');
    if (source.images.length !== source.size * source.height * source.width * source.channels) {
      throw new Error(
        `BatchIterator: source has ${source.images.length} image bytes, expected ${source.size}x${source.height}x${source.width}x${source.channels}`,
      );
    }
    this.opts = { shuffle: true, seed: 0, dropLast: false, prefetch: 1, epochs: 1, worker: false, ...options };
    if (!(Number.isInteger(this.opts.prefetch) && this.opts.prefetch >= 0))
      throw new Error(`prefetch must be a non-negative integer, got ${this.opts.prefetch}`);
    if (!(Number.isInteger(this.opts.epochs) && this.opts.epochs >= 1)) throw new Error(`epochs must be a positive integer, got ${this.opts.epochs}`);
    if (this.opts.dropLast && source.size < batchSize) throw new Error(`dropLast with batchSize ${batchSize} > ${source.size} items yields no batch`);
    const t = options.transform;
    if (typeof t === 'function') {
      if (this.opts.worker) throw new Error('BatchIterator: worker: true needs transform as a list of TransformSpec (a function cannot run on the worker)');
      this.transformFn = t;
    } else if (t !== undefined) {
      this.planner = compilePlan(t);
    }
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    const { batchSize, dropLast } = this.opts;
    return dropLast ? Math.floor(this.source.size / batchSize) : Math.ceil(this.source.size / batchSize);
  }

  /** Item order of an epoch (a seeded permutation, or 0..N-1 without shuffling). */
  epochOrder(epoch: number): Int32Array {
    if (!this.opts.shuffle) return Int32Array.from({ length: this.source.size }, (_, i) => i);
    return new Rng(this.opts.seed).fork(`epoch-${epoch}`).permutation(this.source.size);
  }

  private *plan(): Generator<PlannedBatch> {
    const { batchSize, epochs } = this.opts;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = this.epochOrder(epoch);
      for (let step = 0; step < this.batchesPerEpoch; step++) {
        yield { epoch, step, indices: order.slice(step * batchSize, Math.min((step + 1) * batchSize, order.length)) };
      }
    }
  }

  /** The seeded draws of batch (epoch, step): the same whichever thread builds it. */
  private steps(planned: PlannedBatch): TransformStep[] {
    if (!this.planner) return [];
    const { height, width, channels } = this.source;
    return this.planner([planned.indices.length, height, width, channels], new Rng(this.opts.seed).fork(`augment-${planned.epoch}-${planned.step}`));
  }

  /** Builds one batch now, on this thread: gathers bytes, makes tensors, applies the transform. */
  makeBatch(planned: PlannedBatch): Batch {
    const { height: h, width: w, channels: c } = this.source;
    const per = h * w * c;
    const n = planned.indices.length;
    const bytes = new Uint8Array(n * per);
    planned.indices.forEach((j, i) => {
      bytes.set(this.source.images.subarray(j * per, (j + 1) * per), i * per);
    });
    const images = tf.tidy(() => {
      const x = bytesToTensor(bytes, n, h, w, c);
      if (this.transformFn) return this.transformFn(x, new Rng(this.opts.seed).fork(`augment-${planned.epoch}-${planned.step}`));
      return applyStepsTf(x, this.steps(planned));
    });
    return this.withLabels(planned, images, Date.now());
  }

  private withLabels(planned: PlannedBatch, images: tf.Tensor4D, readyAt: number): Batch {
    const n = planned.indices.length;
    const labelValues = this.source.labels ? Int32Array.from(planned.indices, (j) => this.source.labels![j]!) : Int32Array.from({ length: n }, (_, i) => i);
    const labels = tf.tensor1d(labelValues, 'int32');
    const captions = this.source.captions ? Array.from(planned.indices, (j) => this.source.captions![j]!) : undefined;
    return { images, labels, ...(captions ? { captions } : {}), indices: planned.indices, epoch: planned.epoch, step: planned.step, readyAt };
  }

  [Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    return this.opts.worker ? this.onWorker() : this.onEventLoop();
  }

  private async *onEventLoop(): AsyncGenerator<Batch, void, undefined> {
    const plan = this.plan();
    const queue: Promise<Batch>[] = [];
    // A batch is built on a later turn of the event loop, so it overlaps whatever the
    // consumer awaits (tensor downloads, async backends) instead of blocking it.
    const schedule = () => {
      const next = plan.next();
      if (next.done) return false;
      const pending = new Promise<Batch>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(this.makeBatch(next.value));
          } catch (err) {
            reject(err);
          }
        }),
      );
      pending.catch(() => undefined); // handled when awaited below; no unhandled-rejection crash meanwhile
      queue.push(pending);
      return true;
    };
    schedule();
    let current: Batch | undefined;
    try {
      while (queue.length > 0) {
        current = await queue.shift()!;
        // Keep exactly `prefetch` batches in preparation while the consumer works on this one.
        while (queue.length < this.opts.prefetch && schedule());
        yield current;
        disposeBatch(current);
        current = undefined;
        if (queue.length === 0) schedule();
      }
    } finally {
      if (current) disposeBatch(current);
      for (const pending of queue.splice(0)) {
        try {
          disposeBatch(await pending);
        } catch {
          // the error, if any, was already thrown to the consumer
        }
      }
    }
  }

  private async *onWorker(): AsyncGenerator<Batch, void, undefined> {
    const { height, width, channels, images } = this.source;
    // The images go to the worker once, through shared memory.
    const shared = new SharedArrayBuffer(images.length);
    new Uint8Array(shared).set(images);
    const worker = new Worker(PREFETCH_WORKER_SOURCE, { eval: true });
    const waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
    worker.on('message', (reply: WorkerReply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if ('error' in reply) w?.reject(new Error(`prefetch worker: ${reply.error}`));
      else w?.resolve(reply);
    });
    worker.on('error', (err) => {
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    });
    worker.unref();
    worker.postMessage({ type: 'init', images: shared, height, width, channels });
    const plan = this.plan();
    const queue: { planned: PlannedBatch; reply: Promise<WorkerReply> }[] = [];
    let nextId = 0;
    const schedule = () => {
      const next = plan.next();
      if (next.done) return false;
      const id = nextId++;
      const reply = new Promise<WorkerReply>((resolve, reject) => waiting.set(id, { resolve, reject }));
      reply.catch(() => undefined); // handled when awaited below
      worker.postMessage({ type: 'batch', id, indices: next.value.indices, steps: this.steps(next.value) });
      queue.push({ planned: next.value, reply });
      return true;
    };
    // In flight: the batch to hand out next plus `prefetch` more.
    for (let i = 0; i <= this.opts.prefetch; i++) if (!schedule()) break;
    let current: Batch | undefined;
    try {
      while (queue.length > 0) {
        const { planned, reply } = queue.shift()!;
        // Keep the process alive only while waiting on the worker, so an iterator that is
        // dropped without finishing never holds the process open.
        worker.ref();
        const r = (await reply) as Extract<WorkerReply, { data: Float32Array }>;
        worker.unref();
        schedule();
        current = this.withLabels(planned, tf.tensor4d(r.data, r.shape, 'float32'), r.readyAt);
        yield current;
        disposeBatch(current);
        current = undefined;
      }
    } finally {
      if (current) disposeBatch(current);
      await worker.terminate();
    }
  }
}

function disposeBatch(b: Batch): void {
  b.images.dispose();
  b.labels.dispose();
}
