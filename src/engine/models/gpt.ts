// GPT (Radford et al. 2018; GPT-2, Radford et al. 2019): token + learned position embeddings, a stack
// of causal Transformer blocks (layers.ts) with GPT-2's pre-LN and final LayerNorm, or GPT-1's
// post-LN, then the LM head tied to the token embedding (heads/lm.ts). `decode` runs the same model
// token by token with a key/value cache, for generation.
//
// Parameter layout (names as GPT-2's, so a Hugging Face GPT-2 maps one to one): ours → HF
//   wte [V, C]                        → wte.weight
//   wpe [P, C]                        → wpe.weight
//   h.N.ln_1.gamma / .beta [C]        → h.N.ln_1.weight / .bias
//   h.N.attn.c_attn.kernel [C, 3C]    → h.N.attn.c_attn.weight (Conv1D: already [in, out]; q, k, v in
//   h.N.attn.c_attn.bias [3C]           that order along the last axis) / .bias
//   h.N.attn.c_proj.kernel [C, C]     → h.N.attn.c_proj.weight / .bias
//   h.N.ln_2.gamma / .beta            → h.N.ln_2.weight / .bias
//   h.N.mlp.c_fc.kernel [C, 4C]       → h.N.mlp.c_fc.weight / .bias
//   h.N.mlp.c_proj.kernel [4C, C]     → h.N.mlp.c_proj.weight / .bias
//   ln_f.gamma / .beta (pre-LN only)  → ln_f.weight / .bias
// The LM head has no parameters of its own (lm_head.weight is wte). GELU is GPT-2's tanh form.
import * as tf from '@tensorflow/tfjs-core';
import type { GptConfig } from '../../shared/configs';
import type { OrtKv } from '../onnx/gpt';
import { lmLogits, lmLoss } from './heads/lm';
import {
  type BlockNames,
  blockShapes,
  causalBiasValues,
  type Dropout,
  dense,
  layerNorm,
  layerNormShapes,
  type ParamShapes,
  param,
  transformerBlock,
} from './layers';
import { checkSizes, countParams, dropoutSite, initParams } from './params';

export const TOKEN_EMBEDDING = 'wte';
export const POSITION_EMBEDDING = 'wpe';

export function validateGptConfig(c: GptConfig): void {
  checkSizes(c, 'GPT', [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'intermediateSize',
    'maxPositions',
  ]);
  if (c.norm !== 'pre' && c.norm !== 'post')
    throw new Error(`GPT config: norm must be "pre" or "post", got ${c.norm}.`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`GPT config: dropout must be in [0, 1), got ${c.dropout}.`);
  if (!(c.layerNormEps > 0 && c.layerNormEps < 1))
    throw new Error(`GPT config: layerNormEps must be between 0 and 1, got ${c.layerNormEps}.`);
}

export function gptBlockNames(l: number): BlockNames {
  const p = `h.${l}.`;
  return {
    attention: { qkv: `${p}attn.c_attn`, output: `${p}attn.c_proj` },
    attentionNorm: `${p}ln_1`,
    ffn: { inner: `${p}mlp.c_fc`, output: `${p}mlp.c_proj` },
    ffnNorm: `${p}ln_2`,
  };
}

/** Every parameter with its shape, in stored order. */
export function gptParamShapes(c: GptConfig): ParamShapes {
  const C = c.hiddenSize;
  const s: ParamShapes = [
    [TOKEN_EMBEDDING, [c.vocabSize, C]],
    [POSITION_EMBEDDING, [c.maxPositions, C]],
  ];
  for (let l = 0; l < c.numLayers; l++) s.push(...blockShapes(gptBlockNames(l), C, c.intermediateSize));
  if (c.norm === 'pre') s.push(...layerNormShapes('ln_f', C));
  return s;
}

export function gptParamCount(c: GptConfig): number {
  return gptParamShapes(c).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/** Weight decay on matrices and the token embedding only (not biases, LayerNorms, positions), as nanoGPT. */
export function gptDecays(name: string): boolean {
  return name.endsWith('.kernel') || name === TOKEN_EMBEDDING;
}

/** GPT-2's GELU, the tanh approximation (Hendrycks & Gimpel 2016). */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as T;
}

export interface GptForwardOptions {
  training?: boolean; // applies dropout
  seed?: number; // dropout seed
  returnAttention?: boolean;
  returnLayers?: boolean;
}

export interface GptOutputs {
  hidden: tf.Tensor3D; // [B, T, C] after the last block (and ln_f for pre-LN)
  attentions?: tf.Tensor4D[]; // per layer [B, heads, T, T], upper triangle 0
  layers?: tf.Tensor3D[]; // embedding output, then each block's output
}

/** Keys and values of the positions seen so far, per layer: [1, heads, T, dh] each. Kept tensors. */
export interface KvCache {
  length: number; // positions cached
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
  ort?: OrtKv; // when decoding runs on ONNX Runtime (onnx/gpt.ts)
}

export function disposeCache(c: KvCache): void {
  for (const t of [...c.k, ...c.v]) t.dispose();
  c.k = [];
  c.v = [];
  c.ort = undefined;
  c.length = 0;
}

export class Gpt {
  readonly config: GptConfig;
  readonly params: Map<string, tf.Variable>;

  /** Random weights (normal, std initializerRange; residual projections scaled by 1/√(2L) as GPT-2), or given ones. */
  constructor(config: GptConfig, init: { seed?: number; weights?: Map<string, tf.Tensor> } = {}) {
    validateGptConfig(config);
    this.config = config;
    let seed = init.seed ?? 1234;
    const residualStd = config.initializerRange / Math.sqrt(2 * config.numLayers);
    this.params = initParams(gptParamShapes(config), init.weights, (name, shape) => {
      const std = name.endsWith('c_proj.kernel') ? residualStd : config.initializerRange;
      return tf.randomNormal(shape, 0, std, 'float32', seed++);
    });
  }

  get parameterCount(): number {
    return countParams(this.params);
  }

  private dropout(o: GptForwardOptions, salt: number): Dropout {
    return dropoutSite(this.config.dropout, o, salt);
  }

  /** Token + position embeddings of ids [B, T] starting at position `from`: [B, T, C]. */
  private embed(ids: tf.Tensor2D, from: number): tf.Tensor3D {
    const [B, T] = ids.shape;
    const C = this.config.hiddenSize;
    const tok = tf.gather(param(this.params, TOKEN_EMBEDDING), tf.reshape(ids, [B * T])); // [B*T, C]
    const pos = tf.slice(param(this.params, POSITION_EMBEDDING), [from, 0], [T, C]); // [T, C]
    return tf.add(tf.reshape(tok, [B, T, C]), pos) as tf.Tensor3D;
  }

  private checkLength(T: number): void {
    if (T > this.config.maxPositions)
      throw new Error(
        `The input has ${T} tokens; this model's context window is ${this.config.maxPositions}.`,
      );
  }

  /** The decoder over ids [B, T] int32. Call inside tf.tidy. */
  forward(ids: tf.Tensor2D, o: GptForwardOptions = {}): GptOutputs {
    const c = this.config;
    const T = ids.shape[1];
    this.checkLength(T);
    let x = this.dropout(o, 1)(this.embed(ids, 0)); // [B, T, C]
    const attentions: tf.Tensor4D[] = [];
    const layers: tf.Tensor3D[] = o.returnLayers ? [x] : [];
    for (let l = 0; l < c.numLayers; l++) {
      const r = transformerBlock(this.params, gptBlockNames(l), x, {
        numHeads: c.numHeads,
        norm: c.norm,
        layerNormEps: c.layerNormEps,
        causal: true,
        returnProbs: o.returnAttention,
        activation: geluTanh,
        dropout: {
          probs: this.dropout(o, 10 + l),
          attention: this.dropout(o, 100 + l),
          ffn: this.dropout(o, 1000 + l),
        },
      });
      x = r.out;
      if (r.probs) attentions.push(r.probs);
      if (o.returnLayers) layers.push(x);
    }
    if (c.norm === 'pre') x = layerNorm(this.params, 'ln_f', x, c.layerNormEps);
    const out: GptOutputs = { hidden: x };
    if (o.returnAttention) out.attentions = attentions;
    if (o.returnLayers) out.layers = layers;
    return out;
  }

  /** Next-token logits at every position: [B, T, V]. */
  logits(ids: tf.Tensor2D, o: GptForwardOptions = {}): tf.Tensor3D {
    return lmLogits(this.params, TOKEN_EMBEDDING, this.forward(ids, o).hidden);
  }

  /** Mean next-token cross-entropy of targets [B, T] given ids [B, T]. */
  loss(ids: tf.Tensor2D, targets: tf.Tensor2D, o: GptForwardOptions = {}): tf.Scalar {
    return lmLoss(this.logits(ids, o), targets);
  }

  /**
   * Feeds new tokens of one sequence after the cached ones and returns the logits of the last: [V].
   * The cache is updated in place (its old tensors disposed). The result is the caller's to dispose.
   */
  decode(ids: readonly number[], cache: KvCache): tf.Tensor1D {
    const c = this.config;
    const n = ids.length;
    const past = cache.length;
    this.checkLength(past + n);
    const nh = c.numHeads;
    const dh = c.hiddenSize / nh;
    const C = c.hiddenSize;
    const newK: tf.Tensor4D[] = [];
    const newV: tf.Tensor4D[] = [];
    const logits = tf.tidy(() => {
      const heads = (t: tf.Tensor) =>
        tf.transpose(tf.reshape(t, [1, n, nh, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
      // query i sits at position past + i and sees keys 0 … past + i: [1, 1, n, past + n]
      const bias = tf.tensor4d(causalBiasValues(n, past), [1, 1, n, past + n]);
      const ln = (name: string, t: tf.Tensor3D) => layerNorm(this.params, name, t, c.layerNormEps);
      let x = this.embed(tf.tensor2d([...ids], [1, n], 'int32'), past); // [1, n, C]
      for (let l = 0; l < c.numLayers; l++) {
        const names = gptBlockNames(l);
        const attnIn = c.norm === 'pre' ? ln(names.attentionNorm, x) : x;
        const [q, k, v] = tf.split(dense(this.params, `h.${l}.attn.c_attn`, attnIn), 3, -1).map(heads);
        const K = past > 0 ? tf.concat([cache.k[l], k], 2) : k; // [1, nh, past + n, dh]
        const V = past > 0 ? tf.concat([cache.v[l], v], 2) : v;
        newK.push(tf.keep(K) as tf.Tensor4D);
        newV.push(tf.keep(V) as tf.Tensor4D);
        const scores = tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(dh)), bias);
        const ctx = tf.matMul(tf.softmax(scores), V); // [1, nh, n, dh]
        const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [1, n, C]) as tf.Tensor3D;
        const a = dense(this.params, `h.${l}.attn.c_proj`, merged);
        const ffn = (t: tf.Tensor3D) =>
          dense(this.params, names.ffn.output, geluTanh(dense(this.params, names.ffn.inner, t)));
        if (c.norm === 'pre') {
          const h = tf.add(x, a) as tf.Tensor3D;
          x = tf.add(h, ffn(ln(names.ffnNorm, h))) as tf.Tensor3D;
        } else {
          const h = ln(names.attentionNorm, tf.add(x, a) as tf.Tensor3D);
          x = ln(names.ffnNorm, tf.add(h, ffn(h)) as tf.Tensor3D);
        }
      }
      if (c.norm === 'pre') x = ln('ln_f', x);
      const last = tf.reshape(tf.slice(x, [0, n - 1, 0], [1, 1, C]), [1, C]) as tf.Tensor2D;
      return tf.reshape(lmLogits(this.params, TOKEN_EMBEDDING, last), [-1]) as tf.Tensor1D; // [V]
    });
    disposeCache(cache);
    cache.k = newK;
    cache.v = newV;
    cache.length = past + n;
    return logits;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
