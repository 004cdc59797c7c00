// The masked-LM head (BERT §3.1, task 1): dense + GELU + LayerNorm on the hidden state at each masked
// position, then a decoder tied to the input word embedding with its own output bias (§A.2; BERT's
// run_pretraining.py), and the weighted cross-entropy over the masked positions.
import * as tf from '@tensorflow/tfjs-core';
import {
  dense,
  denseShapes,
  gelu,
  layerNorm,
  layerNormShapes,
  type ParamShapes,
  type ParamSource,
  param,
} from '../layers';

/** The word embedding the decoder is tied to; it belongs to the encoder, not to this head. */
export const TIED_EMBEDDING = 'embeddings.word_embeddings';

/** The head's own parameters, in stored order. */
export function mlmHeadShapes(hiddenSize: number, vocabSize: number): ParamShapes {
  return [
    ...denseShapes('cls.predictions.transform.dense', hiddenSize, hiddenSize),
    ...layerNormShapes('cls.predictions.transform.LayerNorm', hiddenSize),
    ['cls.predictions.output_bias', [vocabSize]],
  ];
}

/** MLM logits only at the given flat positions (b·T + t): [N, V]. */
export function mlmLogits(
  params: ParamSource,
  hidden: tf.Tensor3D, // [B, T, H]
  flatPositions: tf.Tensor1D, // [N] int32
  layerNormEps: number,
  activation: (h: tf.Tensor) => tf.Tensor = gelu, // the encoder's activation (Hugging Face's hidden_act)
): tf.Tensor2D {
  const [B, T, H] = hidden.shape;
  const picked = tf.gather(tf.reshape(hidden, [B * T, H]), flatPositions) as tf.Tensor2D; // [N, H]
  const t = layerNorm(
    params,
    'cls.predictions.transform.LayerNorm',
    activation(dense(params, 'cls.predictions.transform.dense', picked)) as tf.Tensor2D,
    layerNormEps,
  ); // [N, H]
  return tf.add(
    tf.matMul(t, param(params, TIED_EMBEDDING) as tf.Tensor2D, false, true), // [N, V]
    param(params, 'cls.predictions.output_bias'),
  );
}

/** Cross-entropy averaged with the given weights (0 for padding predictions), and the weighted top-1 hits. */
export function mlmLoss(
  logits: tf.Tensor2D, // [N, V]
  maskedIds: tf.Tensor1D, // [N] int32
  maskedWeights: tf.Tensor1D, // [N] float32
): { loss: tf.Scalar; correct: tf.Scalar } {
  const V = logits.shape[1];
  const logp = tf.logSoftmax(logits);
  const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(maskedIds, V)), -1)); // [N]
  const wsum = tf.add(tf.sum(maskedWeights), 1e-5);
  const loss = tf.div(tf.sum(tf.mul(nll, maskedWeights)), wsum) as tf.Scalar;
  const hit = tf.cast(tf.equal(tf.argMax(logits, -1), maskedIds), 'float32'); // [N]
  return { loss, correct: tf.sum(tf.mul(hit, maskedWeights)) as tf.Scalar };
}
