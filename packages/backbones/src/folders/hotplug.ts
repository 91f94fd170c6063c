import { resolveConfig, type ClipConfig } from '../config';
import { ModelConfigError } from '../errors';
import { isObject, weightsProblem } from './files';
import type { ModelFolderKind } from './kind';
import { CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE } from './names';

// What saveClip writes: the full ClipConfig as config.json, weights under the model's own names.
const CONFIG = CONFIG_FILE;
const WEIGHTS = MODEL_FILE;
const TOKENIZER = TOKENIZER_FILE;

export const hotplugFolder: ModelFolderKind = {
  name: 'hotplug',
  label: 'hotplug folder (saveClip)',
  expects: `${CONFIG} (hotplug ClipConfig: name, embedDim, vision, text), ${WEIGHTS} (hotplug weight names), ${TOKENIZER} (optional)`,
  check(files) {
    const found: string[] = [];
    const missing: string[] = [];
    const config = files.readJson(CONFIG);
    if (config.state === 'absent') missing.push(`${CONFIG} is missing`);
    else if (config.state === 'bad') missing.push(`${CONFIG} is ${config.reason}`);
    // A config with both sections is ours; its fields are checked (with every problem listed) when read.
    else if (isObject(config.json.vision) && isObject(config.json.text)) found.push(CONFIG);
    else missing.push(`${CONFIG} is not a hotplug config (no "vision" and "text" sections)`);
    const weights = weightsProblem(files, WEIGHTS, 'hotplug');
    if (weights) missing.push(weights);
    else found.push(WEIGHTS);
    return { found, missing };
  },
  plan(files) {
    const config = files.readJson(CONFIG);
    if (config.state !== 'ok') throw new ModelConfigError({ file: files.path(CONFIG), problem: 'not readable', fix: 'Save the model again with saveClip' });
    return {
      kind: 'hotplug',
      config: resolveConfig(config.json as unknown as ClipConfig, files.path(CONFIG)),
      weightsFile: files.path(WEIGHTS),
      layout: 'hotplug',
      ...(files.has(TOKENIZER) ? { tokenizerFile: files.path(TOKENIZER) } : {}),
    };
  },
};
