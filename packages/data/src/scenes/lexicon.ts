// The words of the scene world: what each category, colour, size, background and relation
// may be called. Data only; the sampler, renderer, captioner and the tests all read it, so a
// word means one thing everywhere.
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../classes';

/** The 20 object categories: Fashion-MNIST labels 0-9, then MNIST digits 0-9. */
export const SCENE_CATEGORIES: readonly string[] = [...FASHION_MNIST_CLASSES, ...MNIST_CLASSES.map((d) => `digit ${d}`)];
export const SCENE_SOURCES = ['fashion-mnist', 'mnist'] as const;
export type SceneSource = (typeof SCENE_SOURCES)[number];

/** Category c comes from this dataset with this label. */
export function categorySource(category: number): { dataset: SceneSource; label: number } {
  return category < 10 ? { dataset: 'fashion-mnist', label: category } : { dataset: 'mnist', label: category - 10 };
}

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Noun phrases per category, without article or adjectives. No phrase uses a word that is also
 * a position word ("top" is left out of T-shirt's names) so a caption can be read back unambiguously.
 */
export const CATEGORY_NOUNS: readonly (readonly string[])[] = [
  ['t-shirt', 'tee', 'tee shirt', 'short-sleeved shirt', 'jersey', 'crew-neck tee', 'singlet'],
  ['pair of trousers', 'pair of pants', 'pair of slacks', 'pair of jeans', 'pair of chinos', 'trouser', 'pair of leggings', 'pair of joggers'],
  ['pullover', 'sweater', 'jumper', 'sweatshirt', 'knit pullover', 'hoodie', 'cardigan'],
  ['dress', 'frock', 'gown', 'sundress', 'long dress', 'sleeveless dress', 'tunic'],
  ['coat', 'jacket', 'overcoat', 'parka', 'raincoat', 'anorak', 'blazer', 'windbreaker'],
  ['sandal', 'flip-flop', 'open shoe', 'strappy sandal', 'slipper', 'heeled sandal', 'espadrille'],
  ['shirt', 'button-up shirt', 'blouse', 'collared shirt', 'long-sleeved shirt', 'flannel shirt', 'dress shirt'],
  ['sneaker', 'trainer', 'running shoe', 'sports shoe', 'tennis shoe', 'jogging shoe', 'low-top sneaker'],
  ['bag', 'handbag', 'purse', 'tote', 'satchel', 'clutch', 'shoulder bag', 'shopping bag'],
  ['ankle boot', 'boot', 'short boot', 'bootie', 'chelsea boot', 'heeled boot', 'winter boot'],
  ...DIGIT_WORDS.map((w, d) => [
    `digit ${w}`,
    `digit ${d}`,
    `number ${w}`,
    `number ${d}`,
    `numeral ${w}`,
    `handwritten ${w}`,
    `handwritten ${d}`,
    `scribbled ${d}`,
    `hand-drawn ${w}`,
    `inked ${d}`,
    `sketched ${w}`,
    `${d}`,
    `${w}`,
  ]),
];

/** Words for any object, for counting and for vague mentions ("an object"). */
export const COUNT_NOUNS = ['objects', 'things', 'items', 'shapes', 'elements', 'cutouts', 'silhouettes', 'forms'] as const;
export const COUNT_NOUN_SINGULAR = ['object', 'thing', 'item', 'shape', 'element', 'cutout', 'silhouette', 'form'] as const;
export const CLOTHING_WORDS = ['piece of clothing', 'garment', 'clothing item', 'fashion item', 'article of apparel', 'wearable'] as const;
export const DIGIT_GENERIC = ['digit', 'number', 'numeral'] as const;
/** Ways to say 1-4, index = count - 1. */
export const COUNT_WORDS: readonly (readonly string[])[] = [
  ['one', '1', 'a single'],
  ['two', '2', 'a pair of'],
  ['three', '3'],
  ['four', '4'],
];

export interface NamedColour {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
  /** Other words for the same colour; never shared with another colour. */
  readonly synonyms: readonly string[];
}

/** Object colours (10). */
export const OBJECT_COLOURS: readonly NamedColour[] = [
  { name: 'red', rgb: [225, 30, 35], synonyms: ['scarlet', 'crimson', 'cherry'] },
  { name: 'green', rgb: [30, 185, 50], synonyms: ['emerald', 'lime', 'jade'] },
  { name: 'blue', rgb: [40, 90, 240], synonyms: ['cobalt', 'azure', 'sapphire'] },
  { name: 'yellow', rgb: [245, 225, 30], synonyms: ['golden', 'lemon', 'canary'] },
  { name: 'orange', rgb: [250, 135, 15], synonyms: ['tangerine', 'amber', 'apricot'] },
  { name: 'purple', rgb: [150, 45, 200], synonyms: ['violet', 'lilac', 'plum'] },
  { name: 'pink', rgb: [255, 120, 195], synonyms: ['rose', 'magenta', 'fuchsia'] },
  { name: 'cyan', rgb: [20, 220, 230], synonyms: ['turquoise', 'aqua', 'teal'] },
  { name: 'white', rgb: [250, 250, 250], synonyms: ['snowy', 'ivory', 'pearl'] },
  { name: 'brown', rgb: [140, 80, 25], synonyms: ['chocolate', 'bronze', 'coffee'] },
];

/** Background colours (6), chosen dark or muted so most object colours stand out on them. */
export const BACKGROUND_COLOURS: readonly NamedColour[] = [
  { name: 'black', rgb: [8, 8, 8], synonyms: ['dark', 'jet-black', 'ebony'] },
  { name: 'grey', rgb: [110, 110, 115], synonyms: ['gray', 'slate', 'ashen'] },
  { name: 'navy', rgb: [15, 25, 80], synonyms: ['midnight', 'dark-blue', 'indigo'] },
  { name: 'olive', rgb: [70, 75, 20], synonyms: ['khaki', 'moss', 'army-green'] },
  { name: 'maroon', rgb: [85, 15, 25], synonyms: ['burgundy', 'wine-coloured', 'oxblood'] },
  { name: 'beige', rgb: [200, 185, 150], synonyms: ['cream', 'sand-coloured', 'tan'] },
];

/** Background patterns; 'plain' is one colour, the others mix the colour with a lighter shade of it. */
export const TEXTURES = ['plain', 'stripes', 'checker', 'dots', 'noise', 'gradient'] as const;
export type Texture = (typeof TEXTURES)[number];
/** Adjectives for each texture (the caption says "a striped grey background"). */
export const TEXTURE_WORDS: Readonly<Record<Texture, readonly string[]>> = {
  plain: ['plain', 'flat', 'uniform', 'solid', 'empty'],
  stripes: ['striped', 'stripy', 'lined', 'banded', 'pinstriped'],
  checker: ['checkered', 'chequered', 'checkerboard', 'tiled', 'gingham'],
  dots: ['dotted', 'spotted', 'polka-dot', 'speckled', 'spotty'],
  noise: ['noisy', 'grainy', 'mottled', 'textured', 'fuzzy'],
  gradient: ['shaded', 'fading', 'graded', 'gradient', 'ombre'],
};
export const BACKGROUND_NOUNS = ['background', 'backdrop', 'surface', 'ground', 'canvas', 'field', 'setting', 'base'] as const;

export const SIZES = ['small', 'large'] as const;
export type SizeName = (typeof SIZES)[number];
export const SIZE_WORDS: Readonly<Record<SizeName, readonly string[]>> = {
  small: ['small', 'little', 'tiny', 'miniature', 'petite'],
  large: ['large', 'big', 'huge', 'giant', 'oversized'],
};

export const CORNERS = ['top left', 'top right', 'bottom left', 'bottom right'] as const;
export type Corner = (typeof CORNERS)[number];
/** Pairwise relations a caption may state: A <relation> B. */
export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type Relation = (typeof RELATIONS)[number];
export const RELATION_PHRASES: Readonly<Record<Relation, readonly string[]>> = {
  'left of': ['to the left of', 'left of', 'on the left of', 'further left than'],
  'right of': ['to the right of', 'right of', 'on the right of', 'further right than'],
  above: ['above', 'over', 'higher than', 'further up than'],
  below: ['below', 'under', 'beneath', 'underneath', 'lower than'],
};
/** Where on the canvas one object is (by the thirds its centre falls in). */
export const REGION_PHRASES: Readonly<Record<'left' | 'right' | 'top' | 'bottom' | 'centre', readonly string[]>> = {
  left: ['on the left', 'at the left side', 'on the left-hand side'],
  right: ['on the right', 'at the right side', 'on the right-hand side'],
  top: ['at the top', 'near the top edge', 'in the upper part'],
  bottom: ['at the bottom', 'near the bottom edge', 'in the lower part'],
  centre: ['in the middle', 'in the centre', 'in the center'],
};
export const ROTATION_WORDS = ['tilted', 'rotated', 'slanted', 'turned', 'askew', 'angled', 'skewed', 'leaning', 'crooked'] as const;

/**
 * Prompts for each of the 20 categories (prompts[c] = every template filled with each of its
 * names), e.g. for a classifier over the concepts scene captions talk about.
 */
export function sceneCategoryPrompts(templates: readonly string[] = ['a picture of {}.', 'a scene with {}.', '{} on a background.']): string[][] {
  const withArticle = (p: string) => `${/^(a|e|i|o|8|eight)/.test(p) ? 'an' : 'a'} ${p}`;
  return CATEGORY_NOUNS.map((names) => templates.flatMap((t) => names.map((n) => t.replaceAll('{}', withArticle(n)))));
}
