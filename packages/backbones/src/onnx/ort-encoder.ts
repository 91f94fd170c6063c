import { existsSync, readFileSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as Ort from 'onnxruntime-node';
import { OnnxModelError } from '../errors';
import type { Encoder } from '../model/encoder';
import { confineExternalData, externalDataRefs } from './external-data';

/**
 * onnxruntime-node is an optional peer dependency: only running ONNX models needs it (export
 * does not), and its install step downloads CUDA binaries unless told not to, which a
 * dependency cannot tell it. Loaded on first use; encoders made afterwards use it synchronously.
 */
let ort: typeof Ort | undefined;
async function loadOrt(file: string): Promise<typeof Ort> {
  if (ort) return ort;
  try {
    const m = (await import('onnxruntime-node')) as typeof Ort & { default?: typeof Ort };
    ort = m.InferenceSession ? m : m.default!;
    return ort;
  } catch (err) {
    throw new OnnxModelError({
      file,
      problem: `onnxruntime-node, which runs ONNX models, cannot be loaded (${(err as Error).message.split('\n')[0]}); it is an optional peer dependency of @hotplug/backbones`,
      fix: 'npm install onnxruntime-node@1.23.2 (with ONNXRUNTIME_NODE_INSTALL=skip its install step keeps the bundled CPU binaries and needs no network)',
    });
  }
}

/** The module once loadOrt succeeded; every OnnxEncoder is created after that. */
function loadedOrt(): typeof Ort {
  if (!ort) throw new Error('onnxruntime-node is not loaded: create encoders with loadOnnxImageEncoder / loadOnnxTextEncoder');
  return ort;
}

/** A serialized ONNX model (protobuf) cannot exceed 2 GiB; larger weights go to external data. */
const MAX_ONNX_BYTES = 2 ** 31;

export interface OnnxEncoderOptions {
  /** Rows per onnxruntime call (default 64). */
  batchSize?: number;
  /** Threads inside one operator (default: onnxruntime's choice, all cores). */
  intraOpNumThreads?: number;
  /** Threads across operators (default 1). */
  interOpNumThreads?: number;
  /** Graph input to feed; default `images` / `pixel_values` (image) or `input_ids` (text) if present, else the first input. */
  inputName?: string;
  /** Graph output to return; default `embedding`, else `image_embeds` / `text_embeds`, else the first output. */
  outputName?: string;
  /**
   * Text models whose graph also takes `attention_mask` (e.g. Hugging Face exports): the EOT
   * token id; the mask is 1 up to and including each row's first EOT and 0 after it.
   */
  eotTokenId?: number;
  /**
   * Image models only: the layout the ONNX graph expects. Batches always arrive NHWC;
   * 'NCHW' (typical of PyTorch exports) transposes them before the call. Default 'NHWC'.
   */
  inputLayout?: 'NHWC' | 'NCHW';
  /**
   * Models that keep tensors in external data files are refused unless this names the folder
   * those files must lie in; every location is then checked to resolve (links followed)
   * inside it, and its byte range to fit the file. Default: refused.
   */
  externalDataDir?: string;
}

/**
 * An ONNX encoder run forward by onnxruntime-node behind the same `encode(batch)` as the
 * tfjs encoders: any ONNX image or text encoder, including one exported elsewhere.
 */
export class OnnxEncoder<In extends tf.Tensor> implements Encoder<In> {
  private constructor(
    private session: Ort.InferenceSession | null,
    readonly kind: 'image' | 'text',
    readonly embedDim: number,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly inputType: string,
    private readonly maskInput: { name: string; type: string } | null,
    private readonly options: OnnxEncoderOptions,
  ) {}

  static async load<In extends tf.Tensor>(path: string, kind: 'image' | 'text', options: OnnxEncoderOptions = {}): Promise<OnnxEncoder<In>> {
    if (!existsSync(path)) throw new OnnxModelError({ file: path, problem: 'ONNX file does not exist', fix: 'Check the path' });
    for (const k of ['batchSize', 'intraOpNumThreads', 'interOpNumThreads'] as const) {
      const v = options[k];
      if (v !== undefined && (!Number.isInteger(v) || v < (k === 'batchSize' ? 1 : 0)))
        throw new Error(`${k} must be a ${k === 'batchSize' ? 'positive' : 'non-negative'} integer, got ${v}`);
    }
    const size = statSync(path).size;
    if (size > MAX_ONNX_BYTES)
      throw new OnnxModelError({
        file: path,
        problem: `${size} bytes is above the 2 GiB limit of an ONNX protobuf`,
        fix: 'Save large weights as external data and pass { externalDataDir }',
      });
    // Read once: what is checked here is what onnxruntime gets, unless external data makes it open the path itself.
    const bytes = readFileSync(path);
    const refs = externalDataRefs(bytes, path);
    confineExternalData(refs, path, options.externalDataDir);
    const ort = await loadOrt(path);
    let session: Ort.InferenceSession;
    try {
      const sessionOptions: Ort.InferenceSession.SessionOptions = {
        executionProviders: ['cpu'],
        interOpNumThreads: options.interOpNumThreads ?? 1,
        graphOptimizationLevel: 'all',
      };
      if (options.intraOpNumThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpNumThreads;
      session = refs.length ? await ort.InferenceSession.create(path, sessionOptions) : await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (err) {
      throw new OnnxModelError({ file: path, problem: `onnxruntime cannot load ${path}: ${(err as Error).message}`, fix: 'Export the model again' });
    }
    const pick = (names: readonly string[], preferred: string[]) => preferred.find((n) => names.includes(n)) ?? names[0]!;
    const inputName = options.inputName ?? pick(session.inputNames, kind === 'image' ? ['images', 'pixel_values'] : ['input_ids']);
    const outputName = options.outputName ?? pick(session.outputNames, ['embedding', kind === 'image' ? 'image_embeds' : 'text_embeds']);
    if (!session.inputNames.includes(inputName))
      throw new OnnxModelError({
        file: path,
        field: 'inputs',
        problem: `${path} has no input "${inputName}"; its inputs are ${session.inputNames.join(', ')}`,
        fix: 'Pass { inputName } naming one of them',
      });
    if (!session.outputNames.includes(outputName))
      throw new OnnxModelError({
        file: path,
        field: 'outputs',
        problem: `${path} has no output "${outputName}"; its outputs are ${session.outputNames.join(', ')}`,
        fix: 'Pass { outputName } naming one of them',
      });
    const maskName = kind === 'text' && session.inputNames.includes('attention_mask') && inputName !== 'attention_mask' ? 'attention_mask' : null;
    const others = session.inputNames.filter((n) => n !== inputName && n !== maskName);
    if (others.length)
      throw new OnnxModelError({
        file: path,
        field: 'inputs',
        problem: `${path} needs inputs this encoder cannot provide: ${others.join(', ')} (it feeds "${inputName}"${maskName ? ' and attention_mask' : ''})`,
      });
    if (maskName && (options.eotTokenId === undefined || !Number.isInteger(options.eotTokenId)))
      throw new Error(`${path} takes an attention_mask: pass { eotTokenId } (e.g. tokenizer.eotTokenId) so the mask can end at each row's EOT`);
    const maskMeta = maskName ? session.inputMetadata.find((m) => m.name === maskName) : undefined;
    const maskInput = maskName ? { name: maskName, type: maskMeta?.isTensor ? maskMeta.type : 'int64' } : null;
    const inMeta = session.inputMetadata.find((m) => m.name === inputName);
    const outMeta = session.outputMetadata.find((m) => m.name === outputName);
    const inputType = inMeta?.isTensor ? inMeta.type : kind === 'image' ? 'float32' : 'int64';
    const lastDim = outMeta?.isTensor ? outMeta.shape[outMeta.shape.length - 1] : undefined;
    return new OnnxEncoder<In>(session, kind, typeof lastDim === 'number' ? lastDim : -1, inputName, outputName, inputType, maskInput, options);
  }

  private toFeeds(chunk: tf.Tensor): Record<string, Ort.Tensor> {
    const feeds: Record<string, Ort.Tensor> = { [this.inputName]: this.toFeed(chunk) };
    if (this.maskInput) {
      const mask = attentionMaskFor(chunk.dataSync(), chunk.shape[0], chunk.shape[1]!, this.options.eotTokenId!);
      feeds[this.maskInput.name] =
        this.maskInput.type === 'int32'
          ? new (loadedOrt().Tensor)('int32', mask, chunk.shape)
          : new (loadedOrt().Tensor)(
              'int64',
              BigInt64Array.from(mask, (v) => BigInt(v)),
              chunk.shape,
            );
    }
    return feeds;
  }

  private toFeed(chunk: tf.Tensor): Ort.Tensor {
    if (this.kind === 'image') {
      if (chunk.rank !== 4) throw new Error(`ONNX image encoder expects NHWC images [batch, H, W, C], got [${chunk.shape.join(', ')}]`);
      const arranged = this.options.inputLayout === 'NCHW' ? tf.tidy(() => tf.transpose(chunk, [0, 3, 1, 2])) : chunk;
      const data = arranged.dataSync() as Float32Array;
      const shape = arranged.shape;
      if (arranged !== chunk) arranged.dispose();
      return new (loadedOrt().Tensor)('float32', Float32Array.from(data), shape);
    }
    if (chunk.rank !== 2) throw new Error(`ONNX text encoder expects token ids [batch, contextLength], got [${chunk.shape.join(', ')}]`);
    const ids = chunk.dataSync();
    if (this.inputType === 'int32') return new (loadedOrt().Tensor)('int32', Int32Array.from(ids), chunk.shape);
    return new (loadedOrt().Tensor)(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      chunk.shape,
    );
  }

  async encode(batch: In, options: { batchSize?: number } = {}): Promise<tf.Tensor2D> {
    if (!this.session) throw new Error('this ONNX encoder was disposed');
    if (!(batch instanceof tf.Tensor)) throw new Error('encode expects a tf.Tensor batch');
    const size = options.batchSize ?? this.options.batchSize ?? 64;
    const n = batch.shape[0];
    if (!n) throw new Error('encode got an empty batch (0 rows)');
    const rows: Float32Array[] = [];
    let width = -1;
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      const chunk = count === n ? batch : tf.slice(batch, start, count);
      const feeds = this.toFeeds(chunk);
      const feed = feeds[this.inputName]!;
      if (chunk !== batch) chunk.dispose();
      let result: Ort.InferenceSession.ReturnType;
      try {
        result = await this.session.run(feeds, [this.outputName]);
      } catch (err) {
        throw new Error(`onnxruntime failed on a batch of shape [${feed.dims.join(', ')}]: ${(err as Error).message}`);
      }
      const out = result[this.outputName]!;
      if (out.dims.length !== 2) throw new Error(`output "${this.outputName}" has shape [${out.dims.join(', ')}], expected [batch, embedDim]`);
      width = out.dims[1]!;
      rows.push(Float32Array.from(out.data as Float32Array));
    }
    const all = new Float32Array(n * Math.max(width, 0));
    let offset = 0;
    for (const r of rows) {
      all.set(r, offset);
      offset += r.length;
    }
    return tf.tensor2d(all, [n, width], 'float32');
  }

  dispose(): void {
    void this.session?.release();
    this.session = null;
  }
}

/** 1 up to and including each row's first EOT, 0 after it (all ones for a row without EOT). */
export function attentionMaskFor(ids: ArrayLike<number>, rows: number, cols: number, eotTokenId: number): Int32Array {
  const mask = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let open = true;
    for (let c = 0; c < cols; c++) {
      mask[r * cols + c] = open ? 1 : 0;
      if (ids[r * cols + c] === eotTokenId) open = false;
    }
  }
  return mask;
}

/** Loads an ONNX image encoder (e.g. the old model, exported by this package or elsewhere). */
export function loadOnnxImageEncoder(path: string, options?: OnnxEncoderOptions): Promise<OnnxEncoder<tf.Tensor4D>> {
  return OnnxEncoder.load<tf.Tensor4D>(path, 'image', options);
}

/** Loads an ONNX text encoder that takes token ids [batch, contextLength]. */
export function loadOnnxTextEncoder(path: string, options?: OnnxEncoderOptions): Promise<OnnxEncoder<tf.Tensor2D>> {
  return OnnxEncoder.load<tf.Tensor2D>(path, 'text', options);
}
