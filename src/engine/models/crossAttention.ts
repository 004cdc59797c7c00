// Cross-attention (Vaswani et al. 2017, §3.2.3: "encoder-decoder attention"): queries from the decoder,
// keys and values from the encoder's output, so every target position sees the whole source. Beside
// layers.ts (whose self-attention it mirrors) so that the seq2seq decoder block can use both.
import * as tf from '@tensorflow/tfjs-core';
import {
  type Dropout,
  dense,
  denseShapes,
  feedForward,
  layerNorm,
  type ParamShapes,
  type ParamSource,
  selfAttention,
} from './layers';

export interface CrossAttentionNames {
  query: string; // [C, C]
  key: string; // [Cm, C]: the encoder's width may differ from the decoder's (BERT→GPT)
  value: string; // [Cm, C]
  output: string; // [C, C]
}

export function crossAttentionShapes(n: CrossAttentionNames, C: number, Cm: number): ParamShapes {
  return [
    ...denseShapes(n.query, C, C),
    ...denseShapes(n.key, Cm, C),
    ...denseShapes(n.value, Cm, C),
    ...denseShapes(n.output, C, C),
  ];
}

/** Multi-head attention of x [B, T, C] over memory [B, S, Cm]; memoryBias [B, 1, 1, S] masks source padding. */
export function crossAttention(
  params: ParamSource,
  names: CrossAttentionNames,
  x: tf.Tensor3D,
  memory: tf.Tensor3D,
  o: { numHeads: number; memoryBias?: tf.Tensor4D; dropProbs?: Dropout; returnProbs?: boolean },
): { out: tf.Tensor3D; probs?: tf.Tensor4D } {
  const [B, T, C] = x.shape;
  const S = memory.shape[1];
  const nh = o.numHeads;
  const dh = C / nh;
  const heads = (t: tf.Tensor3D, L: number) => tf.transpose(tf.reshape(t, [B, L, nh, dh]), [0, 2, 1, 3]);
  const q = heads(dense(params, names.query, x), T); // [B, nh, T, dh]
  const k = heads(dense(params, names.key, memory), S); // [B, nh, S, dh]
  const v = heads(dense(params, names.value, memory), S);
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)); // [B, nh, T, S]
  if (o.memoryBias) scores = tf.add(scores, o.memoryBias);
  const probs = tf.softmax(scores) as tf.Tensor4D;
  const ctx = tf.matMul(o.dropProbs ? o.dropProbs(probs) : probs, v); // [B, nh, T, dh]
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B, T, C]) as tf.Tensor3D;
  const out = dense(params, names.output, merged);
  return o.returnProbs ? { out, probs } : { out };
}

export interface DecoderBlockNames {
  self: { query: string; key: string; value: string; output: string };
  selfNorm: string;
  cross: CrossAttentionNames;
  crossNorm: string;
  ffn: { inner: string; output: string };
  ffnNorm: string;
}

export function decoderBlockShapes(n: DecoderBlockNames, C: number, Cm: number, inner: number): ParamShapes {
  return [
    ...[n.self.query, n.self.key, n.self.value, n.self.output].flatMap((p) => denseShapes(p, C, C)),
    [`${n.selfNorm}.gamma`, [C]],
    [`${n.selfNorm}.beta`, [C]],
    ...crossAttentionShapes(n.cross, C, Cm),
    [`${n.crossNorm}.gamma`, [C]],
    [`${n.crossNorm}.beta`, [C]],
    ...denseShapes(n.ffn.inner, C, inner),
    ...denseShapes(n.ffn.output, inner, C),
    [`${n.ffnNorm}.gamma`, [C]],
    [`${n.ffnNorm}.beta`, [C]],
  ];
}

/**
 * A decoder block: causal self-attention, cross-attention over the source, feed-forward, each with a
 * residual. 'post' as BERT with add_cross_attention (LN after each residual); 'pre' as GPT-2 (LN before).
 */
export function decoderBlock(
  params: ParamSource,
  n: DecoderBlockNames,
  x: tf.Tensor3D, // [B, T, C]
  memory: tf.Tensor3D, // [B, S, Cm]
  o: {
    numHeads: number;
    norm: 'post' | 'pre';
    layerNormEps: number;
    memoryBias?: tf.Tensor4D;
    activation: (h: tf.Tensor) => tf.Tensor;
    drop: Dropout;
    selfBias?: tf.Tensor4D; // target padding, [B, 1, 1, T]
  },
): tf.Tensor3D {
  const ln = (p: string, t: tf.Tensor3D) => layerNorm(params, p, t, o.layerNormEps);
  const selfA = (t: tf.Tensor3D) =>
    selfAttention(params, n.self, t, { numHeads: o.numHeads, causal: true, paddingBias: o.selfBias }).out;
  const crossA = (t: tf.Tensor3D) =>
    crossAttention(params, n.cross, t, memory, { numHeads: o.numHeads, memoryBias: o.memoryBias }).out;
  const ffn = (t: tf.Tensor3D) => feedForward(params, n.ffn, t, o.activation);
  if (o.norm === 'post') {
    const a = ln(n.selfNorm, tf.add(o.drop(selfA(x)), x));
    const c = ln(n.crossNorm, tf.add(o.drop(crossA(a)), a));
    return ln(n.ffnNorm, tf.add(o.drop(ffn(c)), c));
  }
  const a = tf.add(x, o.drop(selfA(ln(n.selfNorm, x)))) as tf.Tensor3D;
  const c = tf.add(a, o.drop(crossA(ln(n.crossNorm, a)))) as tf.Tensor3D;
  return tf.add(c, o.drop(ffn(ln(n.ffnNorm, c)))) as tf.Tensor3D;
}
