// Warm starts of a Seq2seq (Rothe et al. 2020). What is copied and what is new:
// - encoder from a BERT: every encoder weight (embeddings, their LayerNorm, all blocks) copied as is;
//   BERT's pooler, masked-LM and next-sentence heads are not used.
// - decoder from a BERT (BERT→BERT): token embedding, positions (plus BERT's segment-0 embedding, folded
//   in so the sums are unchanged), embedding LayerNorm, each block's self-attention (now causal), its
//   LayerNorm, feed-forward and LayerNorm copied; the LM output bias from the masked-LM head when there.
//   NEW, randomly initialised: every cross-attention projection and its LayerNorm (gain 1, bias 0). The
//   masked-LM head's transform (dense + LayerNorm) is dropped: the decoder's head is the tied embedding.
// - decoder from a GPT (BERT→GPT): wte, wpe, each block's fused q/k/v split in three, c_proj, ln_1,
//   mlp, ln_2 and ln_f copied. NEW: every cross-attention projection and its LayerNorm, and the LM
//   output bias (zeros, so at step 0 the head is GPT's own).
// - random: nothing copied (the baseline).
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig, GptConfig } from '../../shared/configs';
import { bertBlockNames } from './bert';
import { gptBlockNames } from './gpt';
import {
  DEC,
  DEC_POSITIONS,
  DEC_TOKENS,
  type DecoderConfig,
  decoderBlockNames,
  ENC,
  encoderShapes,
} from './seq2seq';

/** The BERT's encoder weights under the seq2seq names (tensors are new; the caller disposes them). */
export function encoderWeightsFromBert(bert: Map<string, tf.Tensor>, c: BertConfig): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name] of encoderShapes(c)) {
    const t = bert.get(name.slice(ENC.length));
    if (!t) throw new Error(`The BERT has no weight ${name.slice(ENC.length)}; pick a complete BERT model.`);
    out.set(name, tf.clone(t));
  }
  return out;
}

export function decoderConfigFromBert(c: BertConfig): DecoderConfig {
  return {
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    numHeads: c.numHeads,
    intermediateSize: c.intermediateSize,
    maxPositions: c.maxPositions,
    norm: 'post',
    finalNorm: false,
    embeddingNorm: true,
    activation: c.hiddenAct ?? 'gelu',
    layerNormEps: c.layerNormEps,
    dropout: c.dropout,
    initializerRange: c.initializerRange,
  };
}

export function decoderConfigFromGpt(c: GptConfig): DecoderConfig {
  return {
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    numHeads: c.numHeads,
    intermediateSize: c.intermediateSize,
    maxPositions: c.maxPositions,
    norm: c.norm,
    finalNorm: c.norm === 'pre',
    embeddingNorm: false,
    activation: 'gelu_new',
    layerNormEps: c.layerNormEps,
    dropout: c.dropout,
    initializerRange: c.initializerRange,
  };
}

function need(m: Map<string, tf.Tensor>, name: string, what: string): tf.Tensor {
  const t = m.get(name);
  if (!t) throw new Error(`The ${what} has no weight ${name}; pick a complete ${what} model.`);
  return t;
}

function copyNorm(
  out: Map<string, tf.Tensor>,
  to: string,
  from: string,
  src: Map<string, tf.Tensor>,
  what: string,
) {
  out.set(`${to}.gamma`, tf.clone(need(src, `${from}.gamma`, what)));
  out.set(`${to}.beta`, tf.clone(need(src, `${from}.beta`, what)));
}

function copyDense(
  out: Map<string, tf.Tensor>,
  to: string,
  from: string,
  src: Map<string, tf.Tensor>,
  what: string,
) {
  out.set(`${to}.kernel`, tf.clone(need(src, `${from}.kernel`, what)));
  out.set(`${to}.bias`, tf.clone(need(src, `${from}.bias`, what)));
}

/** BERT→BERT: the decoder's copied weights (cross-attention absent: the model draws it new). */
export function decoderWeightsFromBert(bert: Map<string, tf.Tensor>, c: BertConfig): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  out.set(DEC_TOKENS, tf.clone(need(bert, 'embeddings.word_embeddings', 'BERT')));
  out.set(
    DEC_POSITIONS,
    tf.tidy(() =>
      tf.add(
        need(bert, 'embeddings.position_embeddings', 'BERT'),
        tf.slice(need(bert, 'embeddings.token_type_embeddings', 'BERT'), [0, 0], [1, c.hiddenSize]),
      ),
    ),
  );
  copyNorm(out, `${DEC}embed.LayerNorm`, 'embeddings.LayerNorm', bert, 'BERT');
  for (let l = 0; l < c.numLayers; l++) {
    const b = bertBlockNames(l);
    const d = decoderBlockNames(l);
    if ('qkv' in b.attention) throw new Error('A BERT block has separate query, key and value projections.');
    copyDense(out, d.self.query, b.attention.query, bert, 'BERT');
    copyDense(out, d.self.key, b.attention.key, bert, 'BERT');
    copyDense(out, d.self.value, b.attention.value, bert, 'BERT');
    copyDense(out, d.self.output, b.attention.output, bert, 'BERT');
    copyNorm(out, d.selfNorm, b.attentionNorm, bert, 'BERT');
    copyDense(out, d.ffn.inner, b.ffn.inner, bert, 'BERT');
    copyDense(out, d.ffn.output, b.ffn.output, bert, 'BERT');
    copyNorm(out, d.ffnNorm, b.ffnNorm, bert, 'BERT');
  }
  const bias = bert.get('cls.predictions.output_bias');
  if (bias) out.set(`${DEC}lm_bias`, tf.clone(bias));
  return out;
}

/** BERT→GPT: the decoder's copied weights; GPT's fused [C, 3C] q/k/v is split into three [C, C]. */
export function decoderWeightsFromGpt(gpt: Map<string, tf.Tensor>, c: GptConfig): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const C = c.hiddenSize;
  out.set(DEC_TOKENS, tf.clone(need(gpt, 'wte', 'GPT')));
  out.set(DEC_POSITIONS, tf.clone(need(gpt, 'wpe', 'GPT')));
  for (let l = 0; l < c.numLayers; l++) {
    const g = gptBlockNames(l);
    const d = decoderBlockNames(l);
    if (!('qkv' in g.attention)) throw new Error('A GPT block has one fused q/k/v projection.');
    const kernel = need(gpt, `${g.attention.qkv}.kernel`, 'GPT');
    const bias = need(gpt, `${g.attention.qkv}.bias`, 'GPT');
    [d.self.query, d.self.key, d.self.value].forEach((to, i) => {
      out.set(`${to}.kernel`, tf.slice(kernel, [0, i * C], [C, C]));
      out.set(`${to}.bias`, tf.slice(bias, [i * C], [C]));
    });
    copyDense(out, d.self.output, g.attention.output, gpt, 'GPT');
    copyNorm(out, d.selfNorm, g.attentionNorm, gpt, 'GPT');
    copyDense(out, d.ffn.inner, g.ffn.inner, gpt, 'GPT');
    copyDense(out, d.ffn.output, g.ffn.output, gpt, 'GPT');
    copyNorm(out, d.ffnNorm, g.ffnNorm, gpt, 'GPT');
  }
  if (c.norm === 'pre') copyNorm(out, `${DEC}final_norm`, 'ln_f', gpt, 'GPT');
  return out;
}

/** Names of the decoder weights a warm start leaves new (cross-attention and its LayerNorm). */
export function isCrossAttention(name: string): boolean {
  return name.startsWith(DEC) && (name.includes('.cross.') || name.includes('.cross_norm.'));
}
