// The error families of everything this package reads: which file, which field, what was
// expected and how to fix it. The shared base (InvalidFileError) lives in @hotplug/runtime so
// that every hotplug reader error is an InputError; subclasses name the family.
import { InvalidFileError, describeIssues, type InvalidFileDetails } from '@hotplug/runtime';

export { InvalidFileError, describeIssues };
export type { InvalidFileDetails };

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

/** What one folder kind looked for in a folder and what it did not find there. */
export interface FolderKindReport {
  kind: string;
  label: string;
  expects: string;
  found: string[];
  missing: string[];
}

/** A folder that is none of the model folder kinds loadClip reads; `kinds` says, per kind, what is missing. */
export class ModelFolderError extends InvalidFileError {
  readonly kinds: FolderKindReport[];
  constructor(details: InvalidFileDetails, kinds: FolderKindReport[] = []) {
    super(details);
    this.kinds = kinds;
  }
}
