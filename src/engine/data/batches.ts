// From a stream of documents to padded training batches: tokenise sentences, build NSP pairs within a
// window of documents (so memory stays bounded for any corpus size), mask, and pack into typed arrays.
import type { MaskingSample } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { Rng } from '../random';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { type CorpusStats, emptyStats, readDocumentParts, readDocuments } from './corpus';
import type { Masker } from './mlm';
import { createPairInstances, createSentencePairInstances, type Document, type PairInstance } from './nsp';
import { splitSentences } from './sentences';

export interface Batch {
  batchSize: number;
  seqLength: number;
  maxPredictions: number;
  inputIds: Int32Array; // [B*T]
  segmentIds: Int32Array; // [B*T]
  attentionMask: Float32Array; // [B*T], 1 for real tokens, 0 for padding
  maskedPositions: Int32Array; // [B*P], flat indices b*T + t into the sequence
  maskedIds: Int32Array; // [B*P], the original token ids
  maskedWeights: Float32Array; // [B*P], 0 for unused prediction slots
  nspLabels: Int32Array; // [B], 1 = B is a random segment, 0 = B is the actual next
  numTokens: number; // non-padding tokens
}

export interface DataOptions {
  maxSeqLength: number;
  shortSeqProb: number;
  sentencePairs?: boolean; // one sentence as A, one as B (RoBERTa's SENTENCE-PAIR), not packed segments
  batchSize: number;
  maxPredictionsPerSeq: number;
  windowTokens?: number; // documents held at once for building pairs (default 2M tokens)
}

export class CorpusTooSmallError extends Error {
  override name = 'CorpusTooSmallError'; // kept across the worker channel (src/shared/rpc.ts)
}

/** What is wrong with a corpus of this size, in one sentence, or undefined when it is enough. */
export function corpusProblem(
  docs: number,
  tokens: number,
  stats: CorpusStats,
  maxSeqLength: number,
): string | undefined {
  const skipped = stats.skippedBinary.length + stats.skippedEncoding.length;
  const skippedNote =
    skipped > 0 ? l10n.t(' ({0} binary or non-UTF-8 file(s) were skipped)', String(skipped)) : '';
  if (docs === 0 || tokens === 0)
    return l10n.t('The corpus has no text{0}; give files or folders with UTF-8 text.', skippedNote);
  if (docs < 2) {
    return l10n.t(
      'The corpus has 1 document{0}; next-sentence prediction needs at least 2, so separate documents with a blank line or give several files.',
      skippedNote,
    );
  }
  if (tokens < maxSeqLength) {
    return l10n.t(
      'The corpus has {0} tokens, fewer than one sequence of {1}; add text or lower the sequence length.',
      String(tokens),
      String(maxSeqLength),
    );
  }
  return undefined;
}

/**
 * Refuses, before a vocabulary is trained or a model built, a corpus that cannot make next-sentence
 * pairs: no text, or a single document. Reads only until a second document starts, in bounded memory.
 */
export async function checkCorpusDocuments(
  files: readonly string[],
  shouldStop?: () => boolean,
): Promise<void> {
  const stats = emptyStats();
  let docs = 0;
  for await (const part of readDocumentParts(files, stats)) {
    if (part.first) docs++;
    if (docs >= 2 || shouldStop?.()) return;
  }
  // tokens are not counted yet: a document has at least one, the size check comes with training
  const problem = corpusProblem(docs, docs, stats, 0);
  if (problem) throw new CorpusTooSmallError(problem);
}

export function tokenizeDocument(lines: readonly string[], tok: WordPieceTokenizer): Document {
  const doc: Document = [];
  for (const line of lines) {
    for (const s of splitSentences(line)) {
      const ids = tok.ids(s);
      if (ids.length > 0) doc.push(Int32Array.from(ids));
    }
  }
  return doc;
}

export class PretrainingData {
  readonly stats: CorpusStats = emptyStats();
  epoch = 0;
  lastSample: MaskingSample | undefined;

  constructor(
    private readonly files: readonly string[],
    private readonly tok: WordPieceTokenizer,
    private readonly masker: Masker,
    private readonly opts: DataOptions,
    private readonly rng: Rng,
  ) {}

  /** Pair instances, shuffled within each window, looping over the corpus forever. */
  async *instances(): AsyncGenerator<PairInstance> {
    const windowTokens = this.opts.windowTokens ?? 2_000_000;
    for (;;) {
      let produced = 0;
      let docsSeen = 0;
      let tokensSeen = 0;
      let window: Document[] = [];
      let windowLen = 0;
      const stats = this.epoch === 0 ? this.stats : emptyStats();
      const flush = (): PairInstance[] => {
        const all: PairInstance[] = [];
        const create = this.opts.sentencePairs ? createSentencePairInstances : createPairInstances;
        for (let d = 0; d < window.length; d++) {
          for (const inst of create(window, d, this.opts, this.rng)) all.push(inst);
        }
        window = [];
        windowLen = 0;
        return this.rng.shuffle(all);
      };
      // A part of a long document pairs as a document of its own: memory stays bounded by the window.
      for await (const part of readDocumentParts(this.files, stats)) {
        const doc = tokenizeDocument(part.lines, this.tok);
        if (doc.length === 0) continue;
        if (part.first) docsSeen++;
        for (const s of doc) tokensSeen += s.length;
        window.push(doc);
        for (const s of doc) windowLen += s.length;
        if (windowLen >= windowTokens && window.length >= 2) {
          for (const inst of flush()) {
            produced++;
            yield inst;
          }
        }
      }
      if (this.epoch === 0) this.checkSize(docsSeen, tokensSeen);
      for (const inst of flush()) {
        produced++;
        yield inst;
      }
      if (produced === 0)
        throw new CorpusTooSmallError(l10n.t('The corpus produced no training pairs; add more text.'));
      this.epoch++;
    }
  }

  private checkSize(docs: number, tokens: number): void {
    const problem = corpusProblem(docs, tokens, this.stats, this.opts.maxSeqLength);
    if (problem) throw new CorpusTooSmallError(problem);
  }

  async *batches(): AsyncGenerator<Batch> {
    const { batchSize: B, maxSeqLength: T, maxPredictionsPerSeq: P } = this.opts;
    let rows: PairInstance[] = [];
    for await (const inst of this.instances()) {
      rows.push(inst);
      if (rows.length === B) {
        yield this.pack(rows, B, T, P);
        rows = [];
      }
    }
  }

  pack(rows: readonly PairInstance[], B: number, T: number, P: number): Batch {
    const v = this.tok.vocab;
    const batch: Batch = {
      batchSize: B,
      seqLength: T,
      maxPredictions: P,
      inputIds: new Int32Array(B * T).fill(v.padId),
      segmentIds: new Int32Array(B * T),
      attentionMask: new Float32Array(B * T),
      maskedPositions: new Int32Array(B * P),
      maskedIds: new Int32Array(B * P),
      maskedWeights: new Float32Array(B * P),
      nspLabels: new Int32Array(B),
      numTokens: 0,
    };
    rows.forEach((inst, b) => {
      const ids = [v.clsId, ...inst.tokensA, v.sepId, ...inst.tokensB, v.sepId];
      const segs = ids.map((_, i) => (i <= inst.tokensA.length + 1 ? 0 : 1));
      // one sentence each: mask each on its own, so that none goes without a prediction (mlm.ts)
      const m = this.opts.sentencePairs
        ? this.masker.maskEachSegment(ids, this.rng)
        : this.masker.mask(ids, this.rng);
      for (let t = 0; t < ids.length; t++) {
        batch.inputIds[b * T + t] = m.inputIds[t];
        batch.segmentIds[b * T + t] = segs[t];
        batch.attentionMask[b * T + t] = 1;
      }
      batch.numTokens += ids.length;
      for (let k = 0; k < Math.min(P, m.positions.length); k++) {
        batch.maskedPositions[b * P + k] = b * T + m.positions[k];
        batch.maskedIds[b * P + k] = m.labels[k];
        batch.maskedWeights[b * P + k] = 1;
      }
      for (let k = m.positions.length; k < P; k++) batch.maskedPositions[b * P + k] = b * T;
      batch.nspLabels[b] = inst.isRandomNext ? 1 : 0;
      if (b === 0) {
        this.lastSample = {
          tokens: m.inputIds.map((id) => v.token(id)),
          original: ids.map((id) => v.token(id)),
          chosen: m.positions.map((index, k) => ({ index, treatment: m.treatments[k] })),
          isRandomNext: inst.isRandomNext,
        };
      }
    });
    return batch;
  }
}

/** Counts basic-tokenizer words over the corpus, streaming, for the vocabulary trainer. */
export async function countWords(
  files: readonly string[],
  basicTokenize: (s: string) => string[],
  stats: CorpusStats,
  shouldStop?: () => boolean,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const doc of readDocuments(files, stats)) {
    if (shouldStop?.()) break;
    for (const line of doc) {
      for (const w of basicTokenize(line)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}
