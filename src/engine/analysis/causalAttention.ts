// Attention of a left-to-right model (GPT) for a text: the BPE tokens with no [CLS]/[SEP] around them,
// one sequence (no sentence B), and the causal attention probabilities of every layer and head, whose
// upper triangle is 0 (a token never sees the tokens after it). Words group a word's BPE pieces
// (attention.ts wordGroups), so the view's word-merge toggle works as for BERT.
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionResult } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { Gpt } from '../models/gpt';
import type { OnnxGpt } from '../onnx/gpt';
import type { BpeTokenizer } from '../tokenizer/bpe';
import { type AttentionModel, wordGroups } from './attention';

/** One pass with attention: [layers, heads, T, T]. */
function causalWeights(model: Gpt, ids: number[]): Float32Array {
  const data = tf.tidy(() => {
    const out = model.forward(tf.tensor2d(ids, [1, ids.length], 'int32'), { returnAttention: true });
    return tf.concat(out.attentions ?? [], 0); // L × [1, H, T, T] -> [L, H, T, T]
  });
  try {
    return (data.dataSync() as Float32Array).slice();
  } finally {
    data.dispose();
  }
}

/**
 * A GPT with its tokenizer as an AttentionModel; computeAttention hands the whole text to `compute`.
 * `onnx`, when given, is the same model on ONNX Runtime (onnx/gpt.ts) and computes the weights.
 */
export function causalAttentionModel(model: Gpt, tok: BpeTokenizer, onnx?: OnnxGpt): AttentionModel {
  const c = model.config;
  const weightsOf = (ids: number[]) => onnx?.attend(ids) ?? causalWeights(model, ids);
  return {
    tokenizer: { encode: (t) => tok.encode(t), vocab: { clsId: tok.endOfTextId, sepId: tok.endOfTextId } },
    maxPositions: c.maxPositions,
    attend: (ids) => ({ layers: c.numLayers, heads: c.numHeads, weights: weightsOf(ids) }),
    compute(text: string): AttentionResult {
      if (text.trim().length === 0)
        throw new Error(l10n.t('The selection is empty; select some text to see its attention.'));
      const all = tok.encode(text);
      const kept = all.slice(0, c.maxPositions);
      const notice =
        all.length > kept.length
          ? l10n.t(
              "The selection has {0} tokens, more than the model's {1}; attention is shown up to character {2}.",
              all.length,
              c.maxPositions,
              kept.at(-1)?.end,
            )
          : undefined;
      const tokens = kept.map((p) => tok.display(p.id));
      return {
        tokens,
        spans: kept.map((p): [number, number] => [p.start, p.end]),
        words: wordGroups(text, tokens, kept),
        segments: kept.map(() => 0),
        layers: c.numLayers,
        heads: c.numHeads,
        weights: weightsOf(kept.map((p) => p.id)),
        sentenceB: false,
        ...(notice ? { notice } : {}),
      };
    },
  };
}
