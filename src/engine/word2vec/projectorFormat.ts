// The TensorFlow Embedding Projector's vectors.tsv + metadata.tsv.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../../shared/l10nCore';
import { fmt, readVectorFile, VectorFileError } from './vectorFile';
import { WordVectors } from './vectors';

/** vectors.tsv (numbers, tab-separated, no header) and metadata.tsv (header word, count) in dir. */
export function writeProjector(dir: string, v: WordVectors): { vectors: string; metadata: string } {
  fs.mkdirSync(dir, { recursive: true });
  const vf = path.join(dir, 'vectors.tsv');
  const mf = path.join(dir, 'metadata.tsv');
  const rows: string[] = [];
  for (let i = 0; i < v.size; i++)
    rows.push(Array.from(v.vectors.subarray(i * v.dim, (i + 1) * v.dim), fmt).join('\t'));
  fs.writeFileSync(vf, rows.join('\n') + '\n');
  const meta = v.words.map((w, i) => `${tsvCell(w)}\t${v.counts ? v.counts[i] : ''}`);
  fs.writeFileSync(mf, `word\tcount\n${meta.join('\n')}\n`);
  return { vectors: vf, metadata: mf };
}

function tsvCell(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ');
}

export function readProjector(vectorsFile: string, metadataFile?: string): WordVectors {
  const text = readVectorFile(vectorsFile).toString('utf8');
  const rows = text.split('\n');
  if (rows.length && rows[rows.length - 1].trim() === '') rows.pop();
  if (rows.length === 0)
    throw new VectorFileError(
      l10n.t('{0} is empty; pick a vectors.tsv with one row of numbers per word.', vectorsFile),
    );
  // as for word2vec text: a last row without its line break may end inside a number
  if (!text.endsWith('\n'))
    throw new VectorFileError(
      l10n.t(
        '{0} ends in the middle of line {1} (no line break after it); the file is cut short, so export it again.',
        vectorsFile,
        rows.length,
      ),
    );
  const dim = rows[0].split('\t').length;
  const vecs = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    const parts = r.replace(/\r$/, '').split('\t');
    if (parts.length !== dim)
      throw new VectorFileError(
        l10n.t(
          '{0} line {1} has {2} numbers; line 1 has {3}; fix or export the file again.',
          vectorsFile,
          i + 1,
          parts.length,
          dim,
        ),
      );
    parts.forEach((x, c) => {
      const n = Number(x);
      if (!Number.isFinite(n) || x.trim() === '')
        throw new VectorFileError(
          l10n.t('{0} line {1}: "{2}" is not a number; fix or export the file again.', vectorsFile, i + 1, x),
        );
      vecs[i * dim + c] = n;
    });
  });
  const meta = metadataFile ?? path.join(path.dirname(vectorsFile), 'metadata.tsv');
  let words: string[];
  if (fs.existsSync(meta)) {
    const metaText = readVectorFile(meta).toString('utf8');
    if (metaText !== '' && !metaText.endsWith('\n'))
      throw new VectorFileError(
        l10n.t(
          '{0} ends in the middle of a line (no line break after it); the file is cut short, so export it again.',
          meta,
        ),
      );
    const m = metaText.split('\n');
    if (m.length && m[m.length - 1] === '') m.pop();
    const multi = m.length > 0 && m[0].includes('\t');
    // the Projector's rule: one column has no header; several columns have one
    words = (multi ? m.slice(1) : m).map((l) => l.replace(/\r$/, '').split('\t')[0]);
    if (words.length !== rows.length)
      throw new VectorFileError(
        l10n.t(
          '{0} names {1} words but {2} has {3} rows; export the two files together again.',
          meta,
          words.length,
          vectorsFile,
          rows.length,
        ),
      );
  } else words = rows.map((_, i) => `#${i + 1}`);
  return new WordVectors(words, dim, vecs);
}
