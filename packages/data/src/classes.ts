// Class names as people say them, the noun phrases captions draw from, and the
// hand-written zero-shot templates. Data only: corpus.ts and prompts.ts use it.

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;

export const MNIST_CLASSES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

/**
 * Ways to say each class, so captions vary. Clothing phrases carry their article
 * ("a pair of trousers", "an ankle boot"); digit phrases are bare ("number 7") because
 * the digit templates supply the article. Index = label.
 */
export const FASHION_MNIST_SYNONYMS: readonly (readonly string[])[] = [
  ['a T-shirt', 'a top', 'a tee', 'a short-sleeved top', 'a T-shirt or top'],
  ['a pair of trousers', 'a pair of pants', 'trousers', 'a pair of slacks'],
  ['a pullover', 'a sweater', 'a jumper', 'a knitted pullover'],
  ['a dress', 'a frock', 'a summer dress', "a woman's dress"],
  ['a coat', 'a jacket', 'an overcoat', 'a winter coat'],
  ['a sandal', 'a pair of sandals', 'an open shoe', 'a summer sandal'],
  ['a shirt', 'a button-up shirt', 'a blouse', 'a long-sleeved shirt'],
  ['a sneaker', 'a trainer', 'a running shoe', 'a sports shoe'],
  ['a bag', 'a handbag', 'a purse', 'a tote bag'],
  ['an ankle boot', 'a boot', 'a short boot', 'a leather ankle boot'],
];

export const MNIST_SYNONYMS: readonly (readonly string[])[] = [
  ['zero', '0', 'digit zero', 'number 0', 'digit 0'],
  ['one', '1', 'digit one', 'number 1', 'digit 1'],
  ['two', '2', 'digit two', 'number 2', 'digit 2'],
  ['three', '3', 'digit three', 'number 3', 'digit 3'],
  ['four', '4', 'digit four', 'number 4', 'digit 4'],
  ['five', '5', 'digit five', 'number 5', 'digit 5'],
  ['six', '6', 'digit six', 'number 6', 'digit 6'],
  ['seven', '7', 'digit seven', 'number 7', 'digit 7'],
  ['eight', '8', 'digit eight', 'number 8', 'digit 8'],
  ['nine', '9', 'digit nine', 'number 9', 'digit 9'],
];

/** Caption templates for the corpus; `{}` takes a noun phrase (with its article). */
export const FASHION_CAPTION_TEMPLATES = [
  'a photo of {}.',
  'a grayscale photo of {}.',
  'a low resolution photo of {}.',
  'a product photo of {}.',
  'a small picture of {}.',
  '{} on a plain background.',
  'a catalogue image of {}.',
  'a centered photo of {}, in black and white.',
] as const;

export const MNIST_CAPTION_TEMPLATES = [
  'a handwritten {}.',
  'a photo of a handwritten {}.',
  'a scan of a handwritten {}.',
  'the {} written in ink.',
  'a low resolution image of a handwritten {}.',
  'a white {} drawn on black.',
  'someone wrote the {}.',
] as const;

/** Zero-shot templates with the plain class name in `{}` (CLIP style), several per dataset. */
// 'the' rather than 'a': class names are bare and 'a ankle boot' would be wrong.
export const FASHION_ZERO_SHOT_TEMPLATES = [
  'a photo of the {}.',
  'a grayscale photo of the {}.',
  'a low resolution photo of the {}.',
  'a product photo of the {}.',
  'a photo of the {}, a type of clothing.',
] as const;

export const MNIST_ZERO_SHOT_TEMPLATES = [
  'a photo of the number: "{}".',
  'a handwritten digit {}.',
  'a photo of the digit {}.',
  'the number {} written by hand.',
  'a low resolution image of the digit {}.',
] as const;
