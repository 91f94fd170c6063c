/** A registered dataset's source files cannot be used; the message says which and how to fix it. */
export class DatasetSourceError extends Error {
  constructor(
    /** The registered dataset's name. */
    readonly dataset: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No source of the dataset is installed or configured; the message lists every place tried. */
export class DatasetNotFoundError extends DatasetSourceError {}

/** A source file is there but its bytes are not the expected ones (checksum mismatch). */
export class DatasetChecksumError extends DatasetSourceError {}
