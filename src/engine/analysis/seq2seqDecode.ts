// Decoding a Seq2seq: greedy (the most likely token at each step) and beam search (Sutskever et al.
// 2014; Wu et al. 2016) keeping `beamSize` prefixes, a finished hypothesis scored by its log-probability
// divided by length^lengthPenalty (as Hugging Face's generate). The source is encoded once; each step
// runs the decoder over the whole prefix (no key/value cache: small models, short outputs), on ONNX
// Runtime when the model has a twin there. Both yield
// to the event loop between steps, so a cancel arriving meanwhile stops them, and report the text so far.
import * as tf from '@tensorflow/tfjs-core';
import { encodeSource, type TokenCodec } from '../data/tasks/seq2seq';
import type { Seq2seq } from '../models/seq2seq';
import type { OnnxSeq2seq } from '../onnx/seq2seq';

/** Log-probabilities of the next token after each prefix (all prefixes have the same length). */
export type NextLogProbs = (prefixes: number[][]) => Promise<Float32Array[]>;

export interface SearchOptions {
  bos: number;
  eos: number;
  maxLength: number; // generated tokens, EOS included
  beamSize?: number; // 1 unless given
  lengthPenalty?: number; // 1 unless given
  shouldStop?(): boolean;
  onPrefix?(best: number[]): void; // the best prefix so far, after each step
}

export interface Hypothesis {
  ids: number[]; // generated tokens, without BOS and EOS
  logProb: number;
  score: number; // logProb / length^lengthPenalty
}

export interface SearchResult {
  hypotheses: Hypothesis[]; // best first
  cancelled: boolean;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** The most likely token at each step until EOS or maxLength. */
export async function greedySearch(next: NextLogProbs, o: SearchOptions): Promise<SearchResult> {
  const ids: number[] = [];
  let logProb = 0;
  for (let t = 0; t < o.maxLength; t++) {
    await tick();
    if (o.shouldStop?.()) return { hypotheses: [{ ids, logProb, score: logProb }], cancelled: true };
    const [lp] = await next([[o.bos, ...ids]]);
    let best = 0;
    for (let k = 1; k < lp.length; k++) if (lp[k] > lp[best]) best = k;
    logProb += lp[best];
    if (best === o.eos) break;
    ids.push(best);
    o.onPrefix?.(ids);
  }
  const len = Math.max(1, ids.length + (ids.length < o.maxLength ? 1 : 0));
  return { hypotheses: [{ ids, logProb, score: logProb / len ** (o.lengthPenalty ?? 1) }], cancelled: false };
}

/** Beam search; with beamSize 1 it returns what greedySearch returns. */
export async function beamSearch(next: NextLogProbs, o: SearchOptions): Promise<SearchResult> {
  const K = Math.max(1, o.beamSize ?? 1);
  const alpha = o.lengthPenalty ?? 1;
  const score = (logProb: number, len: number) => logProb / Math.max(1, len) ** alpha;
  let live: { ids: number[]; logProb: number }[] = [{ ids: [], logProb: 0 }];
  const done: Hypothesis[] = [];
  let cancelled = false;
  for (let t = 0; t < o.maxLength && live.length > 0; t++) {
    await tick();
    if (o.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const lps = await next(live.map((b) => [o.bos, ...b.ids]));
    const cands: { beam: number; token: number; logProb: number }[] = [];
    lps.forEach((lp, beam) => {
      // the 2K best tokens of each beam are enough to fill K live beams even if K of them are EOS
      const top = Array.from(lp.keys())
        .sort((a, b) => lp[b] - lp[a])
        .slice(0, 2 * K);
      for (const token of top) cands.push({ beam, token, logProb: live[beam].logProb + lp[token] });
    });
    cands.sort((a, b) => b.logProb - a.logProb);
    const nextLive: typeof live = [];
    for (const c of cands) {
      if (nextLive.length >= K) break;
      const ids = live[c.beam].ids;
      if (c.token === o.eos) done.push({ ids, logProb: c.logProb, score: score(c.logProb, ids.length + 1) });
      else nextLive.push({ ids: [...ids, c.token], logProb: c.logProb });
    }
    live = nextLive;
    if (live.length) o.onPrefix?.(live[0].ids);
    if (done.length >= K) break;
  }
  // prefixes cut by maxLength (or a cancel) count as they are
  for (const b of live) done.push({ ids: b.ids, logProb: b.logProb, score: score(b.logProb, b.ids.length) });
  done.sort((a, b) => b.score - a.score);
  return { hypotheses: done.slice(0, K), cancelled };
}

export interface RewriteOptions {
  beamSize?: number; // 1: greedy
  lengthPenalty?: number;
  maxLength?: number; // generated tokens; the decoder's positions at most
  maxSourceLength?: number;
  shouldStop?(): boolean;
  onText?(textSoFar: string): void; // streaming: the best output so far
  onnx?: OnnxSeq2seq; // the same model on ONNX Runtime (onnx/seq2seq.ts), used when given
}

export interface RewriteResult {
  text: string;
  beams: { text: string; score: number }[];
  cancelled: boolean;
  sourceCut: boolean; // the source was longer than the encoder accepts and was cut
}

/** The model's output for one source text. */
export async function rewrite(
  model: Seq2seq,
  src: TokenCodec,
  tgt: TokenCodec,
  text: string,
  o: RewriteOptions = {},
): Promise<RewriteResult> {
  if (!text.trim()) throw new Error('The source text is empty; select or type the text to rewrite.');
  const maxSource = Math.min(
    o.maxSourceLength ?? model.config.encoder.maxPositions,
    model.config.encoder.maxPositions,
  );
  const { ids, cut } = encodeSource(text, src, maxSource);
  const maxLength = Math.min(o.maxLength ?? 64, model.config.decoder.maxPositions - 1);
  // the source encoded once: on ONNX Runtime when the model has a twin there, else (or when ORT fails)
  // on tfjs, made when first needed
  let memory: tf.Tensor3D | undefined;
  const tfMemory = () =>
    (memory ??= tf.tidy(() => {
      const s = tf.tensor2d(ids, [1, ids.length], 'int32');
      return model.encode(s, tf.ones([1, ids.length]) as tf.Tensor2D);
    }));
  const ortMemory = o.onnx?.encode(ids);
  try {
    const tfjsNext: NextLogProbs = async (prefixes) => {
      const K = prefixes.length;
      const T = prefixes[0].length;
      const source = tfMemory(); // outside the tidy below, which would dispose it
      const lp = tf.tidy(() => {
        const mem = tf.tile(source, [K, 1, 1]) as tf.Tensor3D;
        const mask = tf.ones([K, ids.length]) as tf.Tensor2D;
        const h = model.decodeHidden(mem, mask, tf.tensor2d(prefixes.flat(), [K, T], 'int32'));
        const last = tf.reshape(tf.slice(h, [0, T - 1, 0], [K, 1, h.shape[2]]), [
          K,
          h.shape[2],
        ]) as tf.Tensor2D;
        return tf.logSoftmax(model.logits(last));
      });
      const data = (await lp.data()) as Float32Array;
      lp.dispose();
      const V = data.length / K;
      return Array.from({ length: K }, (_, k) => data.subarray(k * V, (k + 1) * V));
    };
    const next: NextLogProbs = async (prefixes) =>
      (ortMemory && o.onnx?.next(ortMemory, prefixes)) || tfjsNext(prefixes);
    const search: SearchOptions = {
      bos: tgt.bos,
      eos: tgt.eos,
      maxLength,
      beamSize: o.beamSize,
      lengthPenalty: o.lengthPenalty,
      shouldStop: o.shouldStop,
      onPrefix: o.onText && ((best) => o.onText?.(tgt.decode(best))),
    };
    const r = (o.beamSize ?? 1) <= 1 ? await greedySearch(next, search) : await beamSearch(next, search);
    const beams = r.hypotheses.map((h) => ({ text: tgt.decode(h.ids), score: h.score }));
    return { text: beams[0]?.text ?? '', beams, cancelled: r.cancelled, sourceCut: cut };
  } finally {
    memory?.dispose();
  }
}
