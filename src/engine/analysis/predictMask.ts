// "Which tokens fit each [MASK]?": a loaded BERT with its tokenizer, answering for [MASK]s written in
// the text, or for a word of the text masked whole (all its WordPieces, decoded by a small beam search).
// As a LoadedModel it also serves attention, contextual vectors and its input embedding table.
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_ANALYSIS,
  type MaskCandidate,
  type MaskPrediction,
  type ModelSummary,
  type PredictMaskResult,
} from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { KINDS } from '../../shared/modelKinds';
import { bertParamCount, type ModelConfigFile, summarize } from '../checkpoint/bert';
import { Bert } from '../models/bert';
import { logSoftmaxRows, type OnnxBert, onnxTwin } from '../onnx/bert';
import { isCjk } from '../tokenizer/basic';
import { MASK, type Vocab } from '../tokenizer/vocab';
import { type TokenPiece, WordPieceTokenizer } from '../tokenizer/wordpiece';
import type { LoadedVectors } from '../word2vec/vectors';
import type { AttentionModel } from './attention';
import { type BertSource, folderSource } from './bertSource';
import type { LoadedModel, MaskedLm, TransformerEncoder } from './loadedModel';

export const NO_MASK_MESSAGE =
  'The text has no [MASK]; write [MASK] where a word is missing, e.g. "The capital of France is [MASK]."';

interface Window {
  pieces: TokenPiece[];
  notice?: string;
}

export class BertPredictor implements LoadedModel, MaskedLm, TransformerEncoder, AttentionModel {
  readonly kind = 'bert' as const;
  readonly capabilities = KINDS.bert.capabilities;
  private tfModel?: Bert;
  private readonly readWeights?: () => Map<string, tf.Tensor>;
  readonly tok: WordPieceTokenizer;
  readonly config: ModelConfigFile;
  readonly summary: ModelSummary;
  private readonly allowedStart: Uint8Array; // 1 for tokens that can start a word
  private readonly allowedCont: Uint8Array; // 1 for ## continuations
  private inputEmbeddings?: LoadedVectors;
  private readonly readEmbeddings: () => LoadedVectors;
  private readonly onnx?: OnnxBert; // the same model on ONNX Runtime, when inference runs there

  /**
   * Reads a Pretrain Lab folder (its ONNX Runtime twin is built from the tfjs model), or takes a BERT
   * another reader made (a Hugging Face folder: checkpoint/hf/).
   */
  constructor(
    readonly dir: string,
    from?: BertSource,
  ) {
    const src = from ?? folderSource(dir);
    this.config = src.config;
    this.readWeights = src.weights;
    this.readEmbeddings = src.embeddings;
    this.onnx = src.onnx;
    if (!this.onnx) {
      // tfjs runs it, or builds the twin: read the weights now, so that a bad file fails the load
      const model = this.model;
      if (!from) this.onnx = onnxTwin(model);
    }
    try {
      this.tok = new WordPieceTokenizer(src.vocab, src.config.tokenizer);
      this.summary = summarize(dir, src.config, src.state, bertParamCount(src.config.bert));
    } catch (e) {
      this.tfModel?.dispose();
      if (!from) this.onnx?.dispose(); // the other reader disposes its own
      throw e;
    }
    const v = this.vocab;
    this.allowedStart = new Uint8Array(v.size);
    this.allowedCont = new Uint8Array(v.size);
    v.tokens.forEach((t, i) => {
      if (v.specialIds.has(i)) return;
      if (t.startsWith('##')) this.allowedCont[i] = 1;
      else this.allowedStart[i] = 1;
    });
  }

  get vocab(): Vocab {
    return this.tok.vocab;
  }

  /** The tfjs model; a BERT given with its ONNX Runtime model reads its weights into tfjs on first use. */
  get model(): Bert {
    if (this.tfModel) return this.tfModel;
    const weights = this.readWeights!();
    try {
      this.tfModel = new Bert(this.config.bert, { weights });
    } finally {
      for (const t of weights.values()) t.dispose(); // the variables hold their data
    }
    return this.tfModel;
  }

  get maskedLm(): MaskedLm {
    return this;
  }

  get attention(): AttentionModel {
    return this;
  }

  get tokenizer(): WordPieceTokenizer {
    return this.tok;
  }

  get maxPositions(): number {
    return this.config.bert.maxPositions;
  }

  get numLayers(): number {
    return this.config.bert.numLayers;
  }

  get hiddenSize(): number {
    return this.config.bert.hiddenSize;
  }

  /** The first layer on ONNX Runtime (a model cut to it), or undefined on tfjs. */
  attendFirst(
    ids: number[],
    segments: number[],
  ): { layers: number; heads: number; weights: Float32Array } | undefined {
    const { numLayers: layers, numHeads: heads } = this.config.bert;
    if (!this.onnx || layers < 2) return undefined;
    return { layers, heads, weights: this.onnx.attendFirst(ids, segments) };
  }

  /** One sequence through the encoder; weights [layers, heads, T, T], each row sums to 1. */
  attend(ids: number[], segments: number[]): { layers: number; heads: number; weights: Float32Array } {
    const T = ids.length;
    const { numLayers: layers, numHeads: heads } = this.config.bert;
    if (this.onnx) return { layers, heads, weights: this.onnx.attend(ids, segments) };
    const data = tf.tidy(() => {
      const out = this.model.forward(
        {
          inputIds: tf.tensor2d(ids, [1, T], 'int32'),
          segmentIds: tf.tensor2d(segments, [1, T], 'int32'),
          attentionMask: tf.ones([1, T]) as tf.Tensor2D,
        },
        { returnAttention: true },
      );
      return tf.concat(out.attentions!, 0); // L × [1, H, T, T] -> [L, H, T, T]
    });
    try {
      const weights = (data.dataSync() as Float32Array).slice();
      return { layers: this.model.config.numLayers, heads: this.model.config.numHeads, weights };
    } finally {
      data.dispose();
    }
  }

  hiddenStates(ids: Int32Array, mask: Float32Array, batch: number, layer: number): tf.Tensor3D {
    const T = ids.length / batch;
    if (this.onnx)
      return tf.tensor3d(this.onnx.hiddenStates(ids, mask, batch, layer).data, [batch, T, this.hiddenSize]);
    return tf.tidy(() => {
      const r = this.model.forward(
        {
          inputIds: tf.tensor2d(ids, [batch, T], 'int32'),
          segmentIds: tf.zeros([batch, T], 'int32') as tf.Tensor2D,
          attentionMask: tf.tensor2d(mask, [batch, T]),
        },
        { returnLayers: true },
      );
      return r.layers![layer] as tf.Tensor3D;
    });
  }

  get contextual(): TransformerEncoder {
    return this;
  }

  /** The token embedding table as static WordPiece vectors, read from the checkpoint on first use. */
  get embeddings(): LoadedVectors {
    this.inputEmbeddings ??= this.readEmbeddings();
    return this.inputEmbeddings;
  }

  get maxTokens(): number {
    return this.config.bert.maxPositions - 2;
  }

  /** Cuts the pieces to the model's length, centred on the pieces that must stay. */
  private window(pieces: TokenPiece[], keepFrom: number, keepTo: number): Window {
    const max = this.maxTokens;
    if (pieces.length <= max) return { pieces };
    if (keepTo - keepFrom > max) {
      throw new Error(
        l10n.t(
          'The masks span {0} tokens, more than the {1} this model reads at once; select less text.',
          keepTo - keepFrom,
          max,
        ),
      );
    }
    const centre = Math.floor((keepFrom + keepTo) / 2);
    let start = Math.max(0, Math.min(centre - Math.floor(max / 2), pieces.length - max));
    if (start > keepFrom) start = keepFrom;
    if (start + max < keepTo) start = keepTo - max;
    const kept = pieces.slice(start, start + max);
    return {
      pieces: kept,
      notice: l10n.t(
        "The text has {0} tokens, more than the model's {1}; only tokens {2}–{3} (characters {4}–{5}) were read.",
        pieces.length,
        max,
        start + 1,
        start + max,
        kept[0].start,
        kept[kept.length - 1].end,
      ),
    };
  }

  /** Log-probabilities [N, V] at the given positions of each sequence in the batch. */
  private logProbs(seqs: number[][], positions: number[][]): Float32Array[] {
    const B = seqs.length;
    const T = Math.max(...seqs.map((s) => s.length));
    const ids = new Int32Array(B * T);
    const mask = new Float32Array(B * T);
    const flat: number[] = [];
    seqs.forEach((s, b) => {
      s.forEach((id, t) => {
        ids[b * T + t] = id;
        mask[b * T + t] = 1;
      });
      for (const p of positions[b]) flat.push(b * T + p);
    });
    if (this.onnx) return logSoftmaxRows(this.onnx.logits(ids, mask, B, flat));
    const out = tf.tidy(() => {
      const { hidden } = this.model.forward({
        inputIds: tf.tensor2d(ids, [B, T], 'int32'),
        segmentIds: tf.zeros([B, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.tensor2d(mask, [B, T]),
      });
      return tf.logSoftmax(this.model.mlmLogits(hidden, tf.tensor1d(flat, 'int32')));
    });
    const data = out.dataSync() as Float32Array;
    const V = this.vocab.size;
    out.dispose();
    return flat.map((_, i) => data.slice(i * V, (i + 1) * V));
  }

  private topK(logp: Float32Array, allowed: Uint8Array, k: number): MaskCandidate[] {
    const idx: number[] = [];
    for (let i = 0; i < logp.length; i++) if (allowed[i]) idx.push(i);
    idx.sort((a, b) => logp[b] - logp[a]);
    return idx.slice(0, k).map((i) => ({ token: this.vocab.token(i), probability: Math.exp(logp[i]) }));
  }

  /** Predicts every [MASK] written in the text. */
  predictMasks(text: string, topK = DEFAULT_ANALYSIS.topK): PredictMaskResult {
    const all = this.tok.encode(text);
    const maskIdx = all.flatMap((p, i) => (p.text === MASK ? [i] : []));
    if (maskIdx.length === 0) throw new Error(l10n.t(NO_MASK_MESSAGE));
    const w = this.window(all, maskIdx[0], maskIdx[maskIdx.length - 1] + 1);
    const seq = [this.vocab.clsId, ...w.pieces.map((p) => p.id), this.vocab.sepId];
    const positions = w.pieces.flatMap((p, i) => (p.text === MASK ? [i + 1] : []));
    const lps = this.logProbs([seq], [positions]);
    const masks: MaskPrediction[] = positions.map((_, j) => {
      const piece = w.pieces[positions[j] - 1];
      // A [MASK] glued to a preceding word ("play[MASK]") continues it (## pieces). After a CJK
      // character or punctuation it starts a token of its own, as every such character does.
      const prev = positions[j] > 1 ? w.pieces[positions[j] - 2] : undefined;
      const glued =
        prev !== undefined &&
        prev.end === piece.start &&
        prev.text !== MASK &&
        /[\p{L}\p{N}]$/u.test(prev.text) &&
        !isCjkText(prev.text);
      const allowed = glued ? this.allowedCont : this.allowedStart;
      const candidates = this.topK(lps[j], allowed, topK).map((c) =>
        glued ? { ...c, token: c.token.replace(/^##/, '') } : c,
      );
      return { position: piece.start, length: piece.end - piece.start, candidates };
    });
    return { masks, filled: fill(text, masks), notice: w.notice };
  }

  /**
   * Masks the word(s) of text[start, end) — all their WordPieces — and predicts what fits there, with
   * the rank of the original word.
   */
  predictWord(
    text: string,
    start: number,
    end: number,
    topK = DEFAULT_ANALYSIS.topK,
    beam = Math.max(topK, 8),
  ): PredictMaskResult {
    const all = this.tok.encode(text);
    const inSel = all.flatMap((p, i) => (p.end > start && p.start < end && p.text !== MASK ? [i] : []));
    if (inSel.length === 0)
      throw new Error(
        l10n.t('The selection has no word to mask; select a word or write [MASK] in the text.'),
      );
    // widen to whole words
    const firstWord = all[inSel[0]].wordIndex;
    const lastWord = all[inSel[inSel.length - 1]].wordIndex;
    const span = all.flatMap((p, i) => (p.wordIndex >= firstWord && p.wordIndex <= lastWord ? [i] : []));
    const w = this.window(all, span[0], span[span.length - 1] + 1);
    const offset = all.indexOf(w.pieces[0]);
    const pos = span.map((i) => i - offset + 1); // positions in [CLS] ... [SEP]
    const origIds = span.map((i) => all[i].id);
    const base = [this.vocab.clsId, ...w.pieces.map((p) => p.id), this.vocab.sepId];
    for (const p of pos) base[p] = this.vocab.maskId;
    const allowedAt = span.map((i) => (all[i].text.startsWith('##') ? this.allowedCont : this.allowedStart));

    // Left-to-right beam search: fill one masked piece at a time, re-reading the sentence each time.
    let beams: { ids: number[]; logp: number }[] = [{ ids: [], logp: 0 }];
    let origLogp = 0;
    for (let j = 0; j < pos.length; j++) {
      const seqs = beams.map((bm) => {
        const s = base.slice();
        bm.ids.forEach((id, q) => {
          s[pos[q]] = id;
        });
        return s;
      });
      // the original word, teacher-forced, rides along as the last row
      const orig = base.slice();
      for (let q = 0; q < j; q++) orig[pos[q]] = origIds[q];
      seqs.push(orig);
      const lps = this.logProbs(
        seqs,
        seqs.map(() => [pos[j]]),
      );
      origLogp += lps[lps.length - 1][origIds[j]];
      const next: { ids: number[]; logp: number }[] = [];
      beams.forEach((bm, b) => {
        for (const c of this.topIds(lps[b], allowedAt[j], beam))
          next.push({ ids: [...bm.ids, c], logp: bm.logp + lps[b][c] });
      });
      next.sort((a, b) => b.logp - a.logp);
      beams = next.slice(0, beam);
    }
    const candidates = beams.slice(0, topK).map((bm) => ({
      token: WordPieceTokenizer.detokenize(bm.ids.map((id) => this.vocab.token(id))),
      probability: Math.exp(bm.logp),
    }));
    let originalRank: number | undefined;
    if (pos.length === 1) {
      const lp = this.logProbs([base], [[pos[0]]])[0];
      originalRank = 1;
      for (let i = 0; i < lp.length; i++) if (allowedAt[0][i] && lp[i] > lp[origIds[0]]) originalRank++;
    } else {
      originalRank = 1 + beams.filter((bm) => bm.logp > origLogp).length;
    }
    const startChar = all[span[0]].start;
    const endChar = all[span[span.length - 1]].end;
    const mask: MaskPrediction = {
      position: startChar,
      length: endChar - startChar,
      candidates,
      original: text.slice(startChar, endChar),
      originalRank,
    };
    return { masks: [mask], filled: fill(text, [mask]), notice: w.notice };
  }

  private topIds(logp: Float32Array, allowed: Uint8Array, k: number): number[] {
    const idx: number[] = [];
    for (let i = 0; i < logp.length; i++) if (allowed[i]) idx.push(i);
    idx.sort((a, b) => logp[b] - logp[a]);
    return idx.slice(0, k);
  }

  dispose(): void {
    this.onnx?.dispose();
    this.tfModel?.dispose();
  }
}

function isCjkText(t: string): boolean {
  const cp = t.codePointAt(t.length - 1) ?? 0;
  return isCjk(cp) || isCjk(t.codePointAt(0) ?? 0);
}

function fill(text: string, masks: MaskPrediction[]): string {
  let out = '';
  let last = 0;
  for (const m of [...masks].sort((a, b) => a.position - b.position)) {
    out += text.slice(last, m.position) + (m.candidates[0]?.token ?? '');
    last = m.position + m.length;
  }
  return out + text.slice(last);
}
