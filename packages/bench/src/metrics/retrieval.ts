import { RetrievalIndex, toFeatureMatrix, type FeatureInput, type RetrievalScores } from '@hotplug/heads';

/** One side of a retrieval evaluation: embeddings from one model with their labels. */
export interface EmbeddingSet {
  features: FeatureInput;
  labels: ArrayLike<number>;
  /** The model (or model + adapter) that produced the embeddings. */
  modelId?: string;
}

/**
 * Retrieval quality of queries embedded by one model against a gallery embedded by
 * another: top-k hit rates and mAP (relevant = same label), M(query model, gallery model).
 * Throws a DimensionMismatchError when the two embeddings have different dimensions.
 */
export async function crossModelRetrieval(query: EmbeddingSet, gallery: EmbeddingSet, ks: number[] = [1, 5]): Promise<RetrievalScores> {
  const index = new RetrievalIndex(gallery.modelId === undefined ? {} : { modelId: gallery.modelId });
  index.add(gallery.features, gallery.labels);
  return index.evaluate(toFeatureMatrix(query.features, query.modelId), query.labels, ks);
}
