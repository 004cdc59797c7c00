// ELMo's words and training windows. Words are BERT's basic tokenizer's (tokenizer/basic.ts): split on
// whitespace and punctuation, each CJK ideograph its own token (so Chinese is one token per character),
// optionally lower-cased. The vocabulary is the corpus's most frequent words plus <s> (the boundary
// after every line, so each LM learns where sentences start and end) and <unk>.
// A training window is seqLength + 1 consecutive ids of the corpus read as one stream.

import { l10n } from '../../shared/l10nCore';
import type { Rng } from '../random';
import { BasicTokenizer, type Span } from '../tokenizer/basic';
import { countWords } from './batches';
import { type CorpusStats, emptyStats, readDocuments } from './corpus';

export const BOUNDARY = '<s>';
export const UNKNOWN = '<unk>';

export class ElmoVocab {
  private readonly ids = new Map<string, number>();
  readonly boundaryId = 0;
  readonly unkId = 1;

  constructor(readonly words: readonly string[]) {
    if (words[0] !== BOUNDARY || words[1] !== UNKNOWN)
      throw new Error(
        l10n.t('An ELMo vocabulary starts with {0} and {1}; retrain the model.', BOUNDARY, UNKNOWN),
      );
    words.forEach((w, i) => {
      if (!this.ids.has(w)) this.ids.set(w, i);
    });
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  id(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  serialize(): string {
    return this.words.join('\n') + '\n';
  }

  static parse(text: string): ElmoVocab {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.at(-1) === '') lines.pop();
    return new ElmoVocab(lines);
  }
}

export function elmoTokenizer(lowercase: boolean): BasicTokenizer {
  return new BasicTokenizer({ lowercase });
}

/** A text's words with their character spans, and their ids (unknown words as <unk>). */
export function encodeText(
  text: string,
  vocab: ElmoVocab,
  lowercase: boolean,
): { spans: Span[]; ids: number[]; known: boolean[] } {
  const spans = elmoTokenizer(lowercase).tokenizeWithSpans(text);
  return {
    spans,
    ids: spans.map((s) => vocab.id(s.text)),
    known: spans.map((s) => vocab.has(s.text)),
  };
}

/** The corpus's words seen at least minCount times, the most frequent maxVocab of them, in that order. */
export async function buildElmoVocab(
  files: readonly string[],
  o: { lowercase: boolean; maxVocab: number; minCount: number },
  shouldStop?: () => boolean,
): Promise<{ vocab: ElmoVocab; distinct: number; stats: CorpusStats }> {
  const tok = elmoTokenizer(o.lowercase);
  const stats = emptyStats();
  const counts = await countWords(files, (s) => tok.tokenize(s), stats, shouldStop);
  const kept = [...counts]
    .filter(([w, n]) => n >= o.minCount && w !== BOUNDARY && w !== UNKNOWN)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, Math.max(0, o.maxVocab))
    .map(([w]) => w);
  return { vocab: new ElmoVocab([BOUNDARY, UNKNOWN, ...kept]), distinct: counts.size, stats };
}

export class CorpusTooSmallForElmoError extends Error {
  override name = 'CorpusTooSmallError';
}

export interface ElmoBatch {
  ids: Int32Array; // [B, T + 1] row-major
  batchSize: number;
  windowLength: number; // T + 1
}

/**
 * Endless batches of windows: the corpus read as one id stream (a <s> after each line), cut into
 * windows of seqLength + 1 that overlap by one id (each step's last target is the next window's first
 * input), shuffled within a pool of a few hundred windows, the corpus reread when it ends.
 */
export async function* elmoBatches(
  files: readonly string[],
  vocab: ElmoVocab,
  o: { lowercase: boolean; batchSize: number; seqLength: number },
  rng: Rng,
): AsyncGenerator<ElmoBatch> {
  const tok = elmoTokenizer(o.lowercase);
  const L = o.seqLength + 1;
  const poolSize = Math.max(256, 8 * o.batchSize);
  const pool: Int32Array[] = [];
  const emit = function* (all: boolean): Generator<ElmoBatch> {
    while (pool.length >= (all ? o.batchSize : poolSize)) {
      rng.shuffle(pool);
      const ids = new Int32Array(o.batchSize * L);
      for (let b = 0; b < o.batchSize; b++) ids.set(pool.pop()!, b * L);
      yield { ids, batchSize: o.batchSize, windowLength: L };
    }
  };
  for (let pass = 0; ; pass++) {
    let buf: number[] = [];
    let windows = 0;
    for await (const doc of readDocuments(files, emptyStats())) {
      for (const line of doc) {
        for (const w of tok.tokenize(line)) buf.push(vocab.id(w));
        buf.push(vocab.boundaryId);
        while (buf.length >= L) {
          pool.push(Int32Array.from(buf.slice(0, L)));
          buf = buf.slice(L - 1);
          windows++;
          yield* emit(false);
        }
      }
    }
    if (pass === 0 && windows === 0)
      throw new CorpusTooSmallForElmoError(
        l10n.t(
          'The corpus holds fewer than {0} words, too few for one window of --seq-length {1}; give more text or a shorter --max-seq-length.',
          String(L),
          String(o.seqLength),
        ),
      );
    yield* emit(true);
  }
}
