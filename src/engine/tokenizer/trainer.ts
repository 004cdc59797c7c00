// Trains a WordPiece vocabulary from word counts. Like Hugging Face's WordPieceTrainer it learns merges
// bottom-up (BPE, Sennrich et al. 2016) over characters, where a symbol that does not start a word
// carries the ## prefix, and stops at the vocabulary size or when no pair is frequent enough.

import { l10n } from '../../shared/l10nCore';
import { SPECIAL_TOKENS, Vocab } from './vocab';

export interface VocabTrainerOptions {
  vocabSize: number;
  minFrequency: number;
}

export class WordCounter {
  readonly counts = new Map<string, number>();
  add(word: string, n = 1): void {
    this.counts.set(word, (this.counts.get(word) ?? 0) + n);
  }
}

/** Max-heap of [count, key] with lazy deletion: stale entries are skipped when popped. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.counts.length;
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] | undefined {
    if (this.counts.length === 0) return undefined;
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastC = this.counts.pop()!;
    const lastK = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.counts.length && this.before(l, m)) m = l;
        if (r < this.counts.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  // Higher count first; ties broken by the smaller key so training is deterministic.
  private before(i: number, j: number): boolean {
    return (
      this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j])
    );
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
}

export function trainWordPieceVocab(wordCounts: Map<string, number>, opts: VocabTrainerOptions): Vocab {
  if (opts.vocabSize < SPECIAL_TOKENS.length + 1) {
    throw new Error(
      l10n.t(
        'A vocabulary size of {0} is too small; use at least {1}.',
        opts.vocabSize,
        SPECIAL_TOKENS.length + 1,
      ),
    );
  }
  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string) => {
    let id = symbolId.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symbolId.set(s, id);
    }
    return id;
  };

  // Words as symbol sequences, with the alphabet's frequencies.
  const words: { syms: number[]; count: number }[] = [];
  const alphabet = new Map<number, number>();
  const sorted = [...wordCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [w, count] of sorted) {
    const chars = Array.from(w);
    if (chars.length === 0 || chars.length > 100) continue;
    const syms = chars.map((c, i) => intern(i === 0 ? c : '##' + c));
    for (const s of syms) alphabet.set(s, (alphabet.get(s) ?? 0) + count);
    words.push({ syms, count });
  }

  const budget = opts.vocabSize - SPECIAL_TOKENS.length;
  const alphabetSorted = [...alphabet.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const keptAlphabet = alphabetSorted.slice(0, budget).map(([s]) => s);
  const inVocab = new Set<number>(keptAlphabet);
  const vocabTokens: string[] = [...SPECIAL_TOKENS, ...keptAlphabet.map((s) => symbols[s])];
  // Words with a character that did not make the alphabet cannot be merged into useful pieces.
  const usable = words.filter((w) => w.syms.every((s) => inVocab.has(s)));

  const K = 1 << 21; // symbol ids stay below 2^21, so a pair fits one safe integer key
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap();
  const addPairs = (wi: number, sign: 1 | -1) => {
    const { syms, count } = usable[wi];
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = syms[i] * K + syms[i + 1];
      const c = (pairCount.get(key) ?? 0) + sign * count;
      pairCount.set(key, c);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) {
          set = new Set();
          pairWords.set(key, set);
        }
        set.add(wi);
        heap.push(c, key);
      } else if (c > 0) {
        heap.push(c, key);
      }
    }
  };
  for (let wi = 0; wi < usable.length; wi++) addPairs(wi, 1);

  while (vocabTokens.length < opts.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const [count, key] = top;
    if (pairCount.get(key) !== count) continue; // stale
    if (count < opts.minFrequency) break;
    const a = Math.floor(key / K);
    const b = key % K;
    const merged = symbols[a] + symbols[b].replace(/^##/, '');
    const m = intern(merged);
    if (m >= K) break;
    if (!inVocab.has(m)) {
      inVocab.add(m);
      vocabTokens.push(merged);
    }
    for (const wi of pairWords.get(key) ?? []) {
      const w = usable[wi];
      addPairs(wi, -1);
      const next: number[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) {
          next.push(m);
          i++;
        } else {
          next.push(w.syms[i]);
        }
      }
      w.syms = next;
      addPairs(wi, 1);
    }
    pairWords.delete(key);
    pairCount.delete(key);
  }
  return new Vocab(vocabTokens);
}
