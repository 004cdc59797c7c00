// The next-sentence head (BERT §3.1, task 2): a 2-way classifier on the pooled [CLS] representation
// (label 0 = B follows A, 1 = B is random), and its cross-entropy.
import * as tf from '@tensorflow/tfjs-core';
import { type ParamShapes, type ParamSource, param } from '../layers';

/** The head's own parameters, in stored order. */
export function nspHeadShapes(hiddenSize: number): ParamShapes {
  return [
    ['cls.seq_relationship.output_weights', [hiddenSize, 2]],
    ['cls.seq_relationship.output_bias', [2]],
  ];
}

/** [B, 2] logits from the pooled output [B, H]. */
export function nspLogits(params: ParamSource, pooled: tf.Tensor2D): tf.Tensor2D {
  return tf.add(
    tf.matMul(pooled, param(params, 'cls.seq_relationship.output_weights') as tf.Tensor2D),
    param(params, 'cls.seq_relationship.output_bias'),
  );
}

/** Mean cross-entropy over the batch, and the count of right predictions. */
export function nspLoss(
  logits: tf.Tensor2D, // [B, 2]
  labels: tf.Tensor1D, // [B] int32
): { loss: tf.Scalar; correct: tf.Scalar } {
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, 2)), -1))) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')) as tf.Scalar;
  return { loss, correct };
}
