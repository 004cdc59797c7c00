// Training instances for masked LM + next-sentence prediction, as in BERT's create_pretraining_data.py
// (Devlin et al. 2019, §3.1 and §A.2): segments are packed up to the sequence length, split at a random
// sentence boundary into A and B, and B is the actual continuation half of the time and a span from
// another document otherwise.
import type { Rng } from '../random';

export type Segment = Int32Array; // the WordPiece ids of one sentence
export type Document = Segment[];

export interface PairInstance {
  tokensA: number[];
  tokensB: number[];
  isRandomNext: boolean;
}

export interface PairOptions {
  maxSeqLength: number;
  shortSeqProb: number;
}

function pushAll(dst: number[], src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

/** Drops tokens from the longer side, at its front or back by a coin toss, until the pair fits. */
export function truncatePair(a: number[], b: number[], maxTokens: number, rng: Rng): void {
  while (a.length + b.length > maxTokens) {
    const longer = a.length > b.length ? a : b;
    if (rng.next() < 0.5) longer.shift();
    else longer.pop();
  }
}

/** A random document other than docIndex (of at least two), for a random-next B. */
function otherDocument(docs: readonly Document[], docIndex: number, rng: Rng): Document {
  let other = docIndex;
  for (let t = 0; t < 10 && other === docIndex; t++) other = rng.int(0, docs.length - 1);
  if (other === docIndex) other = (docIndex + 1) % docs.length;
  return docs[other];
}

export function createPairInstances(
  docs: readonly Document[],
  docIndex: number,
  opts: PairOptions,
  rng: Rng,
): PairInstance[] {
  const doc = docs[docIndex];
  const maxNumTokens = opts.maxSeqLength - 3; // [CLS] A [SEP] B [SEP]
  let target = maxNumTokens;
  if (rng.next() < opts.shortSeqProb) target = rng.int(2, maxNumTokens);
  const out: PairInstance[] = [];
  let chunk: Segment[] = [];
  let chunkLen = 0;
  let i = 0;
  while (i < doc.length) {
    chunk.push(doc[i]);
    chunkLen += doc[i].length;
    if (i === doc.length - 1 || chunkLen >= target) {
      let wantRandom = rng.next() < 0.5;
      // A lone segment has no B of its own: borrow the next sentence, or at a document's end the one
      // before, so that "actual next" stays at 50% (BERT's script forces a random B here).
      if (!wantRandom && chunk.length === 1 && i + 1 < doc.length) {
        i++;
        chunk.push(doc[i]);
      } else if (!wantRandom && chunk.length === 1 && i > 0) {
        chunk.unshift(doc[i - 1]);
      }
      if (chunk.length === 1 || docs.length < 2) wantRandom = true;
      const aEnd = chunk.length >= 2 ? rng.int(1, chunk.length - 1) : 1;
      const tokensA: number[] = [];
      for (let j = 0; j < aEnd; j++) pushAll(tokensA, chunk[j]);
      const tokensB: number[] = [];
      let isRandomNext = false;
      if (wantRandom && docs.length >= 2) {
        isRandomNext = true;
        const targetB = Math.max(1, target - tokensA.length);
        const rdoc = otherDocument(docs, docIndex, rng);
        for (let j = rng.int(0, rdoc.length - 1); j < rdoc.length; j++) {
          pushAll(tokensB, rdoc[j]);
          if (tokensB.length >= targetB) break;
        }
        // The segments not used as A go back to be used next.
        i -= chunk.length - aEnd;
      } else {
        for (let j = aEnd; j < chunk.length; j++) pushAll(tokensB, chunk[j]);
      }
      truncatePair(tokensA, tokensB, maxNumTokens, rng);
      if (tokensA.length >= 1 && tokensB.length >= 1) out.push({ tokensA, tokensB, isRandomNext });
      chunk = [];
      chunkLen = 0;
    }
    i++;
  }
  return out;
}

/**
 * RoBERTa's SENTENCE-PAIR inputs (Liu et al. 2019, §4.2): A is one sentence, B the sentence after it
 * or, half of the time, a sentence of another document. Nothing is packed, so every sentence starts
 * at the same position, and no sentence is cut (docs/benchmarks.md, "Why pretrain bert does not learn"
 * the facts corpus, for what it changes on a small corpus of short statements).
 */
export function createSentencePairInstances(
  docs: readonly Document[],
  docIndex: number,
  opts: PairOptions,
  rng: Rng,
): PairInstance[] {
  const doc = docs[docIndex];
  const out: PairInstance[] = [];
  for (let i = 0; i < doc.length; i++) {
    const hasNext = i + 1 < doc.length;
    const isRandomNext = docs.length >= 2 && (!hasNext || rng.next() < 0.5);
    if (!isRandomNext && !hasNext) continue; // a one-sentence document alone: nothing to pair with
    const tokensA = Array.from(doc[i]);
    let tokensB: number[];
    if (isRandomNext) {
      const rdoc = otherDocument(docs, docIndex, rng);
      tokensB = Array.from(rdoc[rng.int(0, rdoc.length - 1)]);
    } else tokensB = Array.from(doc[i + 1]);
    truncatePair(tokensA, tokensB, opts.maxSeqLength - 3, rng);
    if (tokensA.length >= 1 && tokensB.length >= 1) out.push({ tokensA, tokensB, isRandomNext });
  }
  return out;
}
