import type { Rng } from '@hotplug/runtime';
import {
  BACKGROUND_COLOURS,
  BACKGROUND_NOUNS,
  CATEGORY_NOUNS,
  CLOTHING_WORDS,
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
} from './lexicon';
import { cornerOf, regionOf, relationsBetween, type Scene, type SceneObject } from './scene';

/**
 * How much a caption says. 'varied' (the corpora): a random form, a random subset of objects and
 * attributes. 'full' (text->image retrieval queries): every object with its colour and category,
 * and the background.
 */
export type CaptionDetail = 'varied' | 'full';

// Every claim below is read off the scene (relationsBetween, cornerOf, regionOf, the object's own
// fields): the grammar chooses what to say and how, never what is true.

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const chance = (rng: Rng, p: number) => rng.next() < p;

function article(next: string): string {
  return /^(a|e|i|o|8|eight)/.test(next) ? 'an' : 'a';
}

function withArticle(phrase: string): string {
  return `${article(phrase)} ${phrase}`;
}

/** A noun phrase for one object: category name (or a vague word) with some of its colour, size and tilt. */
function nounPhrase(rng: Rng, o: SceneObject, full: boolean, scene: Scene): string {
  // "the" only for a category the scene holds once ("the digit seven").
  const unique = scene.objects.filter((x) => x.category === o.category).length === 1;
  const det = (phrase: string, vague: boolean) => (!vague && unique && chance(rng, 0.2) ? `the ${phrase}` : withArticle(phrase));
  const colourWord = chance(rng, 0.75) ? OBJECT_COLOURS[o.colour]!.name : pick(rng, OBJECT_COLOURS[o.colour]!.synonyms);
  const sayColour = full || chance(rng, 0.7);
  const saySize = !full && chance(rng, 0.35);
  const sayTilt = !full && o.rotation !== 0 && chance(rng, 0.5);
  // A vague name ("a garment", "a digit") now and then: partial but still true.
  const vague = !full && chance(rng, 0.08);
  const noun = vague ? pick(rng, o.category < 10 ? CLOTHING_WORDS : DIGIT_GENERIC) : pick(rng, CATEGORY_NOUNS[o.category]!);
  const adjectives: string[] = [];
  if (sayTilt) adjectives.push(pick(rng, ROTATION_WORDS));
  if (saySize) adjectives.push(pick(rng, SIZE_WORDS[o.size]));
  if (sayColour && chance(rng, full ? 1 : 0.8)) return det([...adjectives, colourWord, noun].join(' '), vague);
  const core = det([...adjectives, noun].join(' '), vague);
  if (!sayColour) return core;
  return chance(rng, 0.5) ? `${core} in ${colourWord}` : `${core} coloured ${colourWord}`;
}

function backgroundPhrase(rng: Rng, scene: Scene, full: boolean): string {
  const bg = scene.background;
  const colour = chance(rng, 0.75) ? BACKGROUND_COLOURS[bg.colour]!.name : pick(rng, BACKGROUND_COLOURS[bg.colour]!.synonyms);
  const noun = pick(rng, BACKGROUND_NOUNS);
  const sayTexture = full || bg.texture !== 'plain' ? chance(rng, full ? 1 : 0.8) : chance(rng, 0.4);
  const sayColour = full || !sayTexture || chance(rng, 0.7);
  const words = [sayTexture ? pick(rng, TEXTURE_WORDS[bg.texture]) : '', sayColour ? colour : ''].filter(Boolean);
  return withArticle([...words, noun].join(' '));
}

function list(rng: Rng, items: readonly string[]): string {
  if (items.length === 1) return items[0]!;
  const last = items[items.length - 1]!;
  const join = pick(rng, [' and ', ' and ', ' as well as ', ' together with ', ' plus ']);
  return `${items.slice(0, -1).join(', ')}${join}${last}`;
}

function countPhrase(rng: Rng, n: number): string {
  const word = pick(rng, COUNT_WORDS[n - 1]!);
  return `${word} ${n === 1 ? pick(rng, COUNT_NOUN_SINGULAR) : pick(rng, COUNT_NOUNS)}`;
}

const FRAMES = [
  'a picture of',
  'an image of',
  'a photo of',
  'a photograph of',
  'a snapshot of',
  'a rendering of',
  'a drawing of',
  'an illustration of',
  'a collage of',
  'a composition with',
  'a scene with',
  'a frame showing',
  'this image shows',
  'this picture contains',
  'the scene contains',
  'we can see',
  'you can see',
  'here we see',
  'featuring',
  'a synthetic image of',
  'a toy scene with',
  'a small render of',
  'an artwork depicting',
  'a sketch displaying',
  'a digital image of',
  'a low resolution picture of',
  'a cartoon of',
  'a mockup of',
  'a poster showing',
  'a graphic with',
  'a diagram with',
  'an arrangement of',
  'a layout of',
  'a display of',
  'a board with',
  'a card showing',
  'a tile showing',
  'the picture shows',
  'the image depicts',
  'visible here is',
  'look at',
  'notice',
  'in view is',
  'an example of',
];

/** The objects a caption names: all of them, or a random non-empty subset. */
function mentioned(rng: Rng, scene: Scene, full: boolean): SceneObject[] {
  const all = rng.shuffle([...scene.objects]);
  return full ? all : all.slice(0, 1 + rng.int(all.length));
}

function relationClause(rng: Rng, scene: Scene): string | null {
  const pairs: [SceneObject, SceneObject, string][] = [];
  for (const a of scene.objects) for (const b of scene.objects) if (a !== b) for (const r of relationsBetween(a, b)) pairs.push([a, b, r]);
  if (pairs.length === 0) return null;
  const [a, b, r] = pick(rng, pairs);
  const rel = pick(rng, RELATION_PHRASES[r as keyof typeof RELATION_PHRASES]);
  const na = nounPhrase(rng, a, false, scene);
  const nb = nounPhrase(rng, b, false, scene);
  switch (rng.int(4)) {
    case 0:
      return `${na} is ${rel} ${nb}`;
    case 1:
      return `${na} ${rel} ${nb}`;
    case 2:
      return `${rel} ${nb} there is ${na}`;
    default:
      return `${na} sits ${rel} ${nb}`;
  }
}

function placeClause(rng: Rng, scene: Scene): string | null {
  const o = pick(rng, scene.objects);
  const corner = cornerOf(o, scene.canvas);
  const region = regionOf(o, scene.canvas);
  const options: string[] = [];
  if (corner) options.push(pick(rng, [`in the ${corner} corner`, `in the ${corner.replace(' ', '-')} corner`, `at the ${corner} corner`]));
  if (region.horizontal !== 'centre') options.push(pick(rng, REGION_PHRASES[region.horizontal]));
  if (region.vertical !== 'centre') options.push(pick(rng, REGION_PHRASES[region.vertical]));
  if (region.horizontal === 'centre' && region.vertical === 'centre') options.push(pick(rng, REGION_PHRASES.centre));
  const where = pick(rng, options);
  const np = nounPhrase(rng, o, false, scene);
  switch (rng.int(3)) {
    case 0:
      return `${np} ${where}`;
    case 1:
      return `${where} there is ${np}`;
    default:
      return `${np} is ${where}`;
  }
}

function listClause(rng: Rng, scene: Scene, full: boolean): string {
  const objs = mentioned(rng, scene, full);
  const items = list(
    rng,
    objs.map((o) => nounPhrase(rng, o, full, scene)),
  );
  if (objs.length === scene.objects.length && (full || chance(rng, 0.35))) {
    const count = countPhrase(rng, objs.length);
    return chance(rng, 0.5) ? `${count}: ${items}` : `${pick(rng, FRAMES)} ${count}, namely ${items}`;
  }
  return chance(rng, 0.75) ? `${pick(rng, FRAMES)} ${items}` : items;
}

/**
 * A caption of `scene`: one of a few sentence forms (a list of objects, a count, a relation,
 * a place on the canvas), sometimes joined with a second clause and a background phrase that
 * may come first or last. Every statement is true of the scene; most leave things out.
 */
export function captionScene(scene: Scene, rng: Rng, detail: CaptionDetail = 'varied'): string {
  const full = detail === 'full';
  const clauses: string[] = [];
  const form = full ? 0 : rng.int(10);
  if (form < 4) clauses.push(listClause(rng, scene, full));
  else if (form < 6) clauses.push(`${pick(rng, FRAMES)} ${countPhrase(rng, scene.objects.length)}`);
  else if (form < 8) clauses.push(relationClause(rng, scene) ?? listClause(rng, scene, false));
  else clauses.push(placeClause(rng, scene)!);
  if (!full && chance(rng, 0.35)) {
    const second = chance(rng, 0.5) ? relationClause(rng, scene) : placeClause(rng, scene);
    if (second) clauses.push(second);
  }
  let text = clauses.join(pick(rng, ['; ', ', and ', '. ', ', while ', ', whereas ', '; meanwhile ', '; besides, ', '; also ']));
  if (full || chance(rng, 0.5)) {
    const bg = backgroundPhrase(rng, scene, full);
    const prep = pick(rng, ['on', 'against', 'in front of', 'set on']);
    text = chance(rng, full ? 1 : 0.7) ? `${text} ${prep} ${bg}` : `${prep} ${bg}, ${text}`;
  }
  return chance(rng, 0.5) ? `${text}.` : text;
}
