// One error style for every file this package reads: which file, which field, what was
// expected and how to fix it. Subclasses name the family so callers can catch one kind.
// (Same shape as @hotplug/backbones' InvalidFileError; data does not depend on backbones.)

export interface InvalidFileDetails {
  /** The file (or a description of the in-memory source) that was read. */
  file: string;
  /** What is wrong, in a few words. */
  problem: string;
  /** The field / line / entry the problem is in, if one. */
  field?: string;
  /** What a valid file has there. */
  expected?: string;
  /** How the user can fix it. */
  fix?: string;
}

/** A data file this package was given is not valid; nothing was built from it. */
export class InvalidFileError extends Error {
  readonly file: string;
  readonly field?: string;
  readonly problem: string;
  readonly expected?: string;
  readonly fix?: string;

  constructor(details: InvalidFileDetails) {
    const where = details.field ? ` (${details.field})` : '';
    const expected = details.expected ? `; expected ${details.expected}` : '';
    const fix = details.fix ? `. ${details.fix}` : '';
    super(`${details.file}${where}: ${details.problem}${expected}${fix}`);
    this.name = new.target.name;
    this.file = details.file;
    this.problem = details.problem;
    if (details.field !== undefined) this.field = details.field;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.fix !== undefined) this.fix = details.fix;
  }
}

/** A PNG / JPEG that is corrupt, truncated, or declares dimensions above the limits. */
export class ImageDecodeError extends InvalidFileError {}
/** An IDX file (raw or gzipped) that is malformed, truncated or decompresses past the limit. */
export class IdxFileError extends InvalidFileError {}
/** A caption CSV / JSONL, CoOp split file, classnames.txt or image folder that is malformed or out of the limits. */
export class DataListingError extends InvalidFileError {}
/** A path read from a data file that resolves outside the folder it belongs to (and every allowed root). */
export class PathOutsideRootError extends InvalidFileError {}
