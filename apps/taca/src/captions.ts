import { createHash } from 'node:crypto';
import { readCaptionFile, type CaptionCorpus, type ImageFormat } from '@hotplug/data';

/** A corpus read from the user's caption file, with the class names of its label column (if it has one). */
export interface CaptionFileCorpus extends CaptionCorpus {
  readonly captionFile: string;
  /** The label column's classes; ['unlabelled'] when the file has none. */
  readonly classNames: readonly string[];
}

export const isCaptionFileCorpus = (corpus: CaptionCorpus): corpus is CaptionFileCorpus => 'captionFile' in corpus;

/**
 * `--captions FILE`: a CSV (header row) or JSONL of image path + caption, read by @hotplug/data's
 * readCaptionFile, which confines every path to the file's folder and names a bad file with its
 * DataListingError / ImageDecodeError / PathOutsideRootError. Images are brought to the new
 * encoder's size as CLIP's preprocessing does (shorter side scaled to fit, centre crop: photos keep
 * their aspect ratio) and converted to its channels.
 */
export function captionFileCorpus(file: string, format: ImageFormat): CaptionFileCorpus {
  const { dataset } = readCaptionFile(file, {
    size: [format.size, format.size],
    channels: format.channels,
    fit: 'center-crop',
    name: 'captions',
    split: 'train',
  });
  const captions = dataset.captions ?? [];
  // The feature cache is keyed by sourceNames: a digest of the pixels and captions, so an edited file is never read from a stale cache.
  const digest = createHash('sha256').update(dataset.images).update(JSON.stringify(captions)).digest('hex').slice(0, 16);
  return {
    size: dataset.size,
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    images: dataset.images,
    captions,
    sourceNames: [`captions-${digest}`],
    source: new Uint8Array(dataset.size),
    sourceIndex: Int32Array.from({ length: dataset.size }, (_, i) => i),
    split: 'train',
    captionFile: file,
    classNames: dataset.classNames,
  };
}
