// The byte-to-character table of byte-level BPE (GPT-2/CLIP): every byte gets a printable
// character, so any UTF-8 text is representable without an unknown token.

let table: string[] | null = null;

export function byteToChar(): string[] {
  if (table) return table;
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  table = out;
  return out;
}

/** The CLIP pre-tokenizer pattern: contractions, letter runs, single digits, punctuation runs. */
export const CLIP_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";
