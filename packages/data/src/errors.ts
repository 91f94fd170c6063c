// The error families of every file this package reads: which file, which field, what was
// expected and how to fix it. The shared base (InvalidFileError) lives in @hotplug/runtime so
// that every hotplug reader error is an InputError; subclasses name the family.
import { InvalidFileError } from '@hotplug/runtime';

export { InvalidFileError };
export type { InvalidFileDetails } from '@hotplug/runtime';

/** A PNG / JPEG that is corrupt, truncated, or declares dimensions above the limits. */
export class ImageDecodeError extends InvalidFileError {}
/** An IDX file (raw or gzipped) that is malformed, truncated or decompresses past the limit. */
export class IdxFileError extends InvalidFileError {}
/** A caption CSV / JSONL, CoOp split file, classnames.txt or image folder that is malformed or out of the limits. */
export class DataListingError extends InvalidFileError {}
/** A path read from a data file that resolves outside the folder it belongs to (and every allowed root). */
export class PathOutsideRootError extends InvalidFileError {}
