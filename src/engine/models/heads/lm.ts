// The language-model head of GPT (Radford et al. 2018, §3.1; GPT-2): logits over the vocabulary from
// each hidden state through the token embedding itself (weights tied, no bias), and the mean
// next-token cross-entropy.
import * as tf from '@tensorflow/tfjs-core';
import { type ParamSource, param } from '../layers';

/** Logits [B, T, V] (or [N, V]) from hidden states [B, T, C] (or [N, C]) and the tied embedding. */
export function lmLogits<T extends tf.Tensor2D | tf.Tensor3D>(
  params: ParamSource,
  embedding: string,
  hidden: T,
): T {
  const wte = param(params, embedding) as tf.Tensor2D; // [V, C]
  const [V, C] = wte.shape;
  const flat = hidden.rank === 2 ? (hidden as tf.Tensor2D) : tf.reshape(hidden, [-1, C]); // [N, C]
  const logits = tf.matMul(flat, wte, false, true); // [N, V]
  const shape: number[] = [...hidden.shape.slice(0, -1), V]; // [B, T, V]
  if (hidden.rank === 2) return logits as T;
  const out: tf.Tensor = tf.reshape(logits, shape);
  return out as T;
}

/** Mean cross-entropy of targets [B, T] (int32) under logits [B, T, V], in nats per token. */
export function lmLoss(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  const V = logits.shape[2];
  const logp = tf.logSoftmax(tf.reshape(logits, [-1, V])); // [B*T, V]
  const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.reshape(targets, [-1]), V)), -1); // [B*T]
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}
