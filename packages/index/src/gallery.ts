import type { EmbeddingSpace } from './space';
import type { Matrix, VectorsInput } from './matrix';
import type { SpaceMap } from './maps/types';

/** Free-form JSON metadata stored with an item. */
export type ItemMetadata = Record<string, unknown>;

/** One stored item. */
export interface GalleryItem {
  /** Unique key: upserting the same id again replaces the item (so retried shards never duplicate). */
  id: string;
  vector: Float32Array | ReadonlyArray<number>;
  metadata?: ItemMetadata;
}

/** Many items at once, column-wise (cheaper than GalleryItem[] for big batches). */
export interface ItemBatch {
  ids: readonly string[];
  vectors: VectorsInput;
  metadata?: ReadonlyArray<ItemMetadata | undefined>;
}

export type GalleryItems = readonly GalleryItem[] | ItemBatch;

/** One search result, best first. */
export interface GalleryHit {
  id: string;
  /** Cosine similarity (dot product of normalised vectors). */
  score: number;
  metadata?: ItemMetadata;
}

/**
 * Every read and write names the space its vectors come from. A space other than the table's is
 * refused (SpaceMismatchError) unless `via` is a map whose `from` is that space and whose `to` is
 * the table's; the map is then applied to the vectors first.
 */
export interface SpaceOptions {
  space: EmbeddingSpace;
  via?: SpaceMap;
}

export interface SearchOptions extends SpaceOptions {
  /** Ignore any vector index and scan every row (exact). Default false. */
  exact?: boolean;
  /** IVF: partitions probed per query (LanceDB default 20). */
  nprobes?: number;
  /** IVF-PQ: re-rank refineFactor x k candidates with full vectors. */
  refineFactor?: number;
  /** Return metadata with each hit (default true). */
  withMetadata?: boolean;
}

/** Upserts may omit the space (then the vectors must already be in the table's space). */
export type UpsertOptions = Partial<SpaceOptions>;

export interface UpsertReport {
  inserted: number;
  updated: number;
  /** Commit conflicts with concurrent writers that were retried. */
  retries: number;
}

export interface ScanOptions {
  /** Items per yielded batch (default 1024). */
  batchSize?: number;
  /** Include vectors (default true). */
  withVectors?: boolean;
}

/** A stored item as read back. */
export interface StoredItem {
  id: string;
  vector?: Float32Array;
  metadata?: ItemMetadata;
  /** spaceKey of the vectors as they were given (before any map): where the item came from. */
  source: string;
}

/** A searchable store of embeddings that knows its embedding space. */
export interface Gallery {
  readonly kind: string;
  readonly space: EmbeddingSpace;
  size(): Promise<number>;
  upsert(items: GalleryItems, options?: UpsertOptions): Promise<UpsertReport>;
  search(queries: VectorsInput, k: number, options: SearchOptions): Promise<GalleryHit[][]>;
  delete(ids: readonly string[]): Promise<number>;
  /** Every stored id (order unspecified). */
  ids(): Promise<string[]>;
  /** All items in batches. */
  scan(options?: ScanOptions): AsyncIterable<StoredItem[]>;
  close(): Promise<void>;
}

/** Column form of GalleryItems after checks (internal to galleries, exported for custom galleries). */
export interface CheckedBatch {
  ids: string[];
  vectors: Matrix;
  metadata: (ItemMetadata | undefined)[];
}
