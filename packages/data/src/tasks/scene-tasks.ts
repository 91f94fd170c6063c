import { hashString } from '@hotplug/runtime';
import { CATEGORY_NOUNS, OBJECT_COLOURS, RELATIONS, SCENE_CATEGORIES } from '../scenes/lexicon';
import type { SceneConstraints } from '../scenes/scene';
import { sceneWorld, type SceneSet } from '../scenes/world';
import type { ClassificationData, DownstreamTask, MultiLabelData, TaskLoadOptions } from './registry';

/** Held-out scenes of a task: test-split objects, the task's own stream (seed from its name). */
function heldOut(task: string, size: number, options: TaskLoadOptions, constraints?: (i: number) => SceneConstraints): SceneSet {
  if (!Number.isInteger(size) || size < 1) throw new Error(`task '${task}': size must be a positive integer, got ${size}`);
  return sceneWorld('test', { load: options.load }).set({
    seed: hashString(`task:${task}`),
    size,
    format: options.format,
    constraints,
    progress: options.progress,
    label: task,
  });
}

function prompts(classNames: readonly string[], templates: readonly string[]) {
  return { classNames: [...classNames], templates, prompts: classNames.map((c) => templates.map((t) => t.replaceAll('{}', c))) };
}

function classification(
  name: string,
  description: string,
  classNames: readonly string[],
  templates: readonly string[],
  defaultSize: number,
  constraints: (i: number) => SceneConstraints,
  label: (set: SceneSet, i: number) => number,
  itemPrompts?: (set: SceneSet, i: number) => string[],
): DownstreamTask<ClassificationData> {
  return {
    name,
    description,
    kind: 'classification',
    split: 'test',
    classNames,
    templates,
    load(options: TaskLoadOptions = {}): ClassificationData {
      const set = heldOut(name, options.size ?? defaultSize, options, constraints);
      return {
        kind: 'classification',
        task: name,
        name,
        split: 'test',
        size: set.size,
        height: set.height,
        width: set.width,
        channels: set.channels,
        images: set.images,
        labels: Int32Array.from({ length: set.size }, (_, i) => label(set, i)),
        classNames,
        prompts: prompts(classNames, templates),
        scenes: set.scenes,
        ...(itemPrompts ? { itemPrompts: Array.from({ length: set.size }, (_, i) => itemPrompts(set, i)) } : {}),
      };
    },
  };
}

const COUNT_CLASSES = ['one object', 'two objects', 'three objects', 'four objects'];
/** Counting: 1-4 objects of any category, count = 1 + (index mod 4) so the classes are balanced. */
export const COUNTING_TASK = classification(
  'scene-count',
  'how many objects (1-4) a held-out scene holds',
  COUNT_CLASSES,
  ['a picture of {}.', 'a scene with {}.', '{} on a background.'],
  2000,
  (i) => ({ count: 1 + (i % 4) }),
  (set, i) => set.scenes[i]!.objects.length - 1,
);

const COLOUR_CLASSES = OBJECT_COLOURS.map((c) => c.name);
/** Colour: one object whose colour is index mod 10, on a background it stands out on. */
export const COLOUR_TASK = classification(
  'scene-colour',
  'the colour of the single object of a held-out scene',
  COLOUR_CLASSES,
  ['a {} object.', 'a picture of something {}.', 'a {} thing on a background.'],
  2000,
  (i) => ({ count: 1, colour: i % COLOUR_CLASSES.length }),
  (set, i) => set.scenes[i]!.objects[0]!.colour,
);

const CLOTHING = Array.from({ length: 10 }, (_, c) => c);
const DIGITS = Array.from({ length: 10 }, (_, c) => 10 + c);
const article = (p: string) => (/^(a|e|i|o|8)/.test(p) ? `an ${p}` : `a ${p}`);
/**
 * Relation: a clothing item and a digit; the label is where the clothing item is relative to the
 * digit, which holds in exactly one of the four relations (boxes apart on one axis, overlapping on
 * the other); relation = index mod 4. itemPrompts name the scene's two objects.
 */
export const RELATION_TASK = classification(
  'scene-relation',
  'where the clothing item is relative to the digit (left of, right of, above, below)',
  RELATIONS,
  ['a piece of clothing {} a digit.', 'a garment {} a number.', 'clothing {} a handwritten digit.'],
  2000,
  (i) => ({ count: 2, categories: [CLOTHING, DIGITS], relation: RELATIONS[i % 4]! }),
  (_set, i) => i % 4,
  (set, i) => {
    const [a, b] = set.scenes[i]!.objects;
    return RELATIONS.map((r) => `${article(CATEGORY_NOUNS[a!.category]![0]!)} ${r} ${article(CATEGORY_NOUNS[b!.category]![0]!)}.`);
  },
);

/**
 * Presence: 1-4 objects; a multi-label target per category (20). Score it one-vs-rest per
 * category (oneVsRest gives each as a two-class ImageDataset), e.g. mean average precision.
 */
export const PRESENCE_TASK: DownstreamTask<MultiLabelData> = {
  name: 'scene-presence',
  description: 'which of the 20 categories appear in a held-out scene (multi-label, scored one-vs-rest)',
  kind: 'multi-label',
  split: 'test',
  classNames: SCENE_CATEGORIES,
  templates: ['a picture with a {} in it.', 'a scene containing a {}.', 'there is a {} somewhere in the image.'],
  load(options: TaskLoadOptions = {}): MultiLabelData {
    const set = heldOut('scene-presence', options.size ?? 2000, options);
    const k = SCENE_CATEGORIES.length;
    const targets = new Uint8Array(set.size * k);
    set.scenes.forEach((s, i) => {
      s.objects.forEach((o) => {
        targets[i * k + o.category] = 1;
      });
    });
    return {
      kind: 'multi-label',
      task: 'scene-presence',
      name: 'scene-presence',
      split: 'test',
      size: set.size,
      height: set.height,
      width: set.width,
      channels: set.channels,
      images: set.images,
      classNames: SCENE_CATEGORIES,
      targets,
      prompts: prompts(SCENE_CATEGORIES, PRESENCE_TASK.templates),
      scenes: set.scenes,
    };
  },
};
