// The starter's vocabulary: the most frequent Chinese characters of the corpus plus a WordPiece
// vocabulary trained on its English words, 8,000 entries in all. The CLI's own trainer (one shared
// WordPiece over both languages) puts every distinct character in first, and the poems have over
// 7,000 of them: English would be left a few hundred merges. Characters are whole words in BERT's
// tokenizer, so they need no merges; English gets the rest of the budget.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BasicTokenizer, isCjk } from '../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../src/engine/tokenizer/trainer';
import { SPECIAL_TOKENS } from '../src/engine/tokenizer/vocab';

export interface StarterVocab {
  tokens: string[];
  chinese: number; // characters kept
  chineseCoverage: number; // share of the corpus's Chinese characters that are in the vocabulary
  english: number; // WordPieces (with the punctuation, digits and letters they need)
}

const isChinese = (w: string) => [...w].length === 1 && isCjk(w.codePointAt(0)!);

export function buildVocab(corpusDirs: string[], size: number, chineseChars: number): StarterVocab {
  const basic = new BasicTokenizer({ lowercase: true });
  const zh = new Map<string, number>();
  const en = new Map<string, number>();
  for (const dir of corpusDirs)
    for (const f of fs.readdirSync(dir).sort())
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
        for (const w of basic.tokenize(line)) {
          const m = isChinese(w) ? zh : en;
          m.set(w, (m.get(w) ?? 0) + 1);
        }
  const chars = [...zh].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, chineseChars);
  const total = [...zh.values()].reduce((s, n) => s + n, 0);
  const kept = chars.reduce((s, [, n]) => s + n, 0);
  const english = trainWordPieceVocab(en, { vocabSize: size - chars.length, minFrequency: 2 }).tokens;
  const tokens = [...english];
  const seen = new Set(tokens);
  for (const [c] of chars) if (!seen.has(c)) tokens.push(c);
  if (tokens.length > size) throw new Error(`vocabulary of ${tokens.length} > ${size}`);
  if (SPECIAL_TOKENS.some((t, i) => tokens[i] !== t)) throw new Error('special tokens must come first');
  return { tokens, chinese: chars.length, chineseCoverage: kept / total, english: english.length };
}
