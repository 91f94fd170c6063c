import type { Tensor } from '@tensorflow/tfjs-core';

// Shape checks shared by the fused ops: each error names the op, the argument, what was
// expected and what arrived, so the caller can fix the call without reading our code.

export function assertRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) {
    throw new Error(`${op}: ${name} must have rank ${rank}, got shape [${t.shape.join(', ')}] (rank ${t.rank})`);
  }
}

export function assertMinRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank < rank) {
    throw new Error(`${op}: ${name} must have rank >= ${rank}, got shape [${t.shape.join(', ')}]`);
  }
}

export function assertFloat(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') {
    throw new Error(`${op}: ${name} must be float32, got ${t.dtype} (cast it with tf.cast(x, 'float32'))`);
  }
}

export function assertSameShape(op: string, nameA: string, a: Tensor, nameB: string, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: ${nameA} [${a.shape.join(', ')}] and ${nameB} [${b.shape.join(', ')}] must have the same shape`);
  }
}

export function assertDim(op: string, what: string, got: number, expected: number): void {
  if (got !== expected) throw new Error(`${op}: ${what} must be ${expected}, got ${got}`);
}
