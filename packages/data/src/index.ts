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
  FASHION_MNIST_CLASSES, MNIST_CLASSES, FASHION_MNIST_SYNONYMS, MNIST_SYNONYMS,
  FASHION_CAPTION_TEMPLATES, MNIST_CAPTION_TEMPLATES, FASHION_ZERO_SHOT_TEMPLATES, MNIST_ZERO_SHOT_TEMPLATES,
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
export { readImageFolder, readCaptionFile, readCoopDataset } from './readers/read';
export { fewShotIndices, fewShotSplit, coopFewShotIndices, COOP_SHOTS, COOP_SEEDS } from './fewshot';
export type { FewShotOptions, CoopFewShotIndices } from './fewshot';
export { fewShotTask } from './tasks';
export type { FewShotTask } from './tasks';
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
