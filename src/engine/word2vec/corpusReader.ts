// Reads the corpus once: the vocabulary (counts, min-count, max-vocab) and the text as word ids.
import { type CorpusStats, readDocuments } from '../data/corpus';
import type { W2vTokenizer } from './tokenize';

export interface W2vVocab {
  words: string[];
  counts: Float64Array;
  index: Map<string, number>;
}

export const MAX_SENTENCE = 10000; // longer lines are cut into pieces of this many words, as gensim does

/** A growable Int32Array. */
class IntList {
  data = new Int32Array(1 << 16);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  /** A copy in a SharedArrayBuffer, for the training threads. */
  shared(): Int32Array {
    const out = new Int32Array(new SharedArrayBuffer(Math.max(4, this.length * 4)));
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/**
 * Reads and tokenizes the corpus once: counts words, keeps those seen minCount times (at most
 * maxVocab), most frequent first (ties in first-seen order, as gensim), and encodes the text as
 * vocabulary ids, out-of-vocabulary words dropped, one sentence per line.
 */
export async function readCorpus(
  files: string[],
  tok: W2vTokenizer,
  minCount: number,
  maxVocab: number,
  stats: CorpusStats,
): Promise<{ vocab: W2vVocab; rawWords: number; distinct: number; corpus: Int32Array; starts: Int32Array }> {
  const seen = new Map<string, number>(); // word → first-seen id
  const seenWords: string[] = [];
  const seenCounts: number[] = [];
  const raw = new IntList(); // every word as its first-seen id
  const lineEnds = new IntList();
  for await (const doc of readDocuments(files, stats)) {
    for (const line of doc) {
      for (const w of tok.words(line)) {
        let id = seen.get(w);
        if (id === undefined) {
          id = seenWords.length;
          seen.set(w, id);
          seenWords.push(w);
          seenCounts.push(0);
        }
        seenCounts[id]++;
        raw.push(id);
      }
      lineEnds.push(raw.length);
    }
  }
  let kept = seenWords.map((_, i) => i).filter((i) => seenCounts[i] >= minCount);
  kept.sort((x, y) => seenCounts[y] - seenCounts[x]); // stable
  if (maxVocab > 0) kept = kept.slice(0, maxVocab);
  const remap = new Int32Array(seenWords.length).fill(-1);
  kept.forEach((i, j) => {
    remap[i] = j;
  });
  const words = kept.map((i) => seenWords[i]);
  const corpus = new IntList();
  const starts = new IntList();
  starts.push(0);
  let from = 0;
  for (let l = 0; l < lineEnds.length; l++) {
    let inSentence = 0;
    for (let k = from; k < lineEnds.data[l]; k++) {
      const id = remap[raw.data[k]];
      if (id < 0) continue;
      corpus.push(id);
      if (++inSentence === MAX_SENTENCE) {
        starts.push(corpus.length);
        inSentence = 0;
      }
    }
    if (inSentence > 0) starts.push(corpus.length);
    from = lineEnds.data[l];
  }
  return {
    vocab: {
      words,
      counts: Float64Array.from(kept, (i) => seenCounts[i]),
      index: new Map(words.map((w, i) => [w, i])),
    },
    rawWords: raw.length,
    distinct: seenWords.length,
    corpus: corpus.shared(),
    starts: starts.shared(),
  };
}
