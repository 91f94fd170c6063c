// Checks shared by every gallery: item batches and the space of incoming vectors.
import { IndexInputError, SpaceMismatchError } from './errors';
import type { CheckedBatch, GalleryItems, ItemMetadata, SpaceOptions } from './gallery';
import { assertFinite, normalizeRows, toMatrix, type Matrix, type VectorsInput } from './matrix';
import { checkSpace, sameSpace, spaceKey, type EmbeddingSpace } from './space';

/** Column form of items, with ids, widths and metadata checked. */
export function checkItems(items: GalleryItems): CheckedBatch {
  let ids: string[];
  let vectors: Matrix;
  let metadata: (ItemMetadata | undefined)[];
  if (Array.isArray(items)) {
    const list = items as readonly { id: string; vector: Float32Array | ReadonlyArray<number>; metadata?: ItemMetadata }[];
    if (!list.length) return { ids: [], vectors: { data: new Float32Array(0), rows: 0, dim: 1 }, metadata: [] };
    ids = list.map((it) => it.id);
    vectors = toMatrix(
      list.map((it) => it.vector),
      'item vectors',
    );
    metadata = list.map((it) => it.metadata);
  } else {
    const b = items as { ids: readonly string[]; vectors: VectorsInput; metadata?: ReadonlyArray<ItemMetadata | undefined> };
    if (!b || !Array.isArray(b.ids)) throw new IndexInputError('items must be a list of { id, vector, metadata? } or a batch { ids, vectors, metadata? }');
    ids = [...b.ids];
    if (!ids.length) return { ids: [], vectors: { data: new Float32Array(0), rows: 0, dim: 1 }, metadata: [] };
    vectors = toMatrix(b.vectors, 'item vectors');
    if (vectors.rows !== ids.length) throw new IndexInputError(`got ${ids.length} ids for ${vectors.rows} vectors: give one id per vector`);
    metadata = b.metadata ? [...b.metadata] : new Array<undefined>(ids.length).fill(undefined);
    if (metadata.length !== ids.length)
      throw new IndexInputError(`got ${metadata.length} metadata entries for ${ids.length} ids: give one per id (undefined for none)`);
  }
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') throw new IndexInputError(`item ${i} has id ${JSON.stringify(id)}: ids must be non-empty strings`);
    if (seen.has(id)) throw new IndexInputError(`id "${id}" appears twice in one upsert; each id once per call (a later upsert replaces it)`);
    seen.add(id);
  });
  metadata.forEach((m, i) => {
    if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m)))
      throw new IndexInputError(`metadata of item "${ids[i]}" must be a plain object, got ${JSON.stringify(m)}`);
  });
  assertFinite(vectors, 'item vectors');
  return { ids, vectors, metadata };
}

/**
 * Brings vectors given in `options.space` into the table's space: the same space passes, a map
 * from it into the table's is applied, anything else is a SpaceMismatchError. Returns the vectors
 * in the table's space (normalised when it is) and the key of the space they were given in.
 */
export function intoTableSpace(
  vectors: Matrix,
  table: EmbeddingSpace,
  options: Partial<SpaceOptions> | undefined,
  where: string,
): { vectors: Matrix; source: string } {
  const given = options?.space ? checkSpace(options.space, 'given space') : table;
  const via = options?.via;
  if (vectors.dim !== given.dim) throw new IndexInputError(`${where}: vectors are ${vectors.dim}-dim but their space says ${given.dim}`);
  let out = vectors;
  if (via) {
    if (!sameSpace(via.from, given))
      throw new SpaceMismatchError(via.from, given, `the map "${via.label()}" given as via`, 'the map starts from another space than the vectors');
    if (!sameSpace(via.to, table)) throw new SpaceMismatchError(table, via.to, where, `the map "${via.label()}" leads into another space than the table's`);
    out = via.apply(vectors);
  } else if (!sameSpace(given, table)) {
    throw new SpaceMismatchError(table, given, where);
  }
  return { vectors: table.normalized ? normalizeRows(out) : out, source: spaceKey(given) };
}

/** k must be a positive integer (checked before anything is allocated). */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new IndexInputError(`k must be a positive integer, got ${k}`);
}
