// The next-token distribution after a prefix (the GPT counterpart of Predict Mask): the k most likely
// tokens with their probabilities, from one pass over the prefix (its last contextSize tokens).
import * as tf from '@tensorflow/tfjs-core';
import type { NextTokenResult } from '../../shared/configs';
import { disposeCache, type KvCache } from '../models/gpt';
import { type CausalLm, promptIds } from './generate';

export function nextTokens(lm: CausalLm, prefix: string, topK = 10): NextTokenResult {
  const k = Math.max(1, Math.min(Math.floor(topK) || 1, lm.tokenizer.size));
  const p = promptIds(lm, prefix, lm.contextSize);
  const cache: KvCache = { length: 0, k: [], v: [] };
  let values: Float32Array;
  let indices: Int32Array;
  try {
    const logits = lm.decode(p.ids, cache);
    const top = tf.tidy(() => {
      const probs = tf.softmax(logits);
      const t = tf.topk(probs, k);
      return [t.values, t.indices];
    });
    logits.dispose();
    values = top[0].dataSync() as Float32Array;
    indices = top[1].dataSync() as Int32Array;
    tf.dispose(top);
  } finally {
    disposeCache(cache);
  }
  const tok = lm.tokenizer;
  return {
    candidates: [...indices].map((id, i) => ({ token: tok.display(id), id, probability: values[i] })),
    tokens: p.ids.map((id) => tok.display(id)),
    ...(p.notice ? { notice: p.notice } : {}),
  };
}
