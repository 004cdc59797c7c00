// The token-tagging head (BERT §4.3, NER): a dense layer on the final hidden state of each word's first
// WordPiece; the other pieces of a word get no label and no loss.
import * as tf from '@tensorflow/tfjs-core';
import { type Dropout, dense, denseShapes, type ParamShapes, type ParamSource } from '../layers';

export const TAG_HEAD = 'tagger';

export function tagHeadShapes(hiddenSize: number, numLabels: number): ParamShapes {
  return denseShapes(TAG_HEAD, hiddenSize, numLabels);
}

/** [N, L] logits at the flat positions b*T + t of the words' first pieces, from hidden [B, T, H]. */
export function tagLogits(
  params: ParamSource,
  hidden: tf.Tensor3D,
  flatPositions: tf.Tensor1D, // [N] int32
  dropout: Dropout,
): tf.Tensor2D {
  const [B, T, H] = hidden.shape;
  const picked = tf.gather(tf.reshape(hidden, [B * T, H]), flatPositions) as tf.Tensor2D; // [N, H]
  return dense(params, TAG_HEAD, dropout(picked));
}
