// File names of the model folder kinds (hotplug's own are also what saveClip writes).
export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const PREPROCESSOR_FILE = 'preprocessor_config.json';
export const OPEN_CLIP_CONFIG_FILE = 'open_clip_config.json';
export const OPEN_CLIP_MODEL_FILE = 'open_clip_model.safetensors';
/** PyTorch pickles, recognised only to say how to convert them. */
export const HF_PICKLE_FILE = 'pytorch_model.bin';
export const OPEN_CLIP_PICKLE_FILE = 'open_clip_pytorch_model.bin';
