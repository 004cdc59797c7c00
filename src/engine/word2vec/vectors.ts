// A table of word vectors and the questions people ask of it: nearest neighbours by cosine, analogy
// (3CosAdd and 3CosMul, Levy & Goldberg 2014), similarity and doesn't-match, with the closest
// spellings offered for unknown words. Loaded from a Pretrain Lab word2vec folder, a word2vec text
// (.txt/.vec) or binary (.bin) file, or an Embedding Projector vectors.tsv.
import type { Neighbour, W2vSummary } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { ModelKind } from '../../shared/modelKinds';

export class UnknownWordError extends Error {
  override name = 'UnknownWordError'; // kept across the worker channel (src/shared/rpc.ts)
  constructor(
    readonly word: string,
    readonly suggestions: string[],
    vocabSize: number,
  ) {
    super(
      l10n.t('"{0}" is not in the model\'s vocabulary ({1} words)', word, vocabSize.toLocaleString('en')) +
        (suggestions.length
          ? l10n.t('; closest spellings: {0}.', suggestions.join(', '))
          : l10n.t('; no word is spelled close to it.')),
    );
  }
}

export type AnalogyMethod = 'add' | 'mul';

export class WordVectors {
  readonly index: Map<string, number>;
  private unitCache?: Float32Array;

  constructor(
    readonly words: string[],
    readonly dim: number,
    readonly vectors: Float32Array, // words.length × dim
    readonly counts?: Float64Array, // frequencies, most frequent first, when known
  ) {
    if (vectors.length !== words.length * dim)
      throw new Error(
        l10n.t(
          '{0} words × {1} dimensions need {2} numbers, got {3}.',
          words.length,
          dim,
          words.length * dim,
          vectors.length,
        ),
      );
    this.index = new Map();
    // the first occurrence wins, as gensim does for duplicate keys
    words.forEach((w, i) => {
      if (!this.index.has(w)) this.index.set(w, i);
    });
  }

  get size(): number {
    return this.words.length;
  }

  /** Rows scaled to length 1 (zero rows stay zero). */
  get unit(): Float32Array {
    if (!this.unitCache) {
      const u = new Float32Array(this.vectors.length);
      const d = this.dim;
      for (let i = 0; i < this.words.length; i++) {
        let n = 0;
        for (let c = 0; c < d; c++) n += this.vectors[i * d + c] ** 2;
        const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
        for (let c = 0; c < d; c++) u[i * d + c] = this.vectors[i * d + c] * inv;
      }
      this.unitCache = u;
    }
    return this.unitCache;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The row of a word; throws UnknownWordError with the closest spellings. */
  id(word: string): number {
    const i = this.index.get(word);
    if (i === undefined) {
      const lower = this.index.get(word.toLowerCase());
      if (lower !== undefined) return lower;
      throw new UnknownWordError(word, this.suggest(word), this.size);
    }
    return i;
  }

  vector(word: string): Float32Array {
    const i = this.id(word);
    return this.vectors.slice(i * this.dim, (i + 1) * this.dim);
  }

  /** Up to n vocabulary words closest in edit distance, more frequent first among equals. */
  suggest(word: string, n = 5): string[] {
    const w = word.toLowerCase();
    const maxD = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
    const hits: [number, number][] = [];
    for (let i = 0; i < this.words.length; i++) {
      const cand = this.words[i];
      if (Math.abs(cand.length - w.length) > maxD) continue;
      const d = editDistance(w, cand.toLowerCase(), maxD);
      if (d <= maxD) hits.push([d, i]);
    }
    hits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return hits.slice(0, n).map(([, i]) => this.words[i]);
  }

  /** Cosine of every word with a unit-length query. */
  private cosines(q: Float32Array): Float32Array {
    const u = this.unit;
    const d = this.dim;
    const out = new Float32Array(this.words.length);
    for (let i = 0; i < this.words.length; i++) {
      let s = 0;
      const o = i * d;
      for (let c = 0; c < d; c++) s += u[o + c] * q[c];
      out[i] = s;
    }
    return out;
  }

  /** The k best scores, best first: one pass keeping a sorted list of k, not a sort of the vocabulary. */
  private topK(scores: Float32Array, k: number, exclude: Set<number>): Neighbour[] {
    const best: number[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (best.length === k && scores[i] <= scores[best[k - 1]]) continue;
      if (exclude.has(i)) continue;
      let at = best.length;
      while (at > 0 && scores[best[at - 1]] < scores[i]) at--;
      best.splice(at, 0, i);
      if (best.length > k) best.pop();
    }
    return best.map((i) => ({ word: this.words[i], score: scores[i] }));
  }

  neighbours(word: string, k = 10): Neighbour[] {
    const i = this.id(word);
    return this.topK(this.cosines(this.unit.subarray(i * this.dim, (i + 1) * this.dim)), k, new Set([i]));
  }

  /** Neighbours of any vector (normalised here). */
  neighboursOfVector(v: Float32Array, k = 10, exclude: string[] = []): Neighbour[] {
    const q = normalise(v);
    return this.topK(
      this.cosines(q),
      k,
      new Set(exclude.map((w) => this.index.get(w)).filter((x) => x !== undefined)),
    );
  }

  similarity(a: string, b: string): number {
    const ia = this.id(a);
    const ib = this.id(b);
    const u = this.unit;
    let s = 0;
    for (let c = 0; c < this.dim; c++) s += u[ia * this.dim + c] * u[ib * this.dim + c];
    return s;
  }

  /** a − b + c: "b is to a as c is to ?" (king − man + woman → queen). */
  analogy(a: string, b: string, c: string, k = 10, method: AnalogyMethod = 'add'): Neighbour[] {
    const missing = [a, b, c].filter((w) => !this.has(w) && !this.has(w.toLowerCase()));
    if (missing.length) {
      const first = new UnknownWordError(missing[0], this.suggest(missing[0]), this.size);
      throw new Error(
        l10n.t(
          'The analogy needs all three words in the vocabulary; missing: {0}. {1}',
          missing.map((w) => `"${w}"`).join(', '),
          first.message,
        ),
      );
    }
    const [ia, ib, ic] = [this.id(a), this.id(b), this.id(c)];
    const d = this.dim;
    const u = this.unit;
    const exclude = new Set([ia, ib, ic]);
    if (method === 'add') {
      const q = new Float32Array(d);
      for (let x = 0; x < d; x++) q[x] = u[ia * d + x] - u[ib * d + x] + u[ic * d + x];
      return this.topK(this.cosines(normalise(q)), k, exclude);
    }
    // 3CosMul: cos' = (cos + 1) / 2 keeps every factor positive
    const ca = this.cosines(u.subarray(ia * d, (ia + 1) * d));
    const cb = this.cosines(u.subarray(ib * d, (ib + 1) * d));
    const cc = this.cosines(u.subarray(ic * d, (ic + 1) * d));
    const s = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++)
      s[i] = (((ca[i] + 1) / 2) * ((cc[i] + 1) / 2)) / ((cb[i] + 1) / 2 + 1e-6);
    return this.topK(s, k, exclude);
  }

  /** The word furthest from the mean of the others' unit vectors (gensim's doesnt_match). */
  doesntMatch(words: string[]): { word: string; scores: Neighbour[] } {
    if (words.length < 3)
      throw new Error(l10n.t("doesn't-match needs at least 3 words, got {0}.", words.length));
    const ids = words.map((w) => this.id(w));
    const d = this.dim;
    const mean = new Float32Array(d);
    for (const i of ids) for (let c = 0; c < d; c++) mean[c] += this.unit[i * d + c];
    const m = normalise(mean);
    const scores = ids.map((i, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += this.unit[i * d + c] * m[c];
      return { word: words[j], score: s };
    });
    const worst = scores.reduce((a, b) => (b.score < a.score ? b : a));
    return { word: worst.word, scores };
  }

  /** Words matching a search: a substring, or a regular expression when regex is set. */
  search(query: string, regex: boolean, limit = 200): { words: string[]; total: number } {
    let test: (w: string) => boolean;
    if (regex) {
      let re: RegExp;
      try {
        re = new RegExp(query, 'iu');
      } catch (e) {
        throw new Error(l10n.t('"{0}" is not a valid regular expression: {1}.', query, (e as Error).message));
      }
      test = (w) => re.test(w);
    } else {
      const q = query.toLowerCase();
      test = (w) => w.toLowerCase().includes(q);
    }
    const out: string[] = [];
    let total = 0;
    for (const w of this.words) {
      if (test(w)) {
        total++;
        if (out.length < limit) out.push(w);
      }
    }
    return { words: out, total };
  }
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

/** Levenshtein distance, giving up (returning max + 1) once it must exceed max. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const A = [...a];
  const B = [...b];
  let prev = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= B.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (A[i - 1] === B[j - 1] ? 0 : 1));
      if (cur[j] < best) best = cur[j];
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[B.length];
}

/** A vector table with what the Embedding Explorer shows about it. */
export interface LoadedVectors {
  vectors: WordVectors;
  summary: W2vSummary;
  kind: ModelKind; // the model the table comes from (a BERT's table is its input embeddings)
  label: string; // what the table is, as a person reads it, e.g. 'word2vec skip-gram'
}
