// Public API of @hotplug/backbones: everything a user may import is exported here.
export { InvalidFileError, SafetensorsError, WeightsMismatchError, TokenizerFileError, OnnxModelError, ModelConfigError, ModelFolderError } from './errors';
export type { InvalidFileDetails, FolderKindReport } from './errors';
export { registerConfig, getConfig, listConfigs, resolveConfig, validateConfig, visionTokenCount, estimateParameters, DEFAULT_CONFIG_LIMITS } from './config';
export type { Activation, ClipConfig, ClipConfigInput, TextConfig, VisionConfig, ConfigLimits } from './config';
export { clipConfigFromHf, clipConfigFromOpenClip } from './external-configs';

export type { TensorOps } from './ops/types';
export { tfjsOps } from './ops/tfjs-ops';

export { createClip } from './model/clip';
export type { Clip, CreateClipOptions } from './model/clip';
export { VisionTransformer } from './model/vision';
export { normalizeImages, embedImageBytes } from './model/preprocess';
export type { ImageBytes, EmbedImagesOptions } from './model/preprocess';
export { TextTransformer } from './model/text';
export type { TextInput } from './model/text';
export { promptEnsemble, expandClassPrompts, PromptSetError } from './model/prompt-ensemble';
export type { ClassPromptSet, ClassEmbeddings, PromptEnsembleOptions } from './model/prompt-ensemble';
export type { Encoder, ImageEncoder, TextEncoder, EncoderOutput, TraceOptions } from './model/encoder';
export type {
  EncoderHooks,
  EncoderName,
  SublayerName,
  LinearName,
  SublayerHookArgs,
  LinearHookArgs,
  MlpHiddenHookArgs,
  BlockHookArgs,
  FinalHookArgs,
} from './model/hooks';

export { SafetensorsReader, writeSafetensors } from './weights/safetensors';
export type { SafetensorsEntry, SafetensorsReadOptions, TensorSource } from './weights/safetensors';
export { SUPPORTED_DTYPES } from './weights/dtypes';
export { loadWeights, saveWeights } from './weights/load';
export type { LoadWeightsOptions, LoadReport } from './weights/load';
export { hfLayout, openClipLayout, detectLayout } from './weights/layouts';
export type { LayoutName, WeightLayout, LayoutRule } from './weights/layouts';

export { saveClip, loadClip, configForTokenizer, MODEL_FILE, CONFIG_FILE, TOKENIZER_FILE } from './io';
export type { LoadClipOptions, LoadedClip } from './io';
export { detectModelFolder, modelFolderKinds } from './folders/detect';
export { resolveModelSource } from './folders/source';
export type { ModelSource, ModelSourceOptions } from './folders/source';
export type { ModelFolderKindName, ModelFolderPlan } from './folders/kind';
export { PREPROCESSOR_FILE, OPEN_CLIP_CONFIG_FILE, OPEN_CLIP_MODEL_FILE } from './folders/names';

export {
  buildTokenizer,
  loadTokenizer,
  tokenizerFromJson,
  DEFAULT_MAX_VOCAB_SIZE,
  DEFAULT_MAX_CONTEXT_LENGTH,
  DEFAULT_MAX_TOKENIZER_BYTES,
} from './tokenizer/tokenizer';
export type { Tokenizer, TokenizerOptions } from './tokenizer/tokenizer';
export { buildTokenizerJson, SPECIAL_TOKENS } from './tokenizer/build';
export type { BuildTokenizerOptions } from './tokenizer/build';

export { OnnxRecorder } from './onnx/recorder';
export type { Sym } from './onnx/recorder';
export { imageEncoderToOnnx, textEncoderToOnnx, exportImageEncoder, exportTextEncoder, ONNX_IMAGE_INPUT, ONNX_TEXT_INPUT, ONNX_OUTPUT } from './onnx/export';
export type { OnnxExportOptions, OnnxImageExportOptions } from './onnx/export';
export { OnnxEncoder, loadOnnxImageEncoder, loadOnnxTextEncoder } from './onnx/ort-encoder';
export type { OnnxEncoderOptions } from './onnx/ort-encoder';
