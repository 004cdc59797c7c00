// Attention of every layer and head for a text: the tokens as the model sees them and one
// [layers, heads, T, T] Float32Array, model-agnostic so other encoders (GPT, later) can fill it too.
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionResult } from '../../shared/configs';
import type { BertPredictor } from './predictMask';

/** Splits a selection into sentence A and B at the first [SEP] or line break. */
export function splitPair(text: string): { a: string; b?: string; bOffset: number } {
  const sep = text.indexOf('[SEP]');
  if (sep >= 0) return { a: text.slice(0, sep), b: text.slice(sep + 5), bOffset: sep + 5 };
  const nl = text.search(/\r?\n/);
  if (nl >= 0 && text.slice(nl).trim().length > 0) {
    const len = text[nl] === '\r' ? 2 : 1;
    return { a: text.slice(0, nl), b: text.slice(nl + len), bOffset: nl + len };
  }
  return { a: text, bOffset: text.length };
}

export function computeAttention(p: BertPredictor, text: string): AttentionResult {
  if (text.trim().length === 0)
    throw new Error(
      'The selection is empty; select one sentence, or two separated by a line break or [SEP].',
    );
  const { a, b, bOffset } = splitPair(text);
  const v = p.vocab;
  const piecesA = p.tok.encode(a);
  const piecesB =
    b !== undefined
      ? p.tok.encode(b).map((x) => ({ ...x, start: x.start + bOffset, end: x.end + bOffset }))
      : [];
  const max = p.model.config.maxPositions - (b !== undefined ? 3 : 2);
  let notice: string | undefined;
  let keptA = piecesA;
  let keptB = piecesB;
  if (piecesA.length + piecesB.length > max) {
    // keep the start of both sentences, cutting the longer one first
    keptA = piecesA.slice();
    keptB = piecesB.slice();
    while (keptA.length + keptB.length > max) {
      if (keptA.length >= keptB.length) keptA.pop();
      else keptB.pop();
    }
    const last = (keptB.length ? keptB : keptA).at(-1)!;
    notice = `The selection has ${piecesA.length + piecesB.length} tokens, more than the model's ${max}; attention is shown up to character ${last.end}.`;
  }
  const tokens = ['[CLS]', ...keptA.map((x) => x.text), '[SEP]'];
  const spans: [number, number][] = [
    [-1, -1],
    ...keptA.map((x): [number, number] => [x.start, x.end]),
    [-1, -1],
  ];
  const ids = [v.clsId, ...keptA.map((x) => x.id), v.sepId];
  const segs = ids.map(() => 0);
  if (b !== undefined) {
    tokens.push(...keptB.map((x) => x.text), '[SEP]');
    spans.push(...keptB.map((x): [number, number] => [x.start, x.end]), [-1, -1]);
    ids.push(...keptB.map((x) => x.id), v.sepId);
    while (segs.length < ids.length) segs.push(1);
  }
  const T = ids.length;
  const { numLayers: L, numHeads: H } = p.model.config;
  const data = tf.tidy(() => {
    const out = p.model.forward(
      {
        inputIds: tf.tensor2d(ids, [1, T], 'int32'),
        segmentIds: tf.tensor2d(segs, [1, T], 'int32'),
        attentionMask: tf.ones([1, T]) as tf.Tensor2D,
      },
      { returnAttention: true },
    );
    return tf.concat(out.attentions!, 0); // [L, H, T, T]
  });
  const weights = data.dataSync() as Float32Array;
  data.dispose();
  return {
    tokens,
    spans,
    segments: segs,
    layers: L,
    heads: H,
    weights: weights.slice(),
    sentenceB: b !== undefined,
    notice,
  };
}
