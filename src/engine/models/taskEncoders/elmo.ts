// ELMo below a task head, feature-based (Peters et al. 2018 §3.3): the biLM stays frozen and the task
// learns a scalar mix of its layers (softmax-normalised s_j and a scale γ, scalarMix.ts) with the head.
// Text is split into the biLM's own words (BERT's basic tokenizer, each CJK character a word, as its
// pretraining read them) with <s> on both sides, as every line of its corpus ended with one. A sentence
// label reads the mean of the mixed vectors (a pair: the means a over A and b over B as [a; b; a·b; |a−b|],
// the usual sentence-pair features, so a linear head can compare the two),
// a tag reads each word's own mixed vector. The head has one hidden layer applied to each token's mixed
// vector before pooling (ELMo's paper feeds the vectors to a task network, never straight to a linear
// softmax): a word's contextual vector can then carry what its neighbours change (e.g. "not" before
// "good"), which a mean of linear features would wash out. Because nothing below the mix trains, each example's
// layers are computed once and kept (up to a memory cap): an epoch after the first costs only the mix.
import * as tf from '@tensorflow/tfjs-core';
import type { ElmoConfig } from '../../../shared/configs';
import type { FreezeSpec, TaskFamily } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { type ElmoVocab, elmoTokenizer } from '../../data/elmoData';
import type { EncodedExample, TaskBatch } from '../../data/tasks/encode';
import type { Elmo } from '../elmo';
import { dense, denseShapes } from '../layers';
import { scalarMix, scalarMixInit, scalarMixShapes, scalarMixWeights } from '../scalarMix';
import { FreezeError, type TaskEncoder, type TaskTokenizer } from './types';

export const MIX = 'mix';
export const HIDDEN = 'elmo_head.hidden';
const CACHE_FLOATS = 32 * 1024 * 1024; // 128 MB of cached layers at most

export function elmoTaskTokenizer(vocab: ElmoVocab, lowercase: boolean): TaskTokenizer {
  const basic = elmoTokenizer(lowercase);
  const ids = (text: string) => basic.tokenize(text).map((w) => vocab.id(w));
  const s = vocab.boundaryId;
  return {
    unit: 'words',
    encodeText(text, textB, maxLen): EncodedExample {
      const a = ids(text);
      const b = textB === undefined ? undefined : ids(textB);
      let cut = 0;
      while (a.length + (b?.length ?? 0) > maxLen - (b ? 3 : 2)) {
        if (b && b.length > a.length) b.pop();
        else a.pop();
        cut++;
      }
      const out = [s, ...a, s];
      const segments = new Array<number>(out.length).fill(0);
      if (b) {
        out.push(...b, s);
        segments.push(...new Array<number>(b.length + 1).fill(1));
      }
      return { ids: out, segments, cut };
    },
    encodeWords(words, maxLen): EncodedExample {
      const out = [s];
      const firsts: number[] = [];
      let cut = 0;
      for (const w of words) {
        let pieces = ids(w);
        if (pieces.length === 0) pieces = [vocab.unkId];
        if (cut > 0 || out.length + pieces.length + 1 > maxLen) {
          cut++;
          continue;
        }
        firsts.push(out.length); // a word the tokenizer splits (e.g. 苹果) is read at its first part
        out.push(...pieces);
      }
      out.push(s);
      return { ids: out, segments: new Array<number>(out.length).fill(0), firsts, cut };
    },
    words: (text) => basic.tokenizeWithSpans(text),
  };
}

export class ElmoTaskEncoder implements TaskEncoder {
  readonly kind = 'elmo' as const;
  readonly taskParams = new Map<string, tf.Variable>();
  private readonly cache = new Map<string, Float32Array[]>(); // ids → numLayers + 1 × [len · 2D]
  private cached = 0;

  constructor(
    readonly base: Elmo,
    mix?: Map<string, tf.Tensor>,
    seed = 17,
  ) {
    const D2 = 2 * base.config.embedDim;
    for (const [name, shape] of [
      ...scalarMixShapes(MIX, base.config.numLayers + 1),
      ...denseShapes(HIDDEN, D2, D2),
    ]) {
      const given = mix?.get(name);
      const value =
        given ??
        (name.startsWith(`${MIX}.`)
          ? scalarMixInit(name, shape)
          : name.endsWith('.bias')
            ? tf.zeros(shape)
            : tf.randomNormal(shape, 0, 1 / Math.sqrt(D2), 'float32', seed));
      this.taskParams.set(name, tf.variable(value, true));
      if (!given) value.dispose();
    }
  }

  get config(): ElmoConfig {
    return this.base.config;
  }
  get params() {
    return this.base.params;
  }
  get featureSize() {
    return 2 * this.base.config.embedDim;
  }
  get dropoutRate() {
    return 0.1;
  }
  get maxLength() {
    return 512; // an LSTM has no position limit; this bounds one example's cost
  }
  pooledSize(task: TaskFamily) {
    return task === 'pair' ? 4 * this.featureSize : this.featureSize;
  }

  trainableNames(freeze: FreezeSpec): string[] {
    if (freeze !== 'all')
      throw new FreezeError(
        l10n.t(
          'An ELMo base is used feature-based only (its biLM stays frozen, a scalar mix of its layers trains with the head); use --freeze all.',
        ),
      );
    return [];
  }

  /** Each layer of a batch, [B, T, 2D] (zeros past an example's end), from the cache or the biLM. */
  private layers(b: TaskBatch): tf.Tensor3D[] {
    const L = this.base.config.numLayers + 1;
    const D2 = this.featureSize;
    const rows = Array.from({ length: b.B }, (_, i) => b.inputIds.subarray(i * b.T, i * b.T + b.lengths[i]));
    const keys = rows.map((r) => r.join(','));
    const missing = new Map<number, number[]>(); // length → rows (the backward LM must not read padding)
    const found = new Map<string, Float32Array[]>();
    keys.forEach((k, i) => {
      const hit = this.cache.get(k);
      if (hit) found.set(k, hit);
      else if (!found.has(k)) {
        found.set(k, []);
        const n = rows[i].length;
        missing.set(n, [...(missing.get(n) ?? []), i]);
      }
    });
    for (const [n, idx] of missing) {
      const uniq = idx.filter((i, j) => idx.findIndex((x) => keys[x] === keys[i]) === j);
      const flat = new Int32Array(uniq.length * n);
      for (const [j, i] of uniq.entries()) flat.set(rows[i], j * n);
      const data = tf.tidy(() =>
        this.base
          .layers(tf.tensor2d(flat, [uniq.length, n], 'int32'))
          .map((l) => l.dataSync() as Float32Array),
      );
      uniq.forEach((i, j) => {
        const per = data.map((d) => d.slice(j * n * D2, (j + 1) * n * D2));
        found.set(keys[i], per);
        if (this.cached + L * n * D2 <= CACHE_FLOATS) {
          this.cache.set(keys[i], per);
          this.cached += L * n * D2;
        }
      });
    }
    return Array.from({ length: L }, (_, j) => {
      const buf = new Float32Array(b.B * b.T * D2);
      for (const [i, k] of keys.entries()) buf.set(found.get(k)![j], i * b.T * D2);
      return tf.tensor3d(buf, [b.B, b.T, D2]);
    });
  }

  forward(b: TaskBatch, task: TaskFamily) {
    const mixed = scalarMix(this.taskParams, MIX, this.layers(b));
    const sequence = tf.relu(dense(this.taskParams, HIDDEN, mixed)) as tf.Tensor3D;
    const mask = tf.tensor2d(b.attentionMask, [b.B, b.T]);
    const mean = (m: tf.Tensor2D) =>
      tf.div(
        tf.sum(tf.mul(sequence, tf.expandDims(m, 2)), 1),
        tf.maximum(tf.sum(m, 1, true), 1),
      ) as tf.Tensor2D;
    if (task !== 'pair') return { sequence, pooled: mean(mask) };
    const segB = tf.mul(tf.tensor2d(b.segmentIds, [b.B, b.T], 'float32'), mask) as tf.Tensor2D;
    const segA = tf.sub(mask, segB) as tf.Tensor2D;
    const [a, c] = [mean(segA), mean(segB)];
    return { sequence, pooled: tf.concat([a, c, tf.mul(a, c), tf.abs(tf.sub(a, c))], 1) as tf.Tensor2D };
  }

  mix() {
    return scalarMixWeights(this.taskParams, MIX);
  }

  dispose(): void {
    this.base.dispose();
    for (const p of this.taskParams.values()) p.dispose();
    this.taskParams.clear();
    this.cache.clear();
  }
}
