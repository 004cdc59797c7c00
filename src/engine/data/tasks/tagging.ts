// Sequence-labelling data in CoNLL style: one token per line with its tag in the last column
// (separated by spaces or a tab), a blank line between sentences, -DOCSTART- lines ignored. Chinese
// word segmentation is the same format with one character per line tagged B/I/E/S.
import { readTaskFile, TaskDataError } from './common';

export interface TagExample {
  tokens: string[];
  tags: string[];
  line: number; // 1-based line of the first token
}

export function readTaggingFile(file: string): TagExample[] {
  const lines = readTaskFile(file);
  const out: TagExample[] = [];
  let cur: TagExample | undefined;
  const flush = () => {
    if (cur?.tokens.length) out.push(cur);
    cur = undefined;
  };
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('-DOCSTART-')) {
      flush();
      return;
    }
    const f = l.split(/[\t ]+/);
    if (f.length < 2)
      throw new TaskDataError(
        `${file} line ${i + 1} ("${l.slice(0, 40)}") has no tag; write the token, a space or tab, and its tag.`,
      );
    cur ??= { tokens: [], tags: [], line: i + 1 };
    cur.tokens.push(f[0]);
    cur.tags.push(f[f.length - 1]);
  });
  flush();
  if (out.length === 0) throw new TaskDataError(`${file} holds no tagged sentences; see the CoNLL format.`);
  return out;
}

/** B/I/E/S tags of one segmented sentence: each word's characters (Chinese word segmentation). */
export function segmentationTags(words: string[]): { tokens: string[]; tags: string[] } {
  const tokens: string[] = [];
  const tags: string[] = [];
  for (const w of words) {
    const chars = Array.from(w);
    chars.forEach((c, i) => {
      tokens.push(c);
      tags.push(chars.length === 1 ? 'S' : i === 0 ? 'B' : i === chars.length - 1 ? 'E' : 'I');
    });
  }
  return { tokens, tags };
}
