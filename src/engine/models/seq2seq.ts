// A sequence-to-sequence Transformer (Vaswani et al. 2017) warm-started as in Rothe et al. 2020
// ("Leveraging Pre-trained Checkpoints for Sequence Generation Tasks"): BERT's encoder (embeddings and
// post-LN blocks, the names of models/bert.ts under `encoder/`) and a decoder of causal self-attention,
// cross-attention over the encoder's output and feed-forward blocks (crossAttention.ts, under
// `decoder/`), with an LM head tied to the decoder's token embedding plus an output bias.
// Which weights a warm start copies and which are new is in seq2seqWarmStart.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';
import { bertBlockNames, bertEncoderShapes } from './bert';
import { type DecoderBlockNames, decoderBlock, decoderBlockShapes } from './crossAttention';
import {
  activationFn,
  type Dropout,
  layerNorm,
  layerNormShapes,
  type ParamShapes,
  type ParamSource,
  paddingBias,
  param,
  transformerBlock,
} from './layers';

export interface DecoderConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  norm: 'post' | 'pre'; // 'post' for a BERT decoder, GPT's own for a GPT one
  finalNorm: boolean; // GPT-2's ln_f after the last pre-LN block
  embeddingNorm: boolean; // BERT's LayerNorm on the embeddings
  activation: 'gelu' | 'gelu_new' | 'relu';
  layerNormEps: number;
  dropout: number;
  initializerRange: number;
}

export interface Seq2seqConfig {
  encoder: BertConfig;
  decoder: DecoderConfig;
}

export const ENC = 'encoder/';
export const DEC = 'decoder/';
export const DEC_TOKENS = `${DEC}embed.tokens`;
export const DEC_POSITIONS = `${DEC}embed.positions`;

export function decoderBlockNames(l: number): DecoderBlockNames {
  const p = `${DEC}layer_${l}.`;
  return {
    self: {
      query: `${p}self.query`,
      key: `${p}self.key`,
      value: `${p}self.value`,
      output: `${p}self.output`,
    },
    selfNorm: `${p}self_norm`,
    cross: {
      query: `${p}cross.query`,
      key: `${p}cross.key`,
      value: `${p}cross.value`,
      output: `${p}cross.output`,
    },
    crossNorm: `${p}cross_norm`,
    ffn: { inner: `${p}ffn.inner`, output: `${p}ffn.output` },
    ffnNorm: `${p}ffn_norm`,
  };
}

/** The encoder's parameters: BERT's without the pooler (a seq2seq model reads every position, not [CLS]). */
export function encoderShapes(c: BertConfig): ParamShapes {
  return bertEncoderShapes(c)
    .filter(([n]) => !n.startsWith('pooler.'))
    .map(([n, s]) => [ENC + n, s]);
}

export function decoderShapes(d: DecoderConfig, encoderWidth: number): ParamShapes {
  const C = d.hiddenSize;
  const s: ParamShapes = [
    [DEC_TOKENS, [d.vocabSize, C]],
    [DEC_POSITIONS, [d.maxPositions, C]],
  ];
  if (d.embeddingNorm) s.push(...layerNormShapes(`${DEC}embed.LayerNorm`, C));
  for (let l = 0; l < d.numLayers; l++)
    s.push(...decoderBlockShapes(decoderBlockNames(l), C, encoderWidth, d.intermediateSize));
  if (d.finalNorm) s.push(...layerNormShapes(`${DEC}final_norm`, C));
  s.push([`${DEC}lm_bias`, [d.vocabSize]]);
  return s;
}

export function seq2seqShapes(c: Seq2seqConfig): ParamShapes {
  return [...encoderShapes(c.encoder), ...decoderShapes(c.decoder, c.encoder.hiddenSize)];
}

/** No weight decay on biases and LayerNorms. */
export function seq2seqDecays(name: string): boolean {
  return !(name.endsWith('bias') || name.endsWith('gamma') || name.endsWith('beta'));
}

export interface Seq2seqBatch {
  srcIds: tf.Tensor2D; // [B, S] int32
  srcMask: tf.Tensor2D; // [B, S] float32, 1 = real token
  tgtIn: tf.Tensor2D; // [B, T] int32: BOS + target (teacher forcing)
  tgtOut: tf.Tensor2D; // [B, T] int32: target + EOS
  tgtMask: tf.Tensor2D; // [B, T] float32
}

export interface Seq2seqForward {
  training?: boolean;
  seed?: number;
}

export class Seq2seq {
  readonly config: Seq2seqConfig;
  readonly params = new Map<string, tf.Variable>();

  /** Given tensors by name (warm start or checkpoint); every other parameter random (std initializerRange). */
  constructor(config: Seq2seqConfig, init: { seed?: number; weights?: Map<string, tf.Tensor> } = {}) {
    this.config = config;
    let seed = init.seed ?? 4321;
    for (const [name, shape] of seq2seqShapes(config)) {
      const given = init.weights?.get(name);
      const std = name.startsWith(ENC) ? config.encoder.initializerRange : config.decoder.initializerRange;
      let value: tf.Tensor;
      if (given) {
        if (given.shape.join(',') !== shape.join(','))
          throw new Error(`Weight ${name} has shape [${given.shape}] but the model needs [${shape}].`);
        value = given;
      } else if (name.endsWith('gamma')) value = tf.ones(shape);
      else if (name.endsWith('beta') || name.endsWith('bias')) value = tf.zeros(shape);
      else value = tf.truncatedNormal(shape, 0, std, 'float32', seed++);
      this.params.set(name, tf.variable(value, true));
      if (!given) value.dispose();
    }
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** The parameters to train: all, or the decoder only (a frozen encoder). */
  trainable(freezeEncoder: boolean): Map<string, tf.Variable> {
    if (!freezeEncoder) return this.params;
    return new Map([...this.params].filter(([n]) => !n.startsWith(ENC)));
  }

  private dropout(o: Seq2seqForward, rate: number, salt: number): Dropout {
    return <T extends tf.Tensor>(x: T): T =>
      !o.training || rate === 0 ? x : (tf.dropout(x, rate, undefined, (o.seed ?? 0) * 131 + salt) as T);
  }

  /** BERT's encoder over the source: [B, S, He]. Call inside tf.tidy. */
  encode(srcIds: tf.Tensor2D, srcMask: tf.Tensor2D, o: Seq2seqForward = {}): tf.Tensor3D {
    const c = this.config.encoder;
    const p: ParamSource = { get: (n) => this.params.get(ENC + n) };
    const [B, S] = srcIds.shape;
    if (S > c.maxPositions)
      throw new Error(`The source has ${S} tokens; this model accepts at most ${c.maxPositions}.`);
    const emb = tf.add(
      tf.add(
        tf.gather(param(p, 'embeddings.word_embeddings'), tf.reshape(srcIds, [B * S])),
        tf.gather(param(p, 'embeddings.position_embeddings'), tf.tile(tf.range(0, S, 1, 'int32'), [B])),
      ),
      tf.slice(param(p, 'embeddings.token_type_embeddings'), [0, 0], [1, c.hiddenSize]), // segment 0
    ); // [B*S, H]
    const drop = this.dropout(o, c.dropout, 1);
    let x = tf.reshape(drop(layerNorm(p, 'embeddings.LayerNorm', emb, c.layerNormEps)), [
      B,
      S,
      c.hiddenSize,
    ]) as tf.Tensor3D;
    const bias = paddingBias(srcMask);
    for (let l = 0; l < c.numLayers; l++)
      x = transformerBlock(p, bertBlockNames(l), x, {
        numHeads: c.numHeads,
        norm: 'post',
        layerNormEps: c.layerNormEps,
        activation: activationFn(c.hiddenAct),
        paddingBias: bias,
        dropout: {
          attention: this.dropout(o, c.dropout, 100 + l),
          ffn: this.dropout(o, c.dropout, 1000 + l),
        },
      }).out;
    return x;
  }

  /** The decoder's last hidden states for target prefixes tgtIn [B, T] over memory [B, S, He]: [B, T, C]. */
  decodeHidden(
    memory: tf.Tensor3D,
    srcMask: tf.Tensor2D,
    tgtIn: tf.Tensor2D,
    o: Seq2seqForward = {},
  ): tf.Tensor3D {
    const d = this.config.decoder;
    const p = this.params;
    const [B, T] = tgtIn.shape;
    if (T > d.maxPositions)
      throw new Error(`The target has ${T} tokens; this model writes at most ${d.maxPositions}.`);
    let emb = tf.add(
      tf.gather(param(p, DEC_TOKENS), tf.reshape(tgtIn, [B * T])),
      tf.gather(param(p, DEC_POSITIONS), tf.tile(tf.range(0, T, 1, 'int32'), [B])),
    ) as tf.Tensor2D; // [B*T, C]
    if (d.embeddingNorm) emb = layerNorm(p, `${DEC}embed.LayerNorm`, emb, d.layerNormEps);
    let x = tf.reshape(this.dropout(o, d.dropout, 2)(emb), [B, T, d.hiddenSize]) as tf.Tensor3D;
    const memoryBias = paddingBias(srcMask);
    for (let l = 0; l < d.numLayers; l++)
      x = decoderBlock(p, decoderBlockNames(l), x, memory, {
        numHeads: d.numHeads,
        norm: d.norm,
        layerNormEps: d.layerNormEps,
        memoryBias,
        activation: activationFn(d.activation),
        drop: this.dropout(o, d.dropout, 5000 + l),
      });
    if (d.finalNorm) x = layerNorm(p, `${DEC}final_norm`, x, d.layerNormEps);
    return x;
  }

  /** The LM head, tied to the decoder's token embedding: hidden [N, C] → logits [N, V]. */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.add(
      tf.matMul(hidden, param(this.params, DEC_TOKENS), false, true),
      param(this.params, `${DEC}lm_bias`),
    );
  }

  /**
   * Teacher-forced token cross-entropy, mean over real target tokens, with label smoothing ε (Szegedy et
   * al. 2016: the target distribution puts ε uniformly over the vocabulary). `correct` counts top-1 hits.
   */
  loss(
    b: Seq2seqBatch,
    labelSmoothing = 0,
    o: Seq2seqForward = {},
  ): { loss: tf.Scalar; correct: tf.Scalar; tokens: tf.Scalar } {
    const memory = this.encode(b.srcIds, b.srcMask, o);
    const h = this.decodeHidden(memory, b.srcMask, b.tgtIn, o);
    const [B, T, C] = h.shape;
    const logp = tf.logSoftmax(this.logits(tf.reshape(h, [B * T, C]))); // [B*T, V]
    const V = logp.shape[1];
    const gold = tf.reshape(b.tgtOut, [B * T]);
    const w = tf.reshape(b.tgtMask, [B * T]);
    const nllGold = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(gold, V)), -1)); // [B*T]
    const perTok =
      labelSmoothing > 0
        ? tf.add(tf.mul(nllGold, 1 - labelSmoothing), tf.mul(tf.neg(tf.mean(logp, -1)), labelSmoothing))
        : nllGold;
    const n = tf.maximum(tf.sum(w), 1);
    const loss = tf.div(tf.sum(tf.mul(perTok, w)), n) as tf.Scalar;
    const hit = tf.cast(tf.equal(tf.argMax(logp, -1), tf.cast(gold, 'int32')), 'float32');
    return { loss, correct: tf.sum(tf.mul(hit, w)), tokens: tf.sum(w) };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
