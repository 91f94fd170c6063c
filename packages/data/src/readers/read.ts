// One-call readers: index what the user has, then decode it.
import { decodeIndex, type DecodeOptions, type DecodedImages } from './image-index';
import { indexImageFolder, type FolderIndexOptions } from './folder';
import { indexCaptionFile, type CaptionIndexOptions } from './captions';
import { indexCoopDataset } from './coop';

/** Reads `root/CLASS/*.png|jpg` into memory. */
export function readImageFolder(root: string, options: FolderIndexOptions & DecodeOptions = {}): DecodedImages {
  return decodeIndex(indexImageFolder(root, options), options);
}

/** Reads a CSV/JSONL of image path + caption (+ optional label) into memory, captions included. */
export function readCaptionFile(file: string, options: CaptionIndexOptions & DecodeOptions = {}): DecodedImages {
  return decodeIndex(indexCaptionFile(file, options), options);
}

/** Reads one split of a CoOp-layout dataset into memory (for few-shot, index first and decode the shots). */
export function readCoopDataset(dataRoot: string, name: string, split: string, options: DecodeOptions = {}): DecodedImages {
  return decodeIndex(indexCoopDataset(dataRoot, name, split), options);
}
