import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues, TokenizerFileError } from '../errors';
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
  /** Largest vocabulary accepted (highest token id + 1); default 1,048,576. Guards the embedding table the vocabulary sizes. */
  maxVocabSize?: number;
  /** Largest contextLength accepted; default 8192. */
  maxContextLength?: number;
}

export const DEFAULT_MAX_VOCAB_SIZE = 1 << 20;
export const DEFAULT_MAX_CONTEXT_LENGTH = 8192;
/** Largest tokenizer.json loadTokenizer reads (bytes); published ones are a few MB. */
export const DEFAULT_MAX_TOKENIZER_BYTES = 256 * 1024 * 1024;

const TokenId = z.number().int().nonnegative();
// The parts of tokenizer.json this package relies on; other sections pass through to the library.
const TokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(z.looseObject({ id: TokenId, content: z.string() })).nullish(),
  model: z.looseObject({
    type: z.enum(['BPE', 'WordPiece', 'WordLevel', 'Unigram']).optional(),
    vocab: z.union([z.record(z.string(), TokenId), z.array(z.tuple([z.string(), z.number()]))]),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).optional(),
  }),
});

/** The highest token id the file declares (vocabulary and added tokens), checked against the limit before the library builds anything. */
function checkTokenizerJson(json: unknown, source: string, maxVocab: number): void {
  if (!json || typeof json !== 'object' || Array.isArray(json) || !(json as Record<string, unknown>).model)
    throw new TokenizerFileError({
      file: source,
      problem: 'is not a Hugging Face tokenizer.json (no "model" section)',
      expected: 'an object with a "model" section',
    });
  const parsed = TokenizerJsonSchema.safeParse(json);
  if (!parsed.success)
    throw new TokenizerFileError({
      file: source,
      problem: `malformed tokenizer.json: ${describeIssues(parsed.error.issues)}`,
      fix: 'Save it again with tokenizers (tokenizer.save) or buildTokenizerJson',
    });
  const { model, added_tokens } = parsed.data;
  let max = -1;
  let maxAt = '';
  if (Array.isArray(model.vocab)) {
    max = model.vocab.length - 1;
    maxAt = 'model.vocab (Unigram list)';
  } else {
    for (const [token, id] of Object.entries(model.vocab)) {
      if (id > max) {
        max = id;
        maxAt = `model.vocab[${JSON.stringify(token).slice(0, 40)}]`;
      }
    }
  }
  for (const [i, t] of (added_tokens ?? []).entries()) {
    if (t.id > max) {
      max = t.id;
      maxAt = `added_tokens[${i}].id`;
    }
  }
  if (max + 1 > maxVocab)
    throw new TokenizerFileError({
      file: source,
      field: maxAt,
      problem: `token id ${max} makes a vocabulary of ${max + 1}, above the limit ${maxVocab}`,
      expected: `ids below maxVocabSize ${maxVocab}`,
      fix: 'Pass a larger { maxVocabSize } if the vocabulary really is that large',
    });
}

/** A tokenizer.json run through @huggingface/tokenizers, with CLIP's SOT/EOT framing. */
class HfJsonTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly sotTokenId: number;
  readonly eotTokenId: number;
  readonly padTokenId: number;
  readonly contextLength: number;
  private readonly impl: HfTokenizerImpl;

  constructor(
    private readonly json: Record<string, unknown>,
    options: TokenizerOptions,
    source: string,
  ) {
    const maxContext = options.maxContextLength ?? DEFAULT_MAX_CONTEXT_LENGTH;
    if (!Number.isInteger(options.contextLength) || options.contextLength < 2 || options.contextLength > maxContext)
      throw new TokenizerFileError({
        file: source,
        field: 'contextLength',
        problem: `contextLength must be an integer >= 2 and <= ${maxContext}, got ${options.contextLength}`,
        fix: "Pass the model's text.contextLength (77 for CLIP), or raise { maxContextLength }",
      });
    checkTokenizerJson(json, source, options.maxVocabSize ?? DEFAULT_MAX_VOCAB_SIZE);
    try {
      this.impl = new HfTokenizerImpl(json, {});
      this.impl.encode('a b', { add_special_tokens: false }); // a file the library accepts but cannot run fails here, not on first use
    } catch (err) {
      throw new TokenizerFileError({
        file: source,
        problem: `cannot build a tokenizer: ${(err as Error).message}`,
        fix: 'Save it again with tokenizers (tokenizer.save) or buildTokenizerJson',
      });
    }
    this.contextLength = options.contextLength;
    const id = (token: string, role: string) => {
      const found = this.impl.token_to_id(token);
      if (found === undefined)
        throw new TokenizerFileError({
          file: source,
          field: role,
          problem: `has no ${role} token "${token}"`,
          fix: 'Pass the right one in the options (sotToken / eotToken / padToken)',
        });
      return found;
    };
    this.sotTokenId = id(options.sotToken ?? SPECIAL_TOKENS.sot, 'start-of-text');
    this.eotTokenId = id(options.eotToken ?? SPECIAL_TOKENS.eot, 'end-of-text');
    const padToken =
      options.padToken ?? (this.impl.token_to_id(SPECIAL_TOKENS.pad) !== undefined ? SPECIAL_TOKENS.pad : (options.eotToken ?? SPECIAL_TOKENS.eot));
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
    texts.forEach((t, i) => {
      flat.set(this.encode(t), i * this.contextLength);
    });
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
export function loadTokenizer(path: string, options: TokenizerOptions & { maxFileBytes?: number }): Tokenizer {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_TOKENIZER_BYTES;
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxBytes)
      throw new TokenizerFileError({
        file: path,
        problem: `is ${size} bytes, above the limit ${maxBytes}`,
        fix: 'Pass a larger { maxFileBytes } if this really is a tokenizer.json',
      });
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof TokenizerFileError) throw err;
    throw new TokenizerFileError({ file: path, problem: `cannot read tokenizer file: ${(err as Error).message}`, fix: 'Check the path' });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TokenizerFileError({ file: path, problem: `is not valid JSON (${(err as Error).message})`, expected: 'a Hugging Face tokenizer.json' });
  }
  return new HfJsonTokenizer(json, options, path);
}

/** Trains the small byte-level BPE of the embedded models from a caption corpus. */
export function buildTokenizer(texts: readonly string[], options: BuildTokenizerOptions & { contextLength: number }): Tokenizer {
  return new HfJsonTokenizer(buildTokenizerJson(texts, options), { contextLength: options.contextLength }, 'the built tokenizer');
}
