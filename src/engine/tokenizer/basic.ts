// BERT's basic tokenizer (Devlin et al. 2019, §A; tokenization.py of the original release): clean
// control characters, put each CJK ideograph on its own, split on whitespace and Unicode punctuation,
// optionally lower-case and strip accents. Unlike the original it keeps each token's character span
// in the input, so predictions and attention can point back into the editor.

export interface Span {
  text: string; // the token after normalisation
  start: number; // UTF-16 offsets into the original text
  end: number;
}

export interface BasicTokenizerOptions {
  lowercase: boolean;
  stripAccents?: boolean; // defaults to `lowercase`, as in BERT
  neverSplit?: readonly string[]; // tokens kept whole and unnormalised, e.g. [MASK]
  splitCjk?: boolean; // each CJK ideograph a token of its own (default; tokenize_chinese_chars)
}

const PUNCT = /^\p{P}$/u;
const SPACE_SEP = /^\p{Zs}$/u;
const CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const COMBINING = /\p{Mn}/gu;

export function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEP.test(ch);
}

export function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return CONTROL.test(ch);
}

export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  // BERT treats all non-letter/number ASCII as punctuation, e.g. $ ^ ` even though Unicode does not.
  if (
    (cp >= 33 && cp <= 47) ||
    (cp >= 58 && cp <= 64) ||
    (cp >= 91 && cp <= 96) ||
    (cp >= 123 && cp <= 126)
  ) {
    return true;
  }
  return PUNCT.test(ch);
}

/** The CJK Unified Ideographs blocks BERT splits character by character (not Hangul, not kana). */
export function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

export function normalizeWord(word: string, lowercase: boolean, stripAccents: boolean): string {
  let w = lowercase ? word.toLowerCase() : word;
  if (stripAccents) w = w.normalize('NFD').replace(COMBINING, '');
  return w;
}

export class BasicTokenizer {
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly neverSplit: RegExp | undefined;
  private readonly splitCjk: boolean;

  constructor(opts: BasicTokenizerOptions) {
    this.lowercase = opts.lowercase;
    this.splitCjk = opts.splitCjk ?? true;
    this.stripAccents = opts.stripAccents ?? opts.lowercase;
    const specials = (opts.neverSplit ?? []).filter((s) => s.length > 0);
    this.neverSplit = specials.length
      ? new RegExp(specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : undefined;
  }

  tokenize(text: string): string[] {
    return this.tokenizeWithSpans(text).map((s) => s.text);
  }

  tokenizeWithSpans(text: string): Span[] {
    const out: Span[] = [];
    if (!this.neverSplit) {
      this.scan(text, 0, text.length, out);
      return out;
    }
    let last = 0;
    this.neverSplit.lastIndex = 0;
    for (let m = this.neverSplit.exec(text); m; m = this.neverSplit.exec(text)) {
      this.scan(text, last, m.index, out);
      out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
      last = m.index + m[0].length;
    }
    this.scan(text, last, text.length, out);
    return out;
  }

  private scan(text: string, from: number, to: number, out: Span[]): void {
    let word = '';
    let wordStart = -1;
    let wordEnd = -1;
    const flush = () => {
      if (wordStart >= 0) {
        const norm = normalizeWord(word, this.lowercase, this.stripAccents);
        if (norm.length > 0) out.push({ text: norm, start: wordStart, end: wordEnd });
      }
      word = '';
      wordStart = -1;
    };
    let i = from;
    while (i < to) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const next = i + ch.length;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) {
        // dropped, as BERT's _clean_text does; neighbours stay one word
      } else if (isWhitespace(ch)) {
        flush();
      } else if ((this.splitCjk && isCjk(cp)) || isPunctuation(ch)) {
        flush();
        const norm = normalizeWord(ch, this.lowercase, this.stripAccents);
        if (norm.length > 0) out.push({ text: norm, start: i, end: next });
      } else {
        if (wordStart < 0) wordStart = i;
        word += ch;
        wordEnd = next;
      }
      i = next;
    }
    flush();
  }
}
