import type { Gallery, GalleryHit, GalleryItems, ItemMetadata, ScanOptions, SearchOptions, StoredItem, UpsertOptions, UpsertReport } from './gallery';
import { checkItems, checkK, intoTableSpace } from './incoming';
import { normalizeRows, toMatrix, type Matrix, type VectorsInput } from './matrix';
import { checkSpace, type EmbeddingSpace } from './space';
import { topKInsert } from './topk';

/**
 * A gallery held in process memory with exact (flat) cosine search: the reference the LanceDB
 * gallery is tested against, and a drop-in for benchmarks that need no persistence.
 */
export class MemoryGallery implements Gallery {
  readonly kind = 'memory';
  readonly space: EmbeddingSpace;
  private readonly rowOf = new Map<string, number>();
  private idList: string[] = [];
  private meta: (ItemMetadata | undefined)[] = [];
  private sources: string[] = [];
  private data: Float32Array;
  private norms: Float32Array;

  constructor(space: EmbeddingSpace) {
    this.space = checkSpace(space, 'gallery space');
    this.data = new Float32Array(0);
    this.norms = new Float32Array(0);
  }

  /** A memory gallery filled with `items` (given in `options.space`, default the gallery's). */
  static async from(space: EmbeddingSpace, items: GalleryItems, options?: UpsertOptions): Promise<MemoryGallery> {
    const g = new MemoryGallery(space);
    await g.upsert(items, options);
    return g;
  }

  async size(): Promise<number> {
    return this.idList.length;
  }

  async upsert(items: GalleryItems, options?: UpsertOptions): Promise<UpsertReport> {
    const batch = checkItems(items);
    if (!batch.ids.length) return { inserted: 0, updated: 0, retries: 0 };
    const { vectors, source } = intoTableSpace(batch.vectors, this.space, options, 'memory gallery');
    const dim = this.space.dim;
    const fresh = batch.ids.filter((id) => !this.rowOf.has(id)).length;
    this.grow(this.idList.length + fresh);
    let inserted = 0;
    batch.ids.forEach((id, i) => {
      let r = this.rowOf.get(id);
      if (r === undefined) {
        r = this.idList.length;
        this.rowOf.set(id, r);
        this.idList.push(id);
        this.meta.push(undefined);
        this.sources.push('');
        inserted++;
      }
      const v = vectors.data.subarray(i * dim, (i + 1) * dim);
      this.data.set(v, r * dim);
      let s = 0;
      for (let j = 0; j < dim; j++) s += v[j]! * v[j]!;
      this.norms[r] = Math.sqrt(s);
      this.meta[r] = batch.metadata[i] === undefined ? undefined : structuredClone(batch.metadata[i]);
      this.sources[r] = source;
    });
    return { inserted, updated: batch.ids.length - inserted, retries: 0 };
  }

  async search(queries: VectorsInput, k: number, options: SearchOptions): Promise<GalleryHit[][]> {
    checkK(k);
    const { vectors } = intoTableSpace(toMatrix(queries, 'queries'), this.space, options, 'memory gallery');
    const q = normalizeRows(vectors);
    const withMeta = options.withMetadata ?? true;
    const n = this.idList.length;
    const dim = this.space.dim;
    const out: GalleryHit[][] = [];
    for (let r = 0; r < q.rows; r++) {
      const qo = r * dim;
      const bestIdx: number[] = [];
      const bestScore: number[] = [];
      for (let i = 0; i < n; i++) {
        const nrm = this.norms[i]!;
        let dot = 0;
        const o = i * dim;
        for (let j = 0; j < dim; j++) dot += q.data[qo + j]! * this.data[o + j]!;
        topKInsert(bestIdx, bestScore, k, i, nrm > 0 ? dot / nrm : 0);
      }
      out.push(bestIdx.map((i, j) => this.hit(i, bestScore[j]!, withMeta)));
    }
    return out;
  }

  async delete(ids: readonly string[]): Promise<number> {
    const drop = new Set(ids.filter((id) => this.rowOf.has(id)));
    if (!drop.size) return 0;
    const keep = this.idList.map((id, r) => (drop.has(id) ? -1 : r)).filter((r) => r >= 0);
    const dim = this.space.dim;
    const data = new Float32Array(keep.length * dim);
    const norms = new Float32Array(keep.length);
    keep.forEach((r, i) => {
      data.set(this.data.subarray(r * dim, (r + 1) * dim), i * dim);
      norms[i] = this.norms[r]!;
    });
    this.idList = keep.map((r) => this.idList[r]!);
    this.meta = keep.map((r) => this.meta[r]);
    this.sources = keep.map((r) => this.sources[r]!);
    this.data = data;
    this.norms = norms;
    this.rowOf.clear();
    this.idList.forEach((id, r) => {
      this.rowOf.set(id, r);
    });
    return drop.size;
  }

  async ids(): Promise<string[]> {
    return [...this.idList];
  }

  async *scan(options: ScanOptions = {}): AsyncIterable<StoredItem[]> {
    const size = options.batchSize ?? 1024;
    const withVectors = options.withVectors ?? true;
    const dim = this.space.dim;
    for (let start = 0; start < this.idList.length; start += size) {
      const end = Math.min(this.idList.length, start + size);
      const batch: StoredItem[] = [];
      for (let r = start; r < end; r++) {
        const item: StoredItem = { id: this.idList[r]!, source: this.sources[r]! };
        if (withVectors) item.vector = this.data.slice(r * dim, (r + 1) * dim);
        if (this.meta[r] !== undefined) item.metadata = structuredClone(this.meta[r]);
        batch.push(item);
      }
      yield batch;
    }
  }

  /** The stored vectors in row order (for benchmarks; a copy). */
  vectors(): Matrix {
    return { data: this.data.slice(0, this.idList.length * this.space.dim), rows: this.idList.length, dim: this.space.dim };
  }

  async close(): Promise<void> {}

  private hit(row: number, score: number, withMeta: boolean): GalleryHit {
    const h: GalleryHit = { id: this.idList[row]!, score };
    if (withMeta && this.meta[row] !== undefined) h.metadata = structuredClone(this.meta[row]);
    return h;
  }

  private grow(rows: number): void {
    const need = rows * this.space.dim;
    if (need <= this.data.length) return;
    const cap = Math.max(rows, Math.ceil(this.norms.length * 1.5), 16);
    const data = new Float32Array(cap * this.space.dim);
    data.set(this.data);
    const norms = new Float32Array(cap);
    norms.set(this.norms);
    this.data = data;
    this.norms = norms;
  }
}
