/**
 * tfjs' cpu backend (and ours, which extends it) prints "looks like you are running
 * TensorFlow.js in Node.js ... install our node backend" on its first tensor write. Here the
 * backend was chosen on purpose (tfjs-node was tried first, or it was asked for), so the hint
 * is noise: clear the flag the cpu backend checks before it prints.
 */
export function silenceNodeBackendHint(backend: unknown): void {
  if (backend != null && typeof backend === 'object' && 'firstUse' in backend) (backend as { firstUse: boolean }).firstUse = false;
}
