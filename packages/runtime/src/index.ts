// Public API of @hotplug/runtime.
export { openAtomic, writeFileAtomic, writeJsonAtomic } from './atomic';
export type { AtomicWriter } from './atomic';
export { Rng, hashString } from './random';
export { ProgressBar, formatDuration } from './progress';
export type { ProgressOptions } from './progress';
export { sha256, sha256File, sha256FileStreamed } from './checksum';
