// Public API of @hotplug/taca: everything a user may import is exported here.
import './variants/index';

export { ADAPTER_DEFAULTS } from './config';
export type { AdapterConfig, AdapterConfigInput, OutputProjectionMode } from './config';
export { AdapterBuilder, AdapterDimensionError, adapterTarget, activate } from './adapter';
export type { Adapter, AdapterTarget, BottleneckActivation, BottleneckNames, BottleneckShape } from './adapter';
export { registerAdapter, createAdapter, adapterNames, listAdapters, resolveAdapterConfig, AdapterConfigError } from './registry';
export type { AdapterFactory, AdapterVariantSpec, AdapterVariantInfo, OptionsValidator, CreateAdapterOptions } from './registry';
export {
  tacaSymmetric,
  sequentialAdapter,
  parallelAdapter,
  loraAdapter,
  projectionAdapter,
  mlpProjectionAdapter,
  BOTTLENECK_DEFAULTS,
  LORA_DEFAULTS,
  MLP_PROJECTION_DEFAULTS,
  matchedMlpHidden,
  tacaSymmetricBlockParameters,
  BUILT_IN_ADAPTERS,
} from './variants/index';
export type { BottleneckOptions, LoraOptions, LoraTarget, MlpProjectionOptions } from './variants/index';
export { AdaptedEncoder, injectAdapter } from './adapted-encoder';
export {
  saveAdapter,
  loadAdapter,
  readAdapterManifest,
  encoderIdentity,
  AdapterManifestError,
  ADAPTER_LIMITS,
  ADAPTER_WEIGHTS_FILE,
  ADAPTER_CONFIG_FILE,
} from './io';
export type { AdapterIdentity, LoadAdapterOptions } from './io';
export { adaptedEncoderToOnnx, exportAdaptedEncoder } from './onnx';
export { distillationLoss, contrastiveAlignmentLoss, influenceLoss, hybridLoss, TACA_LOSS_DEFAULTS } from './losses';
export type { DistillKind, HybridLossConfig, HybridLossInputs } from './losses';
export { teacherFromClip, teacherFeatures, textClassifier, featureCacheKey } from './teacher';
export type { Teacher, TeacherFeatures, TeacherFeatureOptions } from './teacher';
export { imageBatch, gatherRows } from './images';
export type { ImageCaptionSet, Normalization } from './images';
export { trainAdapter, weightsFingerprint, TACA_TRAINING_DEFAULTS } from './train';
export type { TacaTrainingConfig, TrainAdapterOptions, TrainAdapterResult } from './train';
