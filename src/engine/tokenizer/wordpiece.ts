// WordPiece (Wu et al. 2016; BERT's FullTokenizer): greedy longest-match-first over each basic token,
// continuations prefixed with ##, [UNK] for a word that cannot be covered or is too long.
import { BasicTokenizer, type Span } from './basic';
import { SPECIAL_TOKENS, UNK, type Vocab } from './vocab';

export interface TokenPiece extends Span {
  id: number;
  wordIndex: number; // which basic token (word) this piece belongs to
}

export interface WordPieceOptions {
  lowercase: boolean;
  stripAccents?: boolean; // defaults to `lowercase`, as in BERT (Hugging Face's strip_accents)
  splitCjk?: boolean; // each CJK ideograph its own word (default; tokenize_chinese_chars)
  maxInputCharsPerWord?: number;
}

export class WordPieceTokenizer {
  readonly vocab: Vocab;
  readonly basic: BasicTokenizer;
  private readonly maxChars: number;
  private readonly cache = new Map<string, string[]>();

  constructor(vocab: Vocab, opts: WordPieceOptions) {
    this.vocab = vocab;
    this.basic = new BasicTokenizer({
      lowercase: opts.lowercase,
      stripAccents: opts.stripAccents,
      splitCjk: opts.splitCjk,
      neverSplit: SPECIAL_TOKENS,
    });
    this.maxChars = opts.maxInputCharsPerWord ?? 100;
  }

  /** Pieces of one normalised word. */
  wordPieces(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const pieces = this.split(word);
    if (this.cache.size < 200_000) this.cache.set(word, pieces);
    return pieces;
  }

  private split(word: string): string[] {
    if (this.vocab.has(word)) return [word];
    const chars = Array.from(word);
    if (chars.length > this.maxChars) return [UNK];
    const out: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | undefined;
      while (start < end) {
        const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) {
          found = sub;
          break;
        }
        end--;
      }
      if (found === undefined) return [UNK];
      out.push(found);
      start = end;
    }
    return out;
  }

  tokenize(text: string): string[] {
    return this.encode(text).map((p) => p.text);
  }

  encode(text: string): TokenPiece[] {
    const out: TokenPiece[] = [];
    this.basic.tokenizeWithSpans(text).forEach((w, wordIndex) => {
      const pieces = this.vocab.has(w.text) ? [w.text] : this.wordPieces(w.text);
      // Offsets of pieces inside the word are exact when normalisation kept the length.
      const exact = w.end - w.start === w.text.length;
      let off = 0;
      for (const p of pieces) {
        const len = p === UNK ? w.text.length : p.startsWith('##') ? p.length - 2 : p.length;
        const start = exact ? w.start + off : w.start;
        const end = exact ? Math.min(w.end, start + len) : w.end;
        out.push({ text: p, id: this.vocab.id(p), start, end, wordIndex });
        off += len;
      }
    });
    return out;
  }

  ids(text: string): number[] {
    return this.encode(text).map((p) => p.id);
  }

  /** Joins WordPieces back into text: "play ##ing" -> "playing"; CJK characters without spaces. */
  static detokenize(tokens: readonly string[]): string {
    let s = '';
    for (const t of tokens) {
      if (t.startsWith('##')) s += t.slice(2);
      else if (s.length === 0 || isCjkToken(t) || isCjkToken(s.slice(-1))) s += t;
      else s += ' ' + t;
    }
    return s;
  }
}

function isCjkToken(t: string): boolean {
  const cp = t.codePointAt(0);
  return cp !== undefined && cp >= 0x2e80 && cp <= 0x2fa1f && Array.from(t).length === 1;
}
