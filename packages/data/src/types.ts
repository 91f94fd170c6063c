/** Which part of a dataset: the official or saved split names, or a user source's own. */
export type SplitName = 'train' | 'test' | (string & {});

/**
 * An in-memory image dataset: N images of one size, row-major HWC bytes, one label each.
 * Every reader and loader in this package returns this shape.
 */
export interface ImageDataset {
  readonly name: string;
  readonly split: SplitName;
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** N*H*W*C bytes, image after image, rows top to bottom, channels interleaved. */
  readonly images: Uint8Array;
  /** N labels, each an index into `classNames`. */
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
  /** Optional per-image caption (CSV/JSONL readers). */
  readonly captions?: readonly string[];
  /** Optional per-image source file (file readers). */
  readonly paths?: readonly string[];
}

/** An image a reader could not decode, with the reason; reported, never silently dropped. */
export interface SkippedImage {
  readonly path: string;
  readonly reason: string;
}

/** What to do with a corrupt or unreadable image. */
export type OnBadImage = 'fail' | 'skip';
