// Public API of @hotplug/runtime.
export { openAtomic, writeFileAtomic, writeJsonAtomic, removeOrphanedTempFiles, fsyncDir } from './atomic';
export type { AtomicWriter } from './atomic';
export { Rng, hashString } from './random';
export { ProgressBar, formatDuration } from './progress';
export type { ProgressOptions } from './progress';
export { sha256, sha256File, sha256FileStreamed } from './checksum';
export { InputError, CliArgumentError, SchemaError, InvalidFileError, describeIssues, validate, parseJson } from './errors';
export type { InputErrorClass, InvalidFileDetails } from './errors';
export { joinNegativeValues, numberOption } from './cli';
export { readJsonLines } from './jsonl';
export { weightsFingerprint, checkIdentity, IdentityMismatchError } from './identity';
export type { FingerprintTensor, ModelIdentity } from './identity';
