// Learns byte-level BPE merges from pre-token counts (Sennrich et al. 2016, Algorithm 1): repeatedly
// merge the most frequent adjacent pair, counting each pre-token by its frequency. Pair counts are
// kept up to date incrementally and the best pair comes from a lazy max-heap, so a merge costs the
// words that contain it, not a pass over the corpus. Ties go to the pair seen first, so runs repeat.
import { BpeTokenizer, byteTokens, END_OF_TEXT, preTokenize, toByteChars } from './bpe';

export interface BpeTrainerOptions {
  vocabSize: number; // total, including the 256 byte tokens and END_OF_TEXT
  minFrequency: number; // a pair must occur this often to be merged
}

/** Counts the pre-tokens of texts (in their byte-level form), to train merges on. */
export class PieceCounter {
  readonly counts = new Map<string, number>();
  add(text: string): void {
    for (const p of preTokenize(text)) {
      const k = toByteChars(p.text);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }
}

export function trainBpe(counts: Map<string, number>, o: BpeTrainerOptions): BpeTokenizer {
  const base = byteTokens();
  const vocab = new Map(base.map((t, i) => [t, i]));
  const symbols: string[] = [...base]; // symbol id → token
  const symbolOf = (t: string) => vocab.get(t)!;
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of counts) {
    words.push([...w].map(symbolOf));
    freq.push(c);
  }
  const key = (a: number, b: number) => a * 1_048_576 + b; // ids stay below 2^20
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPair = (k: number, wi: number, c: number) => {
    pairCount.set(k, (pairCount.get(k) ?? 0) + c);
    if (c > 0) {
      let s = pairWords.get(k);
      if (!s) {
        s = new Set();
        pairWords.set(k, s);
      }
      s.add(wi);
    }
  };
  words.forEach((w, wi) => {
    for (let i = 0; i < w.length - 1; i++) addPair(key(w[i], w[i + 1]), wi, freq[wi]);
  });
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(k, c);

  const merges: [string, string][] = [];
  const target = o.vocabSize - 1; // room for END_OF_TEXT
  while (symbols.length < target) {
    let best: number | undefined;
    for (;;) {
      const top = heap.pop();
      if (!top) break;
      const now = pairCount.get(top.key) ?? 0;
      if (now === top.count) {
        best = top.key;
        break;
      }
      if (now > 0) heap.push(top.key, now); // stale entry: requeue with its current count
    }
    if (best === undefined || (pairCount.get(best) ?? 0) < Math.max(1, o.minFrequency)) break;
    const a = Math.floor(best / 1_048_576);
    const b = best % 1_048_576;
    const merged = symbols[a] + symbols[b];
    const id = symbols.length;
    symbols.push(merged);
    vocab.set(merged, id);
    merges.push([symbols[a], symbols[b]]);
    const touched = new Set<number>();
    for (const wi of pairWords.get(best) ?? []) {
      const w = words[wi];
      const c = freq[wi];
      for (let i = 0; i < w.length - 1; i++) addPair(key(w[i], w[i + 1]), wi, -c);
      const next: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i < w.length - 1 && w[i] === a && w[i + 1] === b) {
          next.push(id);
          i++;
        } else next.push(w[i]);
      }
      words[wi] = next;
      for (let i = 0; i < next.length - 1; i++) {
        const k = key(next[i], next[i + 1]);
        addPair(k, wi, c);
        touched.add(k);
      }
    }
    pairCount.delete(best);
    pairWords.delete(best);
    for (const k of touched) {
      const c = pairCount.get(k) ?? 0;
      if (c > 0) heap.push(k, c);
    }
  }
  vocab.set(END_OF_TEXT, vocab.size);
  return new BpeTokenizer(vocab, merges);
}

/** A max-heap of (count, pair); ties by the smaller pair key, so training is deterministic. */
class PairHeap {
  private readonly keys: number[] = [];
  private readonly counts: number[] = [];
  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number): void {
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
  }
  push(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { key: number; count: number } | undefined {
    const n = this.keys.length;
    if (n === 0) return undefined;
    const top = { key: this.keys[0], count: this.counts[0] };
    this.swap(0, n - 1);
    this.keys.pop();
    this.counts.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.before(l, m)) m = l;
      if (r < n - 1 && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}
