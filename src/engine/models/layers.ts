// Transformer pieces shared by the model families (BERT now; GPT, a seq2seq decoder next), written as
// functions of a parameter map so that each model keeps the parameter names of its checkpoints.
// Naming convention: a dense layer `p` reads `p.kernel` [in, out] and `p.bias` [out]; a LayerNorm `p`
// reads `p.gamma` and `p.beta` [C] (the original TensorFlow names). Call everything inside tf.tidy.
import * as tf from '@tensorflow/tfjs-core';

/** Where layers find their weights by name; a model's Map<string, tf.Variable> is one. */
export interface ParamSource {
  get(name: string): tf.Tensor | undefined;
}

/** Parameter names with their shapes, in the order a checkpoint stores them. */
export type ParamShapes = [string, number[]][];

export function param(params: ParamSource, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`The model has no parameter ${name}.`);
  return t;
}

/** Applies dropout at one site of the model; the model decides the rate and the seed of each site. */
export type Dropout = <T extends tf.Tensor>(x: T) => T;
const noDropout: Dropout = (x) => x;

export function denseShapes(prefix: string, cin: number, cout: number): ParamShapes {
  return [
    [`${prefix}.kernel`, [cin, cout]],
    [`${prefix}.bias`, [cout]],
  ];
}

export function layerNormShapes(prefix: string, C: number): ParamShapes {
  return [
    [`${prefix}.gamma`, [C]],
    [`${prefix}.beta`, [C]],
  ];
}

/** x · W + b over the last axis, for any number of leading axes. */
export function dense<T extends tf.Tensor>(params: ParamSource, prefix: string, x: T): T {
  const kernel = param(params, `${prefix}.kernel`) as tf.Tensor2D; // [Cin, Cout]
  const [cin, cout] = kernel.shape;
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 2 ? (x as unknown as tf.Tensor2D) : tf.reshape(x, [-1, cin]); // [N, Cin]
  const y = tf.add(tf.matMul(flat, kernel), param(params, `${prefix}.bias`)); // [N, Cout]
  return (x.rank === 2 ? y : tf.reshape(y, [...lead, cout])) as T;
}

/** LayerNorm over the last axis (Ba et al. 2016), with learned gain and bias. */
export function layerNorm<T extends tf.Tensor>(params: ParamSource, prefix: string, x: T, eps: number): T {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  const normed = tf.mul(xc, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, param(params, `${prefix}.gamma`)), param(params, `${prefix}.beta`)) as T;
}

/** Exact GELU, x · Φ(x), as in BERT and GPT. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}

/** GELU's tanh approximation (GPT-2; Hugging Face's `gelu_new`). */
export function geluNew<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as T;
}

/** The activation function for a config's name: exact GELU unless told otherwise. */
export function activationFn(name: 'gelu' | 'gelu_new' | 'relu' | undefined): (h: tf.Tensor) => tf.Tensor {
  if (name === 'relu') return tf.relu;
  return name === 'gelu_new' ? geluNew : gelu;
}

/** Additive attention bias from a padding mask: 0 where attending is allowed, -10000 at padding (BERT). */
export function paddingBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [B, T] = mask.shape; // mask [B, T] float32, 1 = real token, 0 = padding
  return tf.reshape(tf.mul(tf.sub(1, mask), -10000), [B, 1, 1, T]); // [B, 1, 1, T]
}

/**
 * The additive causal bias of n new positions after `past` cached ones, [n, past + n] row-major: new
 * position i (at past + i) may attend to positions ≤ past + i only (−1e9 elsewhere).
 */
export function causalBiasValues(n: number, past = 0): Float32Array {
  const S = past + n;
  const b = new Float32Array(n * S);
  for (let i = 0; i < n; i++) for (let j = past + i + 1; j < S; j++) b[i * S + j] = -1e9;
  return b;
}

/** Additive causal bias: position i may attend to j ≤ i only. [1, 1, T, T] */
export function causalBias(T: number): tf.Tensor4D {
  return tf.tensor4d(causalBiasValues(T), [1, 1, T, T]);
}

/** Parameter names of one attention layer: separate query/key/value projections, or one fused [C, 3C]. */
export type AttentionNames =
  | { query: string; key: string; value: string; output: string }
  | FusedAttentionNames;
export type FusedAttentionNames = { qkv: string; output: string };

export interface AttentionOptions {
  numHeads: number;
  causal?: boolean; // a decoder: position i sees only positions ≤ i
  paddingBias?: tf.Tensor4D; // [B, 1, 1, T] from paddingBias(), made once per forward pass
  returnProbs?: boolean; // the attention view reads them
  dropProbs?: Dropout; // dropout on the attention probabilities
}

export interface AttentionResult {
  out: tf.Tensor3D; // [B, T, C] after the output projection
  probs?: tf.Tensor4D; // [B, heads, T, T], rows sum to 1
}

/** Multi-head scaled dot-product self-attention (Vaswani et al. 2017, §3.2) with its output projection. */
export function selfAttention(
  params: ParamSource,
  names: AttentionNames,
  x: tf.Tensor3D, // [B, T, C]
  o: AttentionOptions,
): AttentionResult {
  const [B, T, C] = x.shape;
  const nh = o.numHeads;
  if (C % nh !== 0) throw new Error(`The width ${C} must be divisible by the ${nh} attention heads.`);
  const dh = C / nh;
  const heads = (t: tf.Tensor3D) => tf.transpose(tf.reshape(t, [B, T, nh, dh]), [0, 2, 1, 3]); // [B, nh, T, dh]
  let qkv: tf.Tensor3D[];
  if ('qkv' in names) qkv = tf.split(dense(params, names.qkv, x), 3, -1) as tf.Tensor3D[];
  else qkv = [names.query, names.key, names.value].map((n) => dense(params, n, x));
  const [q, k, v] = qkv.map(heads);
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)); // [B, nh, T, T]
  if (o.paddingBias) scores = tf.add(scores, o.paddingBias);
  if (o.causal) scores = tf.add(scores, causalBias(T));
  const probs = tf.softmax(scores) as tf.Tensor4D; // [B, nh, T, T]
  const ctx = tf.matMul((o.dropProbs ?? noDropout)(probs), v); // [B, nh, T, dh]
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B, T, C]) as tf.Tensor3D; // [B, T, C]
  const out = dense(params, names.output, merged);
  return o.returnProbs ? { out, probs } : { out };
}

/** The position-wise feed-forward block: dense C → I, activation, dense I → C. */
export function feedForward<T extends tf.Tensor>(
  params: ParamSource,
  names: { inner: string; output: string },
  x: T, // [B, T, C]
  activation: (h: tf.Tensor) => tf.Tensor = gelu,
): T {
  return dense(params, names.output, activation(dense(params, names.inner, x)) as T); // [B, T, C]
}

export interface BlockNames {
  attention: AttentionNames;
  attentionNorm: string; // post-LN: after the attention residual; pre-LN: before the attention
  ffn: { inner: string; output: string };
  ffnNorm: string;
}

export interface BlockOptions {
  numHeads: number;
  // 'post': x = LN(x + f(x)), BERT and GPT-1; 'pre': x = x + f(LN(x)), GPT-2 (which adds a final LN)
  norm: 'post' | 'pre';
  layerNormEps: number;
  causal?: boolean;
  paddingBias?: tf.Tensor4D; // [B, 1, 1, T]
  returnProbs?: boolean;
  activation?: (h: tf.Tensor) => tf.Tensor; // GELU unless given
  // dropout sites, each with its own seed: attention probabilities, attention output, feed-forward output
  dropout?: { probs?: Dropout; attention?: Dropout; ffn?: Dropout };
}

/** The block's parameters: attention projections, its LayerNorm, feed-forward, its LayerNorm. */
export function blockShapes(names: BlockNames, C: number, inner: number): ParamShapes {
  const a = names.attention;
  const projections =
    'qkv' in a
      ? denseShapes(a.qkv, C, 3 * C)
      : [a.query, a.key, a.value].flatMap((n) => denseShapes(n, C, C));
  return [
    ...projections,
    ...denseShapes(a.output, C, C),
    ...layerNormShapes(names.attentionNorm, C),
    ...denseShapes(names.ffn.inner, C, inner),
    ...denseShapes(names.ffn.output, inner, C),
    ...layerNormShapes(names.ffnNorm, C),
  ];
}

/** One Transformer block: self-attention and feed-forward, each with a residual connection and a LayerNorm. */
export function transformerBlock(
  params: ParamSource,
  names: BlockNames,
  x: tf.Tensor3D, // [B, T, C]
  o: BlockOptions,
): { out: tf.Tensor3D; probs?: tf.Tensor4D } {
  const ln = (prefix: string, t: tf.Tensor3D) => layerNorm(params, prefix, t, o.layerNormEps);
  const attend = (t: tf.Tensor3D) =>
    selfAttention(params, names.attention, t, {
      numHeads: o.numHeads,
      causal: o.causal,
      paddingBias: o.paddingBias,
      returnProbs: o.returnProbs,
      dropProbs: o.dropout?.probs,
    });
  const dropAttn = o.dropout?.attention ?? noDropout;
  const dropFfn = o.dropout?.ffn ?? noDropout;
  const ffn = (t: tf.Tensor3D) => feedForward(params, names.ffn, t, o.activation);
  if (o.norm === 'post') {
    const a = attend(x);
    const h = ln(names.attentionNorm, tf.add(dropAttn(a.out), x)); // [B, T, C]
    const out = ln(names.ffnNorm, tf.add(dropFfn(ffn(h)), h));
    return a.probs ? { out, probs: a.probs } : { out };
  }
  const a = attend(ln(names.attentionNorm, x));
  const h = tf.add(x, dropAttn(a.out)) as tf.Tensor3D; // [B, T, C]
  const out = tf.add(h, dropFfn(ffn(ln(names.ffnNorm, h)))) as tf.Tensor3D;
  return a.probs ? { out, probs: a.probs } : { out };
}
