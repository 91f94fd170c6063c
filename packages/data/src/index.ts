// Public API of @hotplug/data: everything a user may import is exported here.
export type { ImageDataset, SplitName, SkippedImage, OnBadImage } from './types';
export { subset, classCounts, imageAt, imageBytes, validateDataset } from './dataset';
export { stratifiedSplit, indicesByClass, complement } from './splits';
export type { IndexSplit } from './splits';
export { cacheDir, readDatasetCache, writeDatasetCache } from './cache';
export { loadDataset } from './load';
export type { EmbeddedName, LoadOptions } from './load';
export { registerDataset, getDataset, listDatasets } from './embedded/registry';
export type { EmbeddedDataset, DatasetLocation } from './embedded/registry';
export { DatasetSourceError, DatasetNotFoundError, DatasetChecksumError } from './embedded/errors';
export { idxFamily } from './embedded/idx-family';
export type { IdxFamilyConfig, IdxSplitFiles } from './embedded/idx-family';
export { npmJsonFamily } from './embedded/npm-family';
export type { NpmFamilyConfig, NpmPixelFormat, SplitIndexFile } from './embedded/npm-family';
export { readIdx, parseIdx, readIdxDataset } from './sources/idx';
export type { IdxArray, IdxType, IdxDatasetOptions } from './sources/idx';
export {
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  FASHION_MNIST_SYNONYMS,
  MNIST_SYNONYMS,
  FASHION_CAPTION_TEMPLATES,
  MNIST_CAPTION_TEMPLATES,
  FASHION_ZERO_SHOT_TEMPLATES,
  MNIST_ZERO_SHOT_TEMPLATES,
} from './classes';
export { decodeImage, rgbaToChannels, sniffFormat } from './readers/decode';
export type { RgbaImage } from './readers/decode';
export { resizeBytes, fitBytes } from './readers/resize';
export type { FitMode, CropBox } from './readers/resize';
export { decodeIndex, indexLabels, subsetIndex } from './readers/image-index';
export type { ImageIndex, ImageIndexEntry, DecodeOptions, DecodedImages } from './readers/image-index';
export { indexImageFolder, isImageFile, IMAGE_EXTENSIONS } from './readers/folder';
export type { FolderIndexOptions } from './readers/folder';
export { indexCaptionFile, parseCsv } from './readers/captions';
export type { CaptionIndexOptions } from './readers/captions';
export { COOP_DATASETS, indexCoopDataset, indexCoopSplitFile, readClassnamesTxt } from './readers/coop';
export type { CoopLayout } from './readers/coop';
export { InvalidFileError, ImageDecodeError, IdxFileError, DataListingError, PathOutsideRootError } from './errors';
export type { InvalidFileDetails } from './errors';
export { DEFAULT_IMAGE_LIMITS } from './readers/decode';
export type { ImageLimits } from './readers/decode';
export { DEFAULT_MAX_CLASSES } from './readers/captions';
export type { CoopReadOptions } from './readers/coop';
export { DEFAULT_MAX_GUNZIP_BYTES } from './sources/idx';
export type { GunzipOptions } from './sources/idx';
export { readImageFolder, readCaptionFile, readCoopDataset } from './readers/read';
export { fewShotIndices, fewShotSplit, coopFewShotIndices, COOP_SHOTS, COOP_SEEDS } from './fewshot';
export type { FewShotOptions, CoopFewShotIndices } from './fewshot';
export { fewShotTask } from './tasks/few-shot';
export type { FewShotTask } from './tasks/few-shot';
export { classPrompts, zeroShotTemplates, registerZeroShotTemplates } from './prompts';
export type { ClassPrompts } from './prompts';
export { buildCaptionCorpus, makeCaption, captionVocabulary, registerCaptionVocabulary } from './corpus';
export type { CaptionCorpus, CaptionCorpusOptions, CaptionVocabulary } from './corpus';
export { createTransform, composeTransforms, applyStepsTf, bytesToTensor, NORMALIZATION, PRESET_PIPELINES } from './transforms';
export { affineInverse, compilePlan } from './transform-plan';
export type { TransformStep, BatchShape } from './transform-plan';
export type { TransformSpec, BatchTransform } from './transforms';
export { BatchIterator } from './batches';
export type { Batch, BatchOptions, BatchSource } from './batches';
// Scenes: the compositional image-caption world (README "Scenes, tasks and corpora").
export { objectBank, objectBitmap, inkBoxOf, OBJECT_SIDE } from './scenes/bank';
export type { ObjectBank, SceneSplit } from './scenes/bank';
export {
  SCENE_CATEGORIES,
  SCENE_SOURCES,
  CATEGORY_NOUNS,
  OBJECT_COLOURS,
  BACKGROUND_COLOURS,
  TEXTURES,
  TEXTURE_WORDS,
  SIZES,
  SIZE_WORDS,
  CORNERS,
  RELATIONS,
  RELATION_PHRASES,
  REGION_PHRASES,
  ROTATION_WORDS,
  COUNT_WORDS,
  COUNT_NOUNS,
  COUNT_NOUN_SINGULAR,
  CLOTHING_WORDS,
  DIGIT_GENERIC,
  BACKGROUND_NOUNS,
  categorySource,
  sceneCategoryPrompts,
} from './scenes/lexicon';
export type { NamedColour, Texture, SizeName, Corner, Relation, SceneSource } from './scenes/lexicon';
export {
  SCENE_DEFAULTS,
  COMPATIBLE_COLOURS,
  sampleScene,
  sceneSeed,
  relationsBetween,
  cornerOf,
  regionOf,
  backgroundShade,
  objectBoxSize,
} from './scenes/scene';
export type { Scene, SceneObject, SceneBackground, SceneConfig, SceneConstraints } from './scenes/scene';
export { renderScene, drawObject, fillBackground } from './scenes/render';
export type { ObjectDraw } from './scenes/render';
export { captionScene } from './scenes/caption';
export type { CaptionDetail } from './scenes/caption';
export { SceneWorld, sceneWorld, convertImage } from './scenes/world';
export type { ImageFormat, ImageBatch, SceneSample, SceneSet, SceneSetOptions } from './scenes/world';
export { PRETRAINING_CORPUS, ADAPTER_CORPUS, SCENE_GENERATOR_VERSION, sceneCorpus, pretrainingCorpus, adapterCorpus } from './scenes/corpora';
export type { SceneCorpus, SceneCorpusSpec, SceneCorpusOptions } from './scenes/corpora';
// Downstream tasks (held-out: test-split objects only), in one registry.
import './tasks/builtin';
export { registerTask, getTask, listTasks, loadTask, oneVsRest } from './tasks/registry';
export type {
  TaskKind,
  TaskLoadOptions,
  TaskData,
  DownstreamTask,
  ClassificationData,
  MultiLabelData,
  ImageRetrievalData,
  TextRetrievalData,
} from './tasks/registry';
export { CLASSIFICATION_PLACEMENT, renderSingleObjects } from './tasks/classification';
