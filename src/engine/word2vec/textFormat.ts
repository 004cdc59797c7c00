// The word2vec text format (also fastText's .vec and headerless GloVe-style text).
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
import { fmt, readVectorFile, VectorFileError } from './vectorFile';
import { WordVectors } from './vectors';

export function writeWord2vecText(file: string, v: WordVectors): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${v.size} ${v.dim}\n`);
    const parts: string[] = [];
    for (let i = 0; i < v.size; i++) {
      const row = v.vectors.subarray(i * v.dim, (i + 1) * v.dim);
      parts.push(`${v.words[i]} ${Array.from(row, fmt).join(' ')}\n`);
      if (parts.length === 1000 || i === v.size - 1) {
        fs.writeSync(fd, parts.join(''));
        parts.length = 0;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function readWord2vecText(file: string): WordVectors {
  const text = readVectorFile(file).toString('utf8');
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0)
    throw new VectorFileError(
      l10n.t('{0} is empty; pick a word-vector file with one word and its numbers per line.', file),
    );
  const head = lines[0].trim().split(/\s+/);
  let declared: number | undefined;
  let dim: number;
  let first = 0;
  if (head.length === 2 && /^\d+$/.test(head[0]) && /^\d+$/.test(head[1])) {
    declared = Number(head[0]);
    dim = Number(head[1]);
    first = 1;
  } else {
    dim = head.length - 1; // no header (GloVe style): the first row tells the size
  }
  if (!(dim > 0))
    throw new VectorFileError(
      l10n.t(
        '{0} line 1 is neither a "count dimension" header nor a word with numbers; pick a word2vec text file.',
        file,
      ),
    );
  // each number takes at least two characters ("0 "): a header asking for more is not this file's
  if (declared !== undefined && declared * dim * 2 > text.length)
    throw new VectorFileError(
      l10n.t(
        '{0} declares {1} words of {2} numbers on line 1, more than its {3} characters can hold; the file is cut short or damaged, so export it again.',
        file,
        declared,
        dim,
        text.length,
      ),
    );
  // A file with a header was written whole by a tool that ends every line; a last line without its
  // line break was cut, perhaps inside a number, which would read as another value.
  if (declared !== undefined && !text.endsWith('\n'))
    throw new VectorFileError(
      l10n.t(
        '{0} ends in the middle of line {1} (no line break after it); the file is cut short, so export it again.',
        file,
        lines.length,
      ),
    );
  const words: string[] = [];
  const vecs = new Float32Array((declared ?? lines.length - first) * dim);
  for (let li = first; li < lines.length; li++) {
    const line = lines[li].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const parts = line.trimEnd().split(' ');
    const nums = parts.length - dim;
    if (nums < 1)
      throw new VectorFileError(
        l10n.t(
          '{0} line {1} has {2} numbers; every line needs a word and {3}, so fix or export the file again.',
          file,
          li + 1,
          parts.length - 1,
          dim,
        ),
      );
    // a word may itself hold spaces in some exports: everything before the last dim fields
    const word = parts.slice(0, nums).join(' ');
    if (words.length * dim >= vecs.length)
      throw new VectorFileError(
        l10n.t(
          '{0} has more words than the {1} its header (line 1) declares, from line {2}; fix the header or export the file again.',
          file,
          declared,
          li + 1,
        ),
      );
    const o = words.length * dim;
    for (let c = 0; c < dim; c++) {
      const x = Number(parts[nums + c]);
      if (!Number.isFinite(x) || parts[nums + c] === '')
        throw new VectorFileError(
          l10n.t(
            '{0} line {1}: "{2}" (number {3} of "{4}") is not a number; fix or export the file again.',
            file,
            li + 1,
            parts[nums + c],
            c + 1,
            word,
          ),
        );
      vecs[o + c] = x;
    }
    words.push(word);
  }
  if (declared !== undefined && words.length !== declared)
    throw new VectorFileError(
      l10n.t(
        '{0} declares {1} words on line 1 but holds {2}; the file is cut short, so export it again.',
        file,
        declared,
        words.length,
      ),
    );
  return new WordVectors(words, dim, declared !== undefined ? vecs : vecs.slice(0, words.length * dim));
}
