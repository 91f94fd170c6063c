// Reads a scene caption back into claims, independently of the grammar that wrote it: it knows
// only the lexicon (what each word means) and English word order (adjectives before a noun,
// "in red" after it, "A left of B", "left of B there is A"). The agreement test checks every
// claim against the scene's ground truth.
import {
  BACKGROUND_COLOURS,
  BACKGROUND_NOUNS,
  CATEGORY_NOUNS,
  CLOTHING_WORDS,
  CORNERS,
  COUNT_NOUNS,
  COUNT_NOUN_SINGULAR,
  COUNT_WORDS,
  DIGIT_GENERIC,
  OBJECT_COLOURS,
  REGION_PHRASES,
  RELATION_PHRASES,
  ROTATION_WORDS,
  SIZE_WORDS,
  TEXTURE_WORDS,
  cornerOf,
  regionOf,
  relationsBetween,
  type Relation,
  type Scene,
  type SceneObject,
  type SizeName,
  type Texture,
} from '../src/index';

export interface Mention {
  /** A category 0-19, or 'clothing' / 'digit' for vague names. */
  what: number | 'clothing' | 'digit';
  colour?: number;
  size?: SizeName;
  rotated?: boolean;
}
export type Claim =
  | { kind: 'object'; m: Mention }
  | { kind: 'relation'; a: Mention; rel: Relation; b: Mention }
  | { kind: 'place'; m: Mention; where: string }
  | { kind: 'count'; n: number }
  | { kind: 'background'; colour?: number; texture?: Texture };

type Tok = string;
const words = (s: string) => s.split(' ');

// Phrase tables: word sequence -> meaning.
const categoryPhrases: [Tok[], Mention['what']][] = [];
CATEGORY_NOUNS.forEach((ps, c) => {
  ps.forEach((p) => {
    categoryPhrases.push([words(p), c]);
  });
});
CLOTHING_WORDS.forEach((p) => {
  categoryPhrases.push([words(p), 'clothing']);
});
DIGIT_GENERIC.forEach((p) => {
  categoryPhrases.push([words(p), 'digit']);
});
categoryPhrases.sort((a, b) => b[0].length - a[0].length);
const relationPhrases: [Tok[], Relation][] = [];
for (const [rel, ps] of Object.entries(RELATION_PHRASES)) for (const p of ps) relationPhrases.push([words(p), rel as Relation]);
relationPhrases.sort((a, b) => b[0].length - a[0].length);
const placePhrases: [Tok[], string][] = [];
for (const [where, ps] of Object.entries(REGION_PHRASES)) for (const p of ps) placePhrases.push([words(p), where]);
for (const c of CORNERS) for (const p of [`in the ${c} corner`, `in the ${c.replace(' ', '-')} corner`, `at the ${c} corner`]) placePhrases.push([words(p), c]);
placePhrases.sort((a, b) => b[0].length - a[0].length);
const countPhrases: [Tok[], number][] = [];
COUNT_WORDS.forEach((ws, i) => {
  ws.forEach((w) => {
    [...COUNT_NOUNS, ...COUNT_NOUN_SINGULAR].forEach((n) => {
      countPhrases.push([words(`${w} ${n}`), i + 1]);
    });
  });
});
countPhrases.sort((a, b) => b[0].length - a[0].length);
const objectColour = new Map<string, number>();
OBJECT_COLOURS.forEach((c, i) => {
  [c.name, ...c.synonyms].forEach((w) => {
    objectColour.set(w, i);
  });
});
const bgColour = new Map<string, number>();
BACKGROUND_COLOURS.forEach((c, i) => {
  [c.name, ...c.synonyms].forEach((w) => {
    bgColour.set(w, i);
  });
});
const sizeWord = new Map<string, SizeName>();
for (const [s, ws] of Object.entries(SIZE_WORDS)) for (const w of ws) sizeWord.set(w, s as SizeName);
const textureWord = new Map<string, Texture>();
for (const [t, ws] of Object.entries(TEXTURE_WORDS)) for (const w of ws) textureWord.set(w, t as Texture);
const rotationWords = new Set<string>(ROTATION_WORDS);
const bgNouns = new Set<string>(BACKGROUND_NOUNS);

function matchAt(toks: Tok[], i: number, phrase: Tok[]): boolean {
  return phrase.every((w, k) => toks[i + k] === w);
}

type Item =
  | { t: 'mention'; m: Mention }
  | { t: 'relation'; rel: Relation }
  | { t: 'place'; where: string }
  | { t: 'count'; n: number }
  | { t: 'background'; colour?: number; texture?: Texture }
  | { t: 'there' };

function readClause(clause: string): Item[] {
  const toks = clause
    .split(/\s+/)
    .map((w) => w.replace(/[,.:]+$/, ''))
    .filter(Boolean);
  const items: Item[] = [];
  let adjectives: Tok[] = [];
  for (let i = 0; i < toks.length; ) {
    const tok = toks[i]!;
    const count = countPhrases.find(([p]) => matchAt(toks, i, p));
    if (count) {
      items.push({ t: 'count', n: count[1] });
      i += count[0].length;
      adjectives = [];
      continue;
    }
    // "on the left of" (a relation) and "on the left" (a place) share words: the longer match wins.
    const place = placePhrases.find(([p]) => matchAt(toks, i, p));
    const rel = relationPhrases.find(([p]) => matchAt(toks, i, p));
    if (rel && (!place || rel[0].length > place[0].length)) {
      items.push({ t: 'relation', rel: rel[1] });
      i += rel[0].length;
      adjectives = [];
      continue;
    }
    if (place) {
      items.push({ t: 'place', where: place[1] });
      i += place[0].length;
      adjectives = [];
      continue;
    }
    const cat = categoryPhrases.find(([p]) => matchAt(toks, i, p));
    if (cat) {
      const m: Mention = { what: cat[1] };
      for (const a of adjectives) {
        if (objectColour.has(a)) m.colour = objectColour.get(a);
        else if (sizeWord.has(a)) m.size = sizeWord.get(a);
        else if (rotationWords.has(a)) m.rotated = true;
        else throw new Error(`"${a}" before "${cat[0].join(' ')}" is not an object adjective in: ${clause}`);
      }
      i += cat[0].length;
      if ((toks[i] === 'in' || toks[i] === 'coloured') && objectColour.has(toks[i + 1]!)) {
        m.colour = objectColour.get(toks[i + 1]!);
        i += 2;
      }
      items.push({ t: 'mention', m });
      adjectives = [];
      continue;
    }
    if (bgNouns.has(tok)) {
      const bg: { t: 'background'; colour?: number; texture?: Texture } = { t: 'background' };
      for (const a of adjectives) {
        if (bgColour.has(a)) bg.colour = bgColour.get(a);
        else if (textureWord.has(a)) bg.texture = textureWord.get(a);
        else throw new Error(`"${a}" before "${tok}" is not a background adjective in: ${clause}`);
      }
      items.push(bg);
      adjectives = [];
      i++;
      continue;
    }
    if (tok === 'there' && toks[i + 1] === 'is') {
      items.push({ t: 'there' });
      i += 2;
      adjectives = [];
      continue;
    }
    if (objectColour.has(tok) || bgColour.has(tok) || sizeWord.has(tok) || textureWord.has(tok) || rotationWords.has(tok)) adjectives.push(tok);
    else adjectives = [];
    i++;
  }
  return items;
}

/** Every claim a caption makes. */
export function readCaption(caption: string): Claim[] {
  const claims: Claim[] = [];
  const clauses = caption
    .toLowerCase()
    .replace(/\.$/, '')
    .split(/; meanwhile |; besides, |; also |; |\. |, and |, while |, whereas /);
  for (const clause of clauses) {
    const items = readClause(clause);
    const mentions = items.filter((x): x is Extract<Item, { t: 'mention' }> => x.t === 'mention');
    for (const x of mentions) claims.push({ kind: 'object', m: x.m });
    for (const x of items) if (x.t === 'count') claims.push({ kind: 'count', n: x.n });
    for (const x of items) if (x.t === 'background') claims.push({ kind: 'background', colour: x.colour, texture: x.texture });
    items.forEach((x, k) => {
      if (x.t === 'relation') {
        const prev = items[k - 1];
        const next = items[k + 1];
        if (prev?.t === 'mention' && next?.t === 'mention') claims.push({ kind: 'relation', a: prev.m, rel: x.rel, b: next.m });
        else if (prev?.t !== 'mention' && next?.t === 'mention' && items[k + 2]?.t === 'there' && items[k + 3]?.t === 'mention')
          claims.push({ kind: 'relation', a: (items[k + 3] as { m: Mention }).m, rel: x.rel, b: next.m });
        else throw new Error(`relation "${x.rel}" without two objects in: ${clause}`);
      }
      if (x.t === 'place') {
        if (mentions.length !== 1) throw new Error(`place "${x.where}" with ${mentions.length} objects in: ${clause}`);
        claims.push({ kind: 'place', m: mentions[0]!.m, where: x.where });
      }
    });
  }
  return claims;
}

function matches(o: SceneObject, m: Mention): boolean {
  if (m.what === 'clothing' ? o.category >= 10 : m.what === 'digit' ? o.category < 10 : o.category !== m.what) return false;
  if (m.colour !== undefined && o.colour !== m.colour) return false;
  if (m.size !== undefined && o.size !== m.size) return false;
  if (m.rotated && o.rotation === 0) return false;
  return true;
}

/** Null when the claim holds in the scene, else why not. */
export function checkClaim(scene: Scene, c: Claim): string | null {
  const objs = scene.objects;
  switch (c.kind) {
    case 'object':
      return objs.some((o) => matches(o, c.m)) ? null : `no object matches ${JSON.stringify(c.m)}`;
    case 'count':
      return objs.length === c.n ? null : `count ${c.n}, scene has ${objs.length}`;
    case 'background':
      if (c.colour !== undefined && c.colour !== scene.background.colour) return `background colour ${c.colour}, scene has ${scene.background.colour}`;
      if (c.texture !== undefined && c.texture !== scene.background.texture) return `background texture ${c.texture}, scene has ${scene.background.texture}`;
      return null;
    case 'relation':
      return objs.some((a) => matches(a, c.a) && objs.some((b) => b !== a && matches(b, c.b) && relationsBetween(a, b).includes(c.rel)))
        ? null
        : `no pair in relation ${c.rel}`;
    case 'place':
      return objs.some((o) => {
        if (!matches(o, c.m)) return false;
        const r = regionOf(o, scene.canvas);
        if (c.where === 'centre') return r.horizontal === 'centre' && r.vertical === 'centre';
        if (c.where === 'left' || c.where === 'right') return r.horizontal === c.where;
        if (c.where === 'top' || c.where === 'bottom') return r.vertical === c.where;
        return cornerOf(o, scene.canvas) === c.where;
      })
        ? null
        : `no object ${c.where}`;
  }
}
