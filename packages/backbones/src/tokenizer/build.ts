import { byteToChar, CLIP_SPLIT_PATTERN } from './byte-level';

export const SPECIAL_TOKENS = { pad: '<|pad|>', sot: '<|startoftext|>', eot: '<|endoftext|>', unk: '<|unk|>' } as const;
const END_OF_WORD = '</w>';

export interface BuildTokenizerOptions {
  /** Upper bound on the vocabulary (4 specials + 512 byte symbols + merges); default 1024. */
  vocabSize?: number;
  /** A pair must occur at least this often to be merged; default 2. */
  minFrequency?: number;
}

function normalize(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Trains a small CLIP-style byte-level BPE (lowercased, words end in `</w>`) on the given
 * texts and returns it in Hugging Face tokenizer.json format, so it is read back through
 * the same library as any published tokenizer. Deterministic: ties go to the pair that
 * sorts first.
 */
export function buildTokenizerJson(texts: readonly string[], options: BuildTokenizerOptions = {}): Record<string, unknown> {
  const vocabSize = options.vocabSize ?? 1024;
  const minFrequency = options.minFrequency ?? 2;
  if (!Array.isArray(texts) || texts.length === 0) throw new Error('buildTokenizer needs a non-empty list of texts');
  if (vocabSize < 4 + 512) throw new Error(`vocabSize ${vocabSize} is too small: the byte-level base alphabet alone takes 4 specials + 512 symbols`);
  const chars = byteToChar();
  const splitter = new RegExp(CLIP_SPLIT_PATTERN, 'gu');
  const encoder = new TextEncoder();

  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    if (typeof text !== 'string') throw new Error(`buildTokenizer: every text must be a string, got ${typeof text}`);
    for (const m of normalize(text).matchAll(splitter)) {
      const mapped = Array.from(encoder.encode(m[0]), (b) => chars[b]!).join('');
      wordCounts.set(mapped, (wordCounts.get(mapped) ?? 0) + 1);
    }
  }
  const words = [...wordCounts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([w, count]) => {
      const symbols = Array.from(w);
      symbols[symbols.length - 1] += END_OF_WORD;
      return { symbols, count };
    });

  const vocab: Record<string, number> = {};
  const add = (token: string) => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  for (const s of [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.sot, SPECIAL_TOKENS.eot, SPECIAL_TOKENS.unk]) add(s);
  for (const c of chars) add(c);
  for (const c of chars) add(c + END_OF_WORD);

  const merges: string[] = [];
  while (Object.keys(vocab).length < vocabSize) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words)
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    let best: string | null = null;
    let bestCount = 0;
    for (const [key, count] of pairs) if (count > bestCount || (count === bestCount && best !== null && key < best)) [best, bestCount] = [key, count];
    if (best === null || bestCount < minFrequency) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push(best);
    add(left + right);
    for (const w of words) {
      const merged: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (i + 1 < w.symbols.length && w.symbols[i] === left && w.symbols[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else merged.push(w.symbols[i]!);
      }
      w.symbols = merged;
    }
  }

  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(SPECIAL_TOKENS.pad), special(SPECIAL_TOKENS.sot), special(SPECIAL_TOKENS.eot), special(SPECIAL_TOKENS.unk)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    // The word-end marker becomes the byte-level space symbol, so ByteLevel decoding yields spaces.
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: END_OF_WORD }, content: chars[32] },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: SPECIAL_TOKENS.unk,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
