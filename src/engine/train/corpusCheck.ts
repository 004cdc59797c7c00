// Checks a corpus against a vocabulary that was not trained on it (a resumed model, a given vocab.txt)
// before any step: a sample of its text is tokenized, and a corpus with no text, or one whose tokens are
// mostly [UNK] (another language or script than the model's), is refused with the share.
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece';

const SAMPLE_BYTES = 1 << 20; // read at most this much over all files: enough for a share, cheap
const PER_FILE_BYTES = 256 << 10;
export const MAX_UNKNOWN_SHARE = 0.5;

export interface CorpusSample {
  tokens: number;
  unknown: number;
}

/** Tokens and [UNK] tokens in the first part of each file (binary files skipped, as training does). */
export function sampleCorpus(files: readonly string[], tok: WordPieceTokenizer, unkId: number): CorpusSample {
  let budget = SAMPLE_BYTES;
  let tokens = 0;
  let unknown = 0;
  for (const f of files) {
    if (budget <= 0) break;
    let buf: Buffer;
    try {
      const fd = fs.openSync(f, 'r');
      try {
        buf = Buffer.alloc(Math.min(budget, PER_FILE_BYTES));
        buf = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue; // unreadable files are reported by the training's reader
    }
    if (buf.includes(0)) continue; // binary
    budget -= buf.length;
    // the last line may be cut mid-word (or mid-character): drop it unless it is the whole sample
    const text = buf.toString('utf8');
    const cut = text.lastIndexOf('\n');
    const ids = tok.ids(cut > 0 ? text.slice(0, cut) : text);
    tokens += ids.length;
    for (const id of ids) if (id === unkId) unknown++;
  }
  return { tokens, unknown };
}

/** Throws one sentence when the corpus has no text or is mostly unknown to the vocabulary. */
export function checkCorpusAgainstVocab(
  files: readonly string[],
  tok: WordPieceTokenizer,
  unkId: number,
  where: string,
): void {
  const s = sampleCorpus(files, tok, unkId);
  if (s.tokens === 0)
    throw new Error(
      l10n.t(
        'The corpus ({0} file(s)) has no text to train on; give files with text in them (--corpus).',
        files.length,
      ),
    );
  const share = s.unknown / s.tokens;
  if (share > MAX_UNKNOWN_SHARE)
    throw new Error(
      l10n.t(
        "{0}% of the corpus's tokens are [UNK] for the vocabulary of {1}, so the model would learn almost nothing; give text in the model's language or train a new model on it (--fresh or another --out).",
        (share * 100).toFixed(0),
        where,
      ),
    );
}
