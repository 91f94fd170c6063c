import * as lancedb from '@lancedb/lancedb';
import { arrow, type Arrow } from './arrow';
import { IndexInputError, SpaceMismatchError, StampError } from './errors';
import type {
  CheckedBatch,
  Gallery,
  GalleryHit,
  GalleryItems,
  ItemMetadata,
  ScanOptions,
  SearchOptions,
  StoredItem,
  UpsertOptions,
  UpsertReport,
} from './gallery';
import { checkItems, checkK, intoTableSpace } from './incoming';
import { toMatrix, type VectorsInput } from './matrix';
import { checkSpace, describeSpace, sameSpace, type EmbeddingSpace } from './space';

/** Schema-metadata keys of a stamped table. */
export const SPACE_METADATA_KEY = 'hotplug.space';
export const FORMAT_METADATA_KEY = 'hotplug.format';
const FORMAT = 'hotplug-gallery/1';
export const DEFAULT_TABLE = 'gallery';

export interface LanceGalleryOptions {
  /** Table name inside the database folder (default "gallery"). */
  table?: string;
  /** Attempts of one upsert batch when a concurrent writer's commit conflicts (default 8). */
  maxAttempts?: number;
  /** Queries searched concurrently (default 4). */
  queryConcurrency?: number;
}

export interface CreateGalleryOptions extends LanceGalleryOptions {
  /** 'create' refuses an existing table (default); 'overwrite' replaces it. */
  mode?: 'create' | 'overwrite';
  /** Items to insert right away (in `space`, or through `upsert` options `via`). */
  items?: GalleryItems;
  upsert?: UpsertOptions;
}

export interface OpenGalleryOptions extends LanceGalleryOptions {
  /** When given, opening refuses a table stamped with another space. */
  expect?: EmbeddingSpace;
}

/** IVF-PQ vector index options (LanceDB's defaults where left out). */
export interface IvfPqIndexOptions {
  kind: 'ivf-pq';
  /** IVF partitions (default ~sqrt(rows)). */
  partitions?: number;
  /** PQ sub-vectors (must divide the width; default dim/16 or so). */
  subVectors?: number;
  /** Bits per PQ code (default 8). */
  bits?: number;
  maxIterations?: number;
  sampleRate?: number;
}

export type VectorIndexOptions = IvfPqIndexOptions;

function schemaFor(space: EmbeddingSpace, withStamp: boolean): Arrow.Schema {
  const fields = [
    new arrow.Field('id', new arrow.Utf8(), false),
    new arrow.Field('vector', new arrow.FixedSizeList(space.dim, new arrow.Field('item', new arrow.Float32(), true)), false),
    new arrow.Field('metadata', new arrow.Utf8(), true),
    new arrow.Field('source', new arrow.Utf8(), false),
  ];
  return new arrow.Schema(
    fields,
    withStamp
      ? new Map([
          [SPACE_METADATA_KEY, JSON.stringify(space)],
          [FORMAT_METADATA_KEY, FORMAT],
        ])
      : new Map(),
  );
}

function toArrowTable(space: EmbeddingSpace, batch: CheckedBatch, vectors: Float32Array, source: string): Arrow.Table {
  const n = batch.ids.length;
  const schema = schemaFor(space, false);
  const vecType = schema.fields[1]!.type as Arrow.FixedSizeList<Arrow.Float32>;
  const child = arrow.makeData({ type: new arrow.Float32(), length: n * space.dim, data: vectors });
  const vec = arrow.makeData({ type: vecType, length: n, nullCount: 0, child });
  const ids = arrow.vectorFromArray(batch.ids, new arrow.Utf8()).data[0]!;
  const meta = arrow.vectorFromArray(
    batch.metadata.map((m) => (m === undefined ? null : JSON.stringify(m))),
    new arrow.Utf8(),
  ).data[0]!;
  const src = arrow.vectorFromArray(new Array<string>(n).fill(source), new arrow.Utf8()).data[0]!;
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children: [ids, vec, meta, src] });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

function parseMetadata(s: string | null | undefined): ItemMetadata | undefined {
  return s === null || s === undefined ? undefined : (JSON.parse(s) as ItemMetadata);
}

/** Lance reports a lost optimistic-concurrency race in several wordings; all of them are worth a retry. */
function isCommitConflict(err: unknown): boolean {
  return /conflict|retryable|concurrent|commit/i.test(String((err as Error)?.message ?? err));
}

function quoteSql(id: string): string {
  return `'${id.replace(/'/g, "''")}'`;
}

/**
 * A gallery in a LanceDB table. The table's schema metadata holds the embedding space of its
 * vectors (written at creation, checked at every open); `source` per row records the space the
 * vector was given in (before any map), so a mixed table (old rows + new rows through an adapter)
 * stays auditable. Normalised spaces are searched by dot product, others by cosine distance.
 */
export class LanceGallery implements Gallery {
  readonly kind = 'lance';
  private readonly maxAttempts: number;
  private readonly queryConcurrency: number;

  private constructor(
    private readonly db: lancedb.Connection,
    private readonly table: lancedb.Table,
    readonly space: EmbeddingSpace,
    readonly path: string,
    readonly tableName: string,
    options: LanceGalleryOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.queryConcurrency = options.queryConcurrency ?? 4;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new IndexInputError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    if (!Number.isInteger(this.queryConcurrency) || this.queryConcurrency < 1)
      throw new IndexInputError(`queryConcurrency must be a positive integer, got ${options.queryConcurrency}`);
  }

  /** Creates a stamped table in the database folder `path` (created if missing). */
  static async create(path: string, space: EmbeddingSpace, options: CreateGalleryOptions = {}): Promise<LanceGallery> {
    const s = checkSpace(space, 'gallery space');
    const name = options.table ?? DEFAULT_TABLE;
    const db = await lancedb.connect(path);
    const mode = options.mode ?? 'create';
    if (mode !== 'create' && mode !== 'overwrite') throw new IndexInputError(`mode must be "create" or "overwrite", got ${JSON.stringify(mode)}`);
    if (mode === 'create' && (await db.tableNames()).includes(name))
      throw new IndexInputError(`${path} already has a table "${name}"; open it with LanceGallery.open, or pass mode: 'overwrite' to replace it`);
    const table = await db.createEmptyTable(name, schemaFor(s, true), { mode });
    // With `id` declared the primary key, concurrent merge-inserts of the same new id conflict
    // (and are retried) instead of both inserting it.
    await table.setUnenforcedPrimaryKey('id');
    const g = new LanceGallery(db, table, s, path, name, options);
    if (options.items) await g.upsert(options.items, options.upsert);
    return g;
  }

  /** Reads the space a table is stamped with (StampError for a table without a stamp). */
  static async readSpace(path: string, table = DEFAULT_TABLE): Promise<EmbeddingSpace> {
    const db = await lancedb.connect(path);
    try {
      const t = await LanceGallery.openTable(db, path, table);
      try {
        return LanceGallery.stampOf(await t.schema(), path, table);
      } finally {
        t.close();
      }
    } finally {
      db.close();
    }
  }

  /** Table names in a database folder. */
  static async tables(path: string): Promise<string[]> {
    const db = await lancedb.connect(path);
    try {
      return await db.tableNames();
    } finally {
      db.close();
    }
  }

  /** Opens a stamped table; refuses a table without a stamp, or stamped with another space than `expect`. */
  static async open(path: string, options: OpenGalleryOptions = {}): Promise<LanceGallery> {
    const name = options.table ?? DEFAULT_TABLE;
    const db = await lancedb.connect(path);
    const table = await LanceGallery.openTable(db, path, name);
    const space = LanceGallery.stampOf(await table.schema(), path, name);
    if (options.expect && !sameSpace(checkSpace(options.expect, 'expected space'), space)) {
      table.close();
      throw new SpaceMismatchError(space, options.expect, `table "${name}" in ${path}`, 'opened with expect');
    }
    return new LanceGallery(db, table, space, path, name, options);
  }

  private static async openTable(db: lancedb.Connection, path: string, name: string): Promise<lancedb.Table> {
    if (!(await db.tableNames()).includes(name))
      throw new IndexInputError(`${path} has no table "${name}" (tables: ${(await db.tableNames()).join(', ') || 'none'}); create it with LanceGallery.create`);
    return db.openTable(name);
  }

  private static stampOf(schema: Arrow.Schema, path: string, name: string): EmbeddingSpace {
    const raw = schema.metadata.get(SPACE_METADATA_KEY);
    if (raw === undefined || schema.metadata.get(FORMAT_METADATA_KEY) !== FORMAT)
      throw new StampError(
        `table "${name}" in ${path} carries no embedding-space stamp (schema metadata "${SPACE_METADATA_KEY}"): it was not written by LanceGallery.create, so nothing says which model its vectors come from. Rebuild it with LanceGallery.create(path, space)`,
      );
    let space: EmbeddingSpace;
    try {
      space = checkSpace(JSON.parse(raw) as EmbeddingSpace, `stamp of table "${name}"`);
    } catch (err) {
      throw new StampError(`table "${name}" in ${path} has a corrupt embedding-space stamp: ${(err as Error).message}`);
    }
    const vec = schema.fields.find((f) => f.name === 'vector');
    const width = vec && vec.type instanceof arrow.FixedSizeList ? vec.type.listSize : undefined;
    if (width !== space.dim) throw new StampError(`table "${name}" in ${path} is stamped ${space.dim}-dim but its vector column is ${width ?? 'missing'}-dim`);
    return space;
  }

  async size(): Promise<number> {
    return this.table.countRows();
  }

  /**
   * Inserts new ids and replaces existing ones (LanceDB merge-insert on `id`), so a retried shard
   * never duplicates. A commit that loses a race with another writer is retried.
   */
  async upsert(items: GalleryItems, options?: UpsertOptions): Promise<UpsertReport> {
    const batch = checkItems(items);
    if (!batch.ids.length) return { inserted: 0, updated: 0, retries: 0 };
    const { vectors, source } = intoTableSpace(batch.vectors, this.space, options, `table "${this.tableName}"`);
    const data = toArrowTable(this.space, batch, vectors.data, source);
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data);
        return { inserted: r.numInsertedRows, updated: r.numUpdatedRows, retries: attempt - 1 + Math.max(0, r.numAttempts - 1) };
      } catch (err) {
        if (attempt >= this.maxAttempts || !isCommitConflict(err)) throw err;
        // Back off with jitter so two racing writers do not collide again at once.
        await new Promise((res) => setTimeout(res, Math.min(2000, 20 * 2 ** attempt) * (0.5 + Math.random())));
        await this.table.checkoutLatest();
      }
    }
  }

  async search(queries: VectorsInput, k: number, options: SearchOptions): Promise<GalleryHit[][]> {
    checkK(k);
    const { vectors } = intoTableSpace(toMatrix(queries, 'queries'), this.space, options, `table "${this.tableName}"`);
    for (const [name, v] of [
      ['nprobes', options.nprobes],
      ['refineFactor', options.refineFactor],
    ] as const)
      if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw new IndexInputError(`${name} must be a positive integer, got ${v}`);
    const withMeta = options.withMetadata ?? true;
    const distance = this.space.normalized ? 'dot' : 'cosine';
    const out: GalleryHit[][] = new Array(vectors.rows);
    const one = async (r: number) => {
      let q = this.table
        .vectorSearch(vectors.data.subarray(r * vectors.dim, (r + 1) * vectors.dim))
        .column('vector')
        .distanceType(distance)
        .limit(k)
        .select(withMeta ? ['id', 'metadata', '_distance'] : ['id', '_distance']);
      if (options.exact) q = q.bypassVectorIndex();
      if (options.nprobes) q = q.nprobes(options.nprobes);
      if (options.refineFactor) q = q.refineFactor(options.refineFactor);
      const rows = (await q.toArray()) as { id: string; metadata?: string | null; _distance: number }[];
      out[r] = rows.map((row) => {
        const hit: GalleryHit = { id: row.id, score: 1 - row._distance };
        const m = withMeta ? parseMetadata(row.metadata) : undefined;
        if (m !== undefined) hit.metadata = m;
        return hit;
      });
    };
    let next = 0;
    const workers = Array.from({ length: Math.min(this.queryConcurrency, vectors.rows) }, async () => {
      while (next < vectors.rows) await one(next++);
    });
    await Promise.all(workers);
    return out;
  }

  /** Builds a vector index (IVF-PQ) with the distance matching the space; flat search stays available with `exact`. */
  async createIndex(options: VectorIndexOptions): Promise<void> {
    if (options?.kind !== 'ivf-pq') throw new IndexInputError(`createIndex supports { kind: 'ivf-pq', ... }, got ${JSON.stringify(options?.kind)}`);
    const rows = await this.size();
    const problems: string[] = [];
    const int = (name: string, v: number | undefined, min: number) => {
      if (v !== undefined && (!Number.isInteger(v) || v < min)) problems.push(`${name} must be an integer >= ${min}, got ${v}`);
    };
    int('partitions', options.partitions, 1);
    int('subVectors', options.subVectors, 1);
    int('bits', options.bits, 1);
    int('maxIterations', options.maxIterations, 1);
    int('sampleRate', options.sampleRate, 1);
    if (options.subVectors !== undefined && this.space.dim % options.subVectors !== 0)
      problems.push(`subVectors (${options.subVectors}) must divide the width ${this.space.dim}`);
    if (options.partitions !== undefined && options.partitions > rows)
      problems.push(`partitions (${options.partitions}) cannot exceed the ${rows} rows in the table`);
    if (rows < 256) problems.push(`IVF-PQ needs at least 256 rows to train its codebooks; the table has ${rows} (flat search is exact and fast at this size)`);
    if (problems.length) throw new IndexInputError(`invalid IVF-PQ index options:\n  - ${problems.join('\n  - ')}`);
    await this.table.createIndex('vector', {
      config: lancedb.Index.ivfPq({
        distanceType: this.space.normalized ? 'dot' : 'cosine',
        ...(options.partitions !== undefined ? { numPartitions: options.partitions } : {}),
        ...(options.subVectors !== undefined ? { numSubVectors: options.subVectors } : {}),
        ...(options.bits !== undefined ? { numBits: options.bits } : {}),
        ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
        ...(options.sampleRate !== undefined ? { sampleRate: options.sampleRate } : {}),
      }),
      replace: true,
    });
  }

  /** Names and types of the table's indices. */
  async indices(): Promise<{ name: string; type: string; columns: string[] }[]> {
    return (await this.table.listIndices()).map((i) => ({ name: i.name, type: i.indexType, columns: i.columns }));
  }

  async delete(ids: readonly string[]): Promise<number> {
    if (!ids.length) return 0;
    let removed = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      chunk.forEach((id) => {
        if (typeof id !== 'string' || id === '') throw new IndexInputError(`ids must be non-empty strings, got ${JSON.stringify(id)}`);
      });
      const before = await this.table.countRows();
      await this.table.delete(`id IN (${chunk.map(quoteSql).join(', ')})`);
      removed += before - (await this.table.countRows());
    }
    return removed;
  }

  async ids(): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of this.table.query().select(['id'])) {
      const col = batch.getChild('id')!;
      for (let i = 0; i < batch.numRows; i++) out.push(col.get(i) as string);
    }
    return out;
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<StoredItem[]> {
    const size = options.batchSize ?? 1024;
    if (!Number.isInteger(size) || size < 1) throw new IndexInputError(`batchSize must be a positive integer, got ${options.batchSize}`);
    const withVectors = options.withVectors ?? true;
    const cols = withVectors ? ['id', 'vector', 'metadata', 'source'] : ['id', 'metadata', 'source'];
    let pending: StoredItem[] = [];
    for await (const batch of this.table.query().select(cols)) {
      const id = batch.getChild('id')!;
      const meta = batch.getChild('metadata')!;
      const src = batch.getChild('source')!;
      const vec = withVectors ? batch.getChild('vector')! : undefined;
      for (let i = 0; i < batch.numRows; i++) {
        const item: StoredItem = { id: id.get(i) as string, source: src.get(i) as string };
        if (vec) item.vector = Float32Array.from(vec.get(i) as ArrayLike<number>);
        const m = parseMetadata(meta.get(i) as string | null);
        if (m !== undefined) item.metadata = m;
        pending.push(item);
        if (pending.length === size) {
          yield pending;
          pending = [];
        }
      }
    }
    if (pending.length) yield pending;
  }

  /** Table version (increases with every commit). */
  async version(): Promise<number> {
    return this.table.version();
  }

  /** Compacts files and prunes old versions (run after large ingests). */
  async optimize(): Promise<void> {
    await this.table.optimize();
  }

  async close(): Promise<void> {
    this.table.close();
    this.db.close();
  }

  toString(): string {
    return `LanceGallery(${this.path}#${this.tableName}, ${describeSpace(this.space)})`;
  }
}
