// Public API of @hotplug/index: everything a user may import is exported here.
import './maps/variants/index';

export { checkSpace, spaceKey, sameSpace, describeSpace, extendSpace, fingerprintFile } from './space';
export type { EmbeddingSpace } from './space';
export { SpaceMismatchError, IndexInputError, StampError } from './errors';
export { matrix, toMatrix, normalizeRows } from './matrix';
export type { Matrix, VectorsInput } from './matrix';

export type {
  Gallery,
  GalleryItem,
  GalleryItems,
  GalleryHit,
  ItemBatch,
  ItemMetadata,
  SearchOptions,
  SpaceOptions,
  UpsertOptions,
  UpsertReport,
  ScanOptions,
  StoredItem,
} from './gallery';
export { MemoryGallery } from './memory-gallery';
export { LanceGallery, DEFAULT_TABLE, SPACE_METADATA_KEY, FORMAT_METADATA_KEY } from './lance-gallery';
export type { LanceGalleryOptions, CreateGalleryOptions, OpenGalleryOptions, VectorIndexOptions, IvfPqIndexOptions } from './lance-gallery';

export { registerMap, mapNames, mapInfo, resolveMapOptions } from './maps/registry';
export { fitMap, identityMap, mapFingerprint } from './maps/space-map';
export type { FitMapInput } from './maps/space-map';
export { saveMap, loadMap, readMapManifest, MAP_WEIGHTS_FILE, MAP_MANIFEST_FILE } from './maps/io';
export type { MapManifest } from './maps/io';
export { mapToOnnx, exportMap, MAP_ONNX_INPUT, MAP_ONNX_OUTPUT } from './maps/onnx';
export type { SpaceMap, MapModel, MapFactory, MapVariantSpec, MapParam, MapShape, MapFitReport, FitContext, PairedVectors } from './maps/types';
export type { ProcrustesOptions } from './maps/variants/procrustes';
export type { LowRankOptions } from './maps/variants/low-rank';
export type { ResidualMlpOptions } from './maps/variants/residual-mlp';
export { svd } from './maps/linalg';
export type { Svd } from './maps/linalg';
