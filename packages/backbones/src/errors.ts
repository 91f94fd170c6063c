// One error style for everything this package reads: which file, which field, what was
// expected and how to fix it. Subclasses name the family so callers can catch one kind.

export interface InvalidFileDetails {
  /** The file (or a description of the in-memory source) that was read. */
  file: string;
  /** What is wrong, in a few words. */
  problem: string;
  /** The field / tensor / entry the problem is in, if one. */
  field?: string;
  /** What a valid file has there. */
  expected?: string;
  /** How the user can fix it. */
  fix?: string;
}

/** A file (or parsed content) this package was given is not valid; nothing was loaded from it. */
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

/** A safetensors file that is malformed, or whose values are refused (NaN / Inf). */
export class SafetensorsError extends InvalidFileError {}
/** A checkpoint that does not fit the model it is loaded into. */
export class WeightsMismatchError extends InvalidFileError {}
/** A tokenizer.json that is malformed or out of the configured limits. */
export class TokenizerFileError extends InvalidFileError {}
/** An ONNX model that cannot be read, or refers to external data it may not read. */
export class OnnxModelError extends InvalidFileError {}
/** A model config (ours, Hugging Face's or open_clip's) that is malformed or out of the limits. */
export class ModelConfigError extends InvalidFileError {}

/** zod issues as "a.b.c: message" lines (first few), for the `problem` of an error. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], max = 8): string {
  const lines = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`);
  if (issues.length > max) lines.push(`... and ${issues.length - max} more`);
  return lines.join('; ');
}
