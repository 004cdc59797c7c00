// Words for word2vec. "words": Unicode-aware, lower-cased, punctuation dropped; Chinese either one
// token per character or ICU's dictionary word segmentation (Intl.Segmenter, built into Node and VS
// Code, no extra library). "whitespace": split on whitespace only, as the C tool and gensim's
// LineSentence do, for text that is already tokenized.
import type { W2vChinese, W2vTokenization } from '../../shared/configs';
import { BasicTokenizer, isCjk, isPunctuation } from '../tokenizer/basic';

export interface W2vTokenizerConfig {
  tokenization: W2vTokenization;
  chinese: W2vChinese;
  lowercase: boolean;
}

export interface WordSpan {
  word: string;
  start: number;
  end: number;
}

const HAS_CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]/u;

export class W2vTokenizer {
  private readonly basic: BasicTokenizer;
  private segmenter?: Intl.Segmenter;

  constructor(readonly config: W2vTokenizerConfig) {
    this.basic = new BasicTokenizer({ lowercase: config.lowercase });
  }

  /** The words of one line (or any text), with their UTF-16 spans in it. */
  spans(text: string): WordSpan[] {
    const out: WordSpan[] = [];
    if (this.config.tokenization === 'whitespace') {
      const re = /\S+/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        out.push({ word: m[0], start: m.index, end: m.index + m[0].length });
      }
      return out;
    }
    if (this.config.chinese === 'words' && HAS_CJK.test(text)) {
      this.segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
      for (const s of this.segmenter.segment(text)) {
        if (!s.isWordLike) continue;
        // ICU keeps runs like "play-off" or "3.5" whole; split non-CJK words as BERT's basic tokenizer does
        if (HAS_CJK.test(s.segment)) {
          out.push({ word: s.segment, start: s.index, end: s.index + s.segment.length });
        } else {
          for (const t of this.basic.tokenizeWithSpans(s.segment)) {
            if (!isPunctWord(t.text))
              out.push({ word: t.text, start: s.index + t.start, end: s.index + t.end });
          }
        }
      }
      return out;
    }
    for (const t of this.basic.tokenizeWithSpans(text)) {
      if (!isPunctWord(t.text)) out.push({ word: t.text, start: t.start, end: t.end });
    }
    return out;
  }

  words(text: string): string[] {
    return this.spans(text).map((s) => s.word);
  }
}

function isPunctWord(w: string): boolean {
  for (const ch of w) if (!isPunctuation(ch)) return false;
  return true;
}

export { isCjk };
