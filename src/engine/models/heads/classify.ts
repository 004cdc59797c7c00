// The sequence-classification head (BERT §4.1): dropout then a dense layer on the pooled final [CLS]
// (the pooler belongs to the encoder), a softmax over the labels, and its cross-entropy.
import * as tf from '@tensorflow/tfjs-core';
import { type Dropout, dense, denseShapes, type ParamShapes, type ParamSource } from '../layers';

export const CLASSIFY_HEAD = 'classifier';

export function classifyHeadShapes(hiddenSize: number, numLabels: number): ParamShapes {
  return denseShapes(CLASSIFY_HEAD, hiddenSize, numLabels);
}

/** [B, L] logits from the pooled output [B, H]. */
export function classifyLogits(params: ParamSource, pooled: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  return dense(params, CLASSIFY_HEAD, dropout(pooled));
}

/** Mean cross-entropy of [N, L] logits against [N] int32 labels, and the count right. */
export function softmaxLoss(
  logits: tf.Tensor2D, // [N, L]
  labels: tf.Tensor1D, // [N] int32
): { loss: tf.Scalar; correct: tf.Scalar } {
  const L = logits.shape[1];
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, L)), -1))) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')) as tf.Scalar;
  return { loss, correct };
}
