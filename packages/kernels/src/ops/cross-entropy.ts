import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { backendHasKernel, FUSED_KERNELS, runKernel } from './fused-kernels';
import { assertFloat, assertRank, assertSameShape } from './validate';

const OP = 'softmaxCrossEntropy';

function checkClassIds(labels: Tensor1D, rows: number, classes: number): void {
  if (labels.dtype !== 'int32') {
    throw new Error(`${OP}: 1-D labels are class ids and must be int32, got ${labels.dtype} (use tf.tensor1d(ids, 'int32'))`);
  }
  if (labels.shape[0] !== rows) {
    throw new Error(`${OP}: labels has ${labels.shape[0]} ids but logits has ${rows} rows`);
  }
  // One small read: out-of-range ids would otherwise become all-zero one-hot rows and
  // silently give a wrong loss.
  const ids = labels.dataSync();
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < classes)) {
      throw new Error(`${OP}: label ${ids[i]} at row ${i} is outside [0, ${classes}) for logits with ${classes} classes`);
    }
  }
}

/**
 * Mean over rows of -sum_c labels[r, c] * log_softmax(logits)[r, c]. Labels are int32 class
 * ids ([rows]) or a probability table ([rows, classes], differentiable too).
 */
export function softmaxCrossEntropy(logits: Tensor2D, labels: Tensor1D | Tensor2D): Scalar {
  assertRank(OP, 'logits', logits, 2);
  assertFloat(OP, 'logits', logits);
  const [rows, classes] = logits.shape;
  if (rows === 0 || classes === 0) throw new Error(`${OP}: logits must have at least one row and one class, got [${logits.shape.join(', ')}]`);
  if (labels.rank === 1) {
    checkClassIds(labels as Tensor1D, rows, classes);
    // int32 one-hot then cast: tfjs-wasm's OneHot writes int32 bits even when asked for float32.
    return tf.tidy(() => crossEntropyWithTable(logits, tf.cast(tf.oneHot(labels as Tensor1D, classes), 'float32') as Tensor2D));
  }
  if (labels.rank !== 2) {
    throw new Error(`${OP}: labels must be int32 class ids [rows] or probabilities [rows, classes], got shape [${labels.shape.join(', ')}]`);
  }
  assertSameShape(OP, 'logits', logits, 'labels', labels);
  assertFloat(OP, 'labels (probabilities)', labels);
  return crossEntropyWithTable(logits, labels as Tensor2D);
}

function crossEntropyWithTable(logits: Tensor2D, table: Tensor2D): Scalar {
  if (backendHasKernel(FUSED_KERNELS.softmaxCrossEntropy)) {
    const [loss, logProbs] = runKernel(FUSED_KERNELS.softmaxCrossEntropy, { logits, labels: table });
    // The tape keeps its own reference to the log-probabilities for the backward pass.
    logProbs.dispose();
    return loss as Scalar;
  }
  const rows = logits.shape[0];
  const fn = tf.customGrad((zIn, yIn, save) => {
    const z = zIn as Tensor2D;
    const y = yIn as Tensor2D;
    const logProbs = tf.logSoftmax(z);
    (save as GradSaveFunc)([logProbs, y]);
    const value = tf.div(tf.neg(tf.sum(tf.mul(y, logProbs))), rows) as Scalar;
    return {
      value,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [lp, ys] = saved;
        const perRow = tf.div(dy as Tensor, rows);
        // d/dz of -sum y (z - lse(z)) = softmax(z) * rowsum(y) - y (rows need not sum to 1).
        const dz = tf.mul(tf.sub(tf.mul(tf.exp(lp), tf.sum(ys, 1, true)), ys), perRow);
        const dTable = tf.mul(tf.neg(lp), perRow);
        return [dz, dTable];
      },
    };
  });
  return fn(logits, table) as Scalar;
}
