import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTokenizer, buildTokenizerJson, loadTokenizer, SPECIAL_TOKENS, tokenizerFromJson } from '../src/index';
import { FIXTURES, setupBackend, tempDir } from './helpers';

beforeAll(setupBackend);

// Expected ids come from tools/fixtures/backbones/make_tokenizer_fixture.py (a BPE encoder written in Python).
const expected = JSON.parse(readFileSync(join(FIXTURES, 'clip-like-tokenizer-expected.json'), 'utf8')) as {
  contextLength: number;
  vocabSize: number;
  sot: number;
  eot: number;
  cases: { text: string; ids: number[] }[];
};

describe('loading a Hugging Face tokenizer.json', () => {
  const tok = loadTokenizer(join(FIXTURES, 'clip-like-tokenizer.json'), { contextLength: expected.contextLength });

  it('matches the independent Python BPE on every case (framing, truncation, padding with EOT)', () => {
    expect(tok.vocabSize).toBe(expected.vocabSize);
    expect(tok.sotTokenId).toBe(expected.sot);
    expect(tok.eotTokenId).toBe(expected.eot);
    expect(tok.padTokenId).toBe(expected.eot); // CLIP pads with EOT
    for (const c of expected.cases) expect(Array.from(tok.encode(c.text)), c.text).toEqual(c.ids);
  });

  it('eotIndex, encodeBatch and decode', () => {
    const ids = tok.encode('a photo of a coat');
    expect(tok.eotIndex(ids)).toBe(ids.indexOf(expected.eot));
    const batch = tok.encodeBatch(['a photo of a coat', 'a bag']);
    expect(batch.shape).toEqual([2, expected.contextLength]);
    expect(batch.dtype).toBe('int32');
    expect(Array.from(batch.dataSync().slice(0, expected.contextLength))).toEqual(Array.from(ids));
    batch.dispose();
    expect(tok.decode(tok.encode('a photo of a coat'))).toBe('a photo of a coat');
    expect(() => tok.eotIndex([1, 2, 3])).toThrow(/no EOT token/);
  });

  it('clear errors for unusable files and options', () => {
    const dir = tempDir('tok');
    expect(() => loadTokenizer(join(dir, 'missing.json'), { contextLength: 8 })).toThrow(/cannot read tokenizer file/);
    writeFileSync(join(dir, 'bad.json'), '{"model": ');
    expect(() => loadTokenizer(join(dir, 'bad.json'), { contextLength: 8 })).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'nomodel.json'), '{"version": "1.0"}');
    expect(() => loadTokenizer(join(dir, 'nomodel.json'), { contextLength: 8 })).toThrow(/no "model" section/);
    expect(() => loadTokenizer(join(FIXTURES, 'clip-like-tokenizer.json'), { contextLength: 8, sotToken: '<s>' })).toThrow(/has no start-of-text token "<s>"/);
    expect(() => loadTokenizer(join(FIXTURES, 'clip-like-tokenizer.json'), { contextLength: 1 })).toThrow(/contextLength must be an integer >= 2/);
  });
});

describe('building the small tokenizer of the embedded models', () => {
  const captions = [
    'a photo of a t-shirt',
    'a photo of a trouser',
    'a photo of a sneaker',
    'a photo of an ankle boot',
    'a blurry photo of a bag',
    'a photo of a coat',
  ];

  it('trains a byte-level BPE in tokenizer.json format with the four specials', () => {
    const tok = buildTokenizer(captions, { contextLength: 16, vocabSize: 600 });
    const json = tok.toJSON() as { model: { vocab: Record<string, number>; merges: string[] } };
    expect(json.model.vocab[SPECIAL_TOKENS.pad]).toBe(0);
    expect(tok.sotTokenId).toBe(1);
    expect(tok.eotTokenId).toBe(2);
    expect(json.model.vocab[SPECIAL_TOKENS.unk]).toBe(3);
    expect(tok.padTokenId).toBe(0);
    expect(tok.vocabSize).toBeLessThanOrEqual(600);
    // Frequent words end up as single tokens.
    expect(tok.tokenize('photo')).toEqual([json.model.vocab['photo</w>']]);
    expect(tok.tokenize('a photo of')).toHaveLength(3);
    // Unseen text still encodes (bytes), and decodes back to the normalised text.
    for (const text of ['a photo of a coat', 'zebra crossing', 'café 😀']) expect(tok.decode(tok.encode(text))).toBe(text);
    const ids = tok.encode('a photo of a coat');
    expect(ids[0]).toBe(1);
    expect(ids[tok.eotIndex(ids)]).toBe(2);
    expect(Array.from(ids.slice(tok.eotIndex(ids) + 1)).every((i) => i === 0)).toBe(true);
  });

  it('truncates keeping SOT and EOT, and is deterministic', () => {
    const tok = buildTokenizer(captions, { contextLength: 6 });
    const ids = tok.encode('a photo of a photo of a photo of a coat');
    expect(ids.length).toBe(6);
    expect(ids[5]).toBe(tok.eotTokenId);
    expect(JSON.stringify(buildTokenizerJson(captions))).toBe(JSON.stringify(buildTokenizerJson([...captions])));
  });

  it('saves as tokenizer.json that loads back through the library with identical ids', () => {
    const tok = buildTokenizer(captions, { contextLength: 16 });
    const path = join(tempDir('tok-save'), 'tokenizer.json');
    tok.save(path);
    const again = loadTokenizer(path, { contextLength: 16 });
    for (const c of [...captions, 'something else entirely!']) expect(Array.from(again.encode(c))).toEqual(Array.from(tok.encode(c)));
    const viaJson = tokenizerFromJson(tok.toJSON(), { contextLength: 16 });
    expect(viaJson.vocabSize).toBe(tok.vocabSize);
  });

  it('rejects bad input', () => {
    expect(() => buildTokenizer([], { contextLength: 16 })).toThrow(/non-empty list/);
    expect(() => buildTokenizer(['a'], { contextLength: 16, vocabSize: 100 })).toThrow(/vocabSize 100 is too small/);
    expect(() => buildTokenizer([42 as unknown as string], { contextLength: 16 })).toThrow(/must be a string/);
    const tok = buildTokenizer(captions, { contextLength: 16 });
    expect(() => tok.encode(undefined as unknown as string)).toThrow(/must be a string/);
  });
});
