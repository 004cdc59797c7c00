// Examples as BERT inputs: [CLS] A [SEP] (B [SEP]) with segment ids 0/1 for classification and pairs
// (the longer text cut first, as BERT's run_classifier does), and [CLS] w1 w2 … [SEP] for tagging with
// the position of each word's first WordPiece. Batches are padded to their longest example.
import { CLS, SEP, UNK } from '../../tokenizer/vocab';
import type { WordPieceTokenizer } from '../../tokenizer/wordpiece';

export interface EncodedExample {
  ids: number[];
  segments: number[];
  label?: number; // classification: one label id
  firsts?: number[]; // tagging: the position of each kept word's first piece
  tags?: number[]; // tagging: a label id per kept word
  alt?: number[]; // a second reading of the same example (GPT pairs: B before A), as long as ids
  cut: number; // pieces (classification) or words (tagging) dropped to fit the maximum length
}

export interface TaskBatch {
  B: number;
  T: number;
  inputIds: Int32Array; // [B*T]
  segmentIds: Int32Array; // [B*T]
  attentionMask: Float32Array; // [B*T]
  labels: Int32Array; // [B] for classification, [N] words for tagging
  positions: Int32Array; // [N] flat b*T + t of the labelled words (tagging); empty otherwise
  lengths: Int32Array; // [B] real ids per example
  altIds?: Int32Array; // [B*T] the examples' second readings, when they have one
  tokens: number; // real tokens, for tokens per second
}

export function encodeText(
  tok: WordPieceTokenizer,
  text: string,
  textB: string | undefined,
  maxLen: number,
): EncodedExample {
  const v = tok.vocab;
  const a = tok.ids(text);
  const b = textB === undefined ? undefined : tok.ids(textB);
  const budget = maxLen - (b ? 3 : 2);
  let cut = 0;
  while (a.length + (b?.length ?? 0) > budget) {
    if (b && b.length > a.length) b.pop();
    else a.pop();
    cut++;
  }
  const ids = [v.id(CLS), ...a, v.id(SEP)];
  const segments = new Array<number>(ids.length).fill(0);
  if (b) {
    ids.push(...b, v.id(SEP));
    segments.push(...new Array<number>(b.length + 1).fill(1));
  }
  return { ids, segments, cut };
}

/** A sentence of words; words past the maximum length are dropped (and counted in `cut`). */
export function encodeWords(
  tok: WordPieceTokenizer,
  words: readonly string[],
  maxLen: number,
): EncodedExample {
  const v = tok.vocab;
  const ids = [v.id(CLS)];
  const firsts: number[] = [];
  let cut = 0;
  for (const w of words) {
    let pieces = tok.ids(w);
    if (pieces.length === 0) pieces = [v.id(UNK)]; // a word the basic tokenizer drops (control characters)
    if (cut > 0 || ids.length + pieces.length + 1 > maxLen) {
      cut++;
      continue;
    }
    firsts.push(ids.length);
    ids.push(...pieces);
  }
  ids.push(v.id(SEP));
  return { ids, segments: new Array<number>(ids.length).fill(0), firsts, cut };
}

export function makeBatch(examples: readonly EncodedExample[]): TaskBatch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.ids.length));
  const inputIds = new Int32Array(B * T);
  const segmentIds = new Int32Array(B * T);
  const attentionMask = new Float32Array(B * T);
  const labels: number[] = [];
  const positions: number[] = [];
  const lengths = new Int32Array(B);
  const altIds = examples.some((e) => e.alt) ? new Int32Array(B * T) : undefined;
  let tokens = 0;
  examples.forEach((e, b) => {
    inputIds.set(e.ids, b * T);
    segmentIds.set(e.segments, b * T);
    attentionMask.fill(1, b * T, b * T + e.ids.length);
    lengths[b] = e.ids.length;
    if (altIds && e.alt) altIds.set(e.alt, b * T);
    tokens += e.ids.length;
    if (e.firsts && e.tags) {
      e.firsts.forEach((p, i) => {
        positions.push(b * T + p);
        labels.push(e.tags![i]);
      });
    } else labels.push(e.label ?? 0);
  });
  return {
    B,
    T,
    inputIds,
    segmentIds,
    attentionMask,
    labels: Int32Array.from(labels),
    positions: Int32Array.from(positions),
    lengths,
    altIds,
    tokens,
  };
}
