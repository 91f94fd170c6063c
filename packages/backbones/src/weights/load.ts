import type { Clip } from '../model/clip';
import { assignValue } from '../model/params';
import { detectLayout, hfLayout, hotplugLayout, openClipLayout, type LayoutName, type WeightLayout } from './layouts';
import { WeightsMismatchError } from '../errors';
import { SafetensorsReader, writeSafetensors } from './safetensors';

export interface LoadWeightsOptions {
  /** Checkpoint layout; 'auto' (default) guesses from tensor names. */
  layout?: LayoutName | 'auto';
  /**
   * Load one tower only (e.g. from a vision-only checkpoint such as CLIPVisionModelWithProjection);
   * the other tower's tensors, if present, are skipped and its variables keep their values.
   */
  only?: 'visual' | 'text';
  /** Load tensors holding NaN or Infinity (default false: the load is refused, naming the tensor). */
  allowNonFinite?: boolean;
}

export interface LoadReport {
  layout: LayoutName;
  loaded: number;
  ignored: string[];
}

function layoutFor(name: LayoutName, clip: Clip): WeightLayout {
  if (name === 'hf') return hfLayout;
  if (name === 'open_clip') return openClipLayout;
  return hotplugLayout(new Map([...clip.namedWeights()].map(([n, v]) => [n, v.shape])));
}

/**
 * Loads a safetensors checkpoint (Hugging Face CLIP, open_clip or this project's layout)
 * into a model built with the matching config. Every problem is reported at once and
 * nothing is assigned unless the whole checkpoint fits: names, shapes and dtypes are
 * checked from the header, then every tensor is read once to check its values are finite,
 * and only then is anything assigned (a second read, so memory stays one tensor).
 */
export function loadWeights(clip: Clip, source: string | SafetensorsReader, options: LoadWeightsOptions = {}): LoadReport {
  const reader = typeof source === 'string' ? SafetensorsReader.open(source) : source;
  try {
    const names = reader.names;
    const layoutName = !options.layout || options.layout === 'auto' ? detectLayout(names) : options.layout;
    if (!layoutName)
      throw new WeightsMismatchError({
        file: reader.path,
        problem: `cannot tell the layout of ${reader.path} (first tensors: ${names.slice(0, 5).join(', ')}); pass { layout: 'hf' | 'open_clip' | 'hotplug' }`,
      });
    const layout = layoutFor(layoutName, clip);
    const allRules = layout.rules(clip.config);
    const only = options.only;
    if (only !== undefined && only !== 'visual' && only !== 'text')
      throw new Error(`loadWeights: only must be 'visual' or 'text', got ${JSON.stringify(only)}`);
    const rules = only ? allRules.filter((r) => r.targets.every((t) => t.name.startsWith(`${only}.`))) : allRules;
    const otherTower = new Set(allRules.filter((r) => !rules.includes(r)).map((r) => r.source));
    const weights = clip.namedWeights();
    const missing: string[] = [];
    const wrongShape: string[] = [];
    const wrongDtype: string[] = [];
    const used = new Set<string>();
    for (const rule of rules) {
      const e = reader.entries.get(rule.source);
      if (!e) {
        missing.push(`${rule.source} [${rule.sourceShape.join(', ')}]`);
        continue;
      }
      used.add(rule.source);
      if (e.shape.length !== rule.sourceShape.length || e.shape.some((d, i) => d !== rule.sourceShape[i]))
        wrongShape.push(`${rule.source}: file has [${e.shape.join(', ')}], model "${clip.config.name}" needs [${rule.sourceShape.join(', ')}]`);
      try {
        reader.checkReadable(rule.source);
      } catch {
        wrongDtype.push(`${rule.source}: ${e.dtype}`);
      }
      for (const t of rule.targets) if (!weights.has(t.name)) throw new Error(`layout ${layoutName} maps to unknown variable ${t.name}`);
    }
    const skip = (n: string) => layout.ignore.test(n) || otherTower.has(n);
    const ignored = names.filter((n) => !used.has(n) && skip(n));
    const unexpected = names.filter((n) => !used.has(n) && !skip(n));
    if (missing.length || unexpected.length || wrongShape.length || wrongDtype.length) {
      const section = (title: string, list: string[]) => (list.length ? `\n  ${title} (${list.length}):\n    ${list.join('\n    ')}` : '');
      throw new WeightsMismatchError({
        file: reader.path,
        problem:
          `checkpoint (${layoutName} layout) does not fit model "${clip.config.name}":` +
          section('missing tensors', missing) +
          section('unexpected tensors', unexpected) +
          section('wrongly shaped tensors', wrongShape) +
          section(`tensors of unsupported dtype (supported: F32, F16, BF16, F64, I32, I64)`, wrongDtype),
        fix: 'Check that the config matches the checkpoint (name, width, depth, vocab size, context length); convert other dtypes to F32 or F16. Nothing was loaded',
      });
    }
    const readOptions = { allowNonFinite: options.allowNonFinite ?? false };
    // Values are checked in a pass of their own so a NaN in the last tensor leaves the model untouched.
    if (!readOptions.allowNonFinite) for (const rule of rules) reader.readFloat32(rule.source, readOptions);
    for (const rule of rules) {
      const data = reader.readFloat32(rule.source, readOptions);
      for (const t of rule.targets) {
        const variable = weights.get(t.name)!;
        assignValue(variable, t.convert(data), variable.shape);
      }
    }
    return { layout: layoutName, loaded: rules.length, ignored };
  } finally {
    if (typeof source === 'string') reader.close();
  }
}

/** Writes every variable of the model as float32 safetensors (this project's layout), one tensor in memory at a time. */
export function saveWeights(clip: Clip, path: string): void {
  const tensors = [...clip.namedWeights()].map(([name, v]) => ({ name, shape: v.shape, data: () => v.dataSync() as Float32Array }));
  writeSafetensors(path, tensors, { format: 'hotplug', model: clip.config.name });
}
