import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import { writeJsonAtomic } from '@hotplug/runtime';
import { buildTokenizerJson, SPECIAL_TOKENS, type BuildTokenizerOptions } from './build';

/** What the text encoders need from a tokenizer, whichever vocabulary it has. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly sotTokenId: number;
  readonly eotTokenId: number;
  readonly padTokenId: number;
  /** SOT + tokens + EOT, truncated (keeping the EOT) and padded to the context length. */
  encode(text: string): Int32Array;
  /** encode() for many texts as an int32 tensor [texts, contextLength]. */
  encodeBatch(texts: readonly string[]): tf.Tensor2D;
  /** Tokens of a text with no specials and no padding (e.g. a class name for a prompt learner). */
  tokenize(text: string): number[];
  /** Position of the first EOT in an encoded sequence. */
  eotIndex(ids: ArrayLike<number>): number;
  decode(ids: ArrayLike<number>): string;
  /** The tokenizer.json content. */
  toJSON(): Record<string, unknown>;
  save(path: string): void;
}

export interface TokenizerOptions {
  contextLength: number;
  /** Special token strings; by default CLIP's `<|startoftext|>` / `<|endoftext|>`, and padding with EOT when no `<|pad|>` exists (as CLIP does). */
  sotToken?: string;
  eotToken?: string;
  padToken?: string;
}

/** A tokenizer.json run through @huggingface/tokenizers, with CLIP's SOT/EOT framing. */
class HfJsonTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly sotTokenId: number;
  readonly eotTokenId: number;
  readonly padTokenId: number;
  readonly contextLength: number;
  private readonly impl: HfTokenizerImpl;

  constructor(private readonly json: Record<string, unknown>, options: TokenizerOptions, source: string) {
    if (!json || typeof json !== 'object' || !json.model) throw new Error(`${source} is not a Hugging Face tokenizer.json (no "model" section)`);
    if (!Number.isInteger(options.contextLength) || options.contextLength < 2) throw new Error(`contextLength must be an integer >= 2, got ${options.contextLength}`);
    try {
      this.impl = new HfTokenizerImpl(json, {});
    } catch (err) {
      throw new Error(`cannot build a tokenizer from ${source}: ${(err as Error).message}`);
    }
    this.contextLength = options.contextLength;
    const id = (token: string, role: string) => {
      const found = this.impl.token_to_id(token);
      if (found === undefined) throw new Error(`${source} has no ${role} token "${token}"; pass the right one in the options (sotToken / eotToken / padToken)`);
      return found;
    };
    this.sotTokenId = id(options.sotToken ?? SPECIAL_TOKENS.sot, 'start-of-text');
    this.eotTokenId = id(options.eotToken ?? SPECIAL_TOKENS.eot, 'end-of-text');
    const padToken = options.padToken ?? (this.impl.token_to_id(SPECIAL_TOKENS.pad) !== undefined ? SPECIAL_TOKENS.pad : options.eotToken ?? SPECIAL_TOKENS.eot);
    this.padTokenId = id(padToken, 'padding');
    const vocab = this.impl.get_vocab(true);
    let max = -1;
    for (const v of vocab.values()) max = Math.max(max, v);
    this.vocabSize = max + 1;
  }

  tokenize(text: string): number[] {
    if (typeof text !== 'string') throw new Error(`tokenizer input must be a string, got ${typeof text}`);
    return this.impl.encode(text, { add_special_tokens: false }).ids;
  }

  encode(text: string): Int32Array {
    const body = this.tokenize(text).slice(0, this.contextLength - 2);
    const out = new Int32Array(this.contextLength).fill(this.padTokenId);
    out[0] = this.sotTokenId;
    out.set(body, 1);
    out[body.length + 1] = this.eotTokenId;
    return out;
  }

  encodeBatch(texts: readonly string[]): tf.Tensor2D {
    const flat = new Int32Array(texts.length * this.contextLength);
    texts.forEach((t, i) => flat.set(this.encode(t), i * this.contextLength));
    return tf.tensor2d(flat, [texts.length, this.contextLength], 'int32');
  }

  eotIndex(ids: ArrayLike<number>): number {
    for (let i = 0; i < ids.length; i++) if (ids[i] === this.eotTokenId) return i;
    throw new Error(`no EOT token (id ${this.eotTokenId}) in the sequence; encode text with tokenizer.encode()`);
  }

  decode(ids: ArrayLike<number>): string {
    const kept = Array.from(ids).filter((i) => i !== this.padTokenId && i !== this.sotTokenId && i !== this.eotTokenId);
    return this.impl.decode(kept, { skip_special_tokens: true }).trim();
  }

  toJSON(): Record<string, unknown> {
    return this.json;
  }

  save(path: string): void {
    writeJsonAtomic(path, this.json);
  }
}

/** Wraps a parsed tokenizer.json. */
export function tokenizerFromJson(json: Record<string, unknown>, options: TokenizerOptions): Tokenizer {
  return new HfJsonTokenizer(json, options, 'the given tokenizer JSON');
}

/** Reads a Hugging Face tokenizer.json from a local path (e.g. CLIP's, with contextLength 77). */
export function loadTokenizer(path: string, options: TokenizerOptions): Tokenizer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read tokenizer file ${path}: ${(err as Error).message}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); expected a Hugging Face tokenizer.json`);
  }
  return new HfJsonTokenizer(json, options, path);
}

/** Trains the small byte-level BPE of the embedded models from a caption corpus. */
export function buildTokenizer(texts: readonly string[], options: BuildTokenizerOptions & { contextLength: number }): Tokenizer {
  return new HfJsonTokenizer(buildTokenizerJson(texts, options), { contextLength: options.contextLength }, 'the built tokenizer');
}
