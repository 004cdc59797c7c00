// Word-vector files: the word2vec text format (also fastText's .vec and headerless GloVe-style text),
// the original C tool's binary format, the TensorFlow Embedding Projector's vectors.tsv +
// metadata.tsv; model folders (Pretrain Lab word2vec, or a BERT's input embedding table) are read by
// their kind's handler in checkpoint/registry.ts. Every reading error names the line or byte offset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../../shared/l10nCore';
import { resolveModelPath } from '../checkpoint/registry';
import { type LoadedVectors, WordVectors } from './vectors';

export class VectorFileError extends Error {
  override name = 'VectorFileError'; // kept across the worker channel (src/shared/rpc.ts)
}

/** A vector file's bytes; a folder in its place or a read error is one sentence. */
function readVectorFile(file: string, bytes?: number): Buffer {
  let fd: number | undefined;
  try {
    if (bytes === undefined) return fs.readFileSync(file);
    fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(bytes);
    return b.subarray(0, fs.readSync(fd, b, 0, bytes, 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? l10n.t('does not exist')
        : code === 'EISDIR'
          ? l10n.t('is a folder, not a file')
          : l10n.t('cannot be read ({0})', code);
    throw new VectorFileError(
      l10n.t('{0} {1}; pick a word-vector file (.bin, .vec, .txt, .tsv).', file, why),
    );
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export type VectorFormat = 'text' | 'binary' | 'projector';

/** The shortest decimal that reads back as the same float32. */
function fmt(x: number): string {
  return Object.is(x, -0) ? '-0' : Number(x.toPrecision(9)).toString();
}

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

/** The C tool's format: "V dim\n", then per word its UTF-8 bytes, a space, dim float32 LE, "\n". */
export function writeWord2vecBinary(file: string, v: WordVectors): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${v.size} ${v.dim}\n`);
    const row = new Float32Array(v.dim);
    const rowBytes = new Uint8Array(row.buffer);
    const nl = Buffer.from('\n');
    for (let i = 0; i < v.size; i++) {
      fs.writeSync(fd, Buffer.from(`${v.words[i]} `, 'utf8'));
      row.set(v.vectors.subarray(i * v.dim, (i + 1) * v.dim));
      fs.writeSync(fd, rowBytes);
      fs.writeSync(fd, nl);
    }
  } finally {
    fs.closeSync(fd);
  }
}

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

export function readWord2vecBinary(file: string): WordVectors {
  const buf = readVectorFile(file);
  const nl = buf.indexOf(0x0a);
  if (nl < 0 || nl > 100)
    throw new VectorFileError(
      l10n.t('{0} has no "count dimension" header line at byte 0; pick a word2vec binary file.', file),
    );
  const head = buf.subarray(0, nl).toString('latin1').trim().split(/\s+/);
  if (head.length !== 2 || !/^\d+$/.test(head[0]) || !/^\d+$/.test(head[1]))
    throw new VectorFileError(
      l10n.t(
        '{0} byte 0: the header "{1}" is not "count dimension"; pick a word2vec binary file.',
        file,
        head.join(' '),
      ),
    );
  const V = Number(head[0]);
  const dim = Number(head[1]);
  if (dim === 0 || V * dim * 4 > buf.length)
    throw new VectorFileError(
      l10n.t(
        '{0} declares {1} words of {2} numbers in its header, which its {3} bytes cannot hold; the file is cut short or damaged, so export it again.',
        file,
        V,
        dim,
        buf.length,
      ),
    );
  const vecs = new Float32Array(V * dim);
  const words: string[] = [];
  const dec = new TextDecoder('utf-8', { fatal: true });
  let p = nl + 1;
  for (let i = 0; i < V; i++) {
    while (p < buf.length && (buf[p] === 0x0a || buf[p] === 0x0d)) p++;
    const start = p;
    while (p < buf.length && buf[p] !== 0x20) {
      if (p - start > 1000)
        throw new VectorFileError(
          l10n.t(
            '{0} byte {1}: word {2} runs over 1000 bytes without a space; the file is not in word2vec binary format or is damaged, so export it again.',
            file,
            start,
            i + 1,
          ),
        );
      p++;
    }
    if (p >= buf.length)
      throw new VectorFileError(
        l10n.t(
          '{0} byte {1}: the file ends inside word {2} of {3}; the file is cut short, so export it again.',
          file,
          start,
          i + 1,
          V,
        ),
      );
    let word: string;
    try {
      word = dec.decode(buf.subarray(start, p));
    } catch {
      throw new VectorFileError(
        l10n.t(
          '{0} byte {1}: word {2} is not valid UTF-8; the file is damaged, so export it again.',
          file,
          start,
          i + 1,
        ),
      );
    }
    p++; // the space
    if (p + dim * 4 > buf.length)
      throw new VectorFileError(
        l10n.t(
          '{0} byte {1}: the vector of "{2}" (word {3} of {4}) needs {5} bytes but only {6} remain; the file is cut short, so export it again.',
          file,
          p,
          word,
          i + 1,
          V,
          dim * 4,
          buf.length - p,
        ),
      );
    const row = new Float32Array(buf.buffer.slice(buf.byteOffset + p, buf.byteOffset + p + dim * 4));
    if (!row.every(Number.isFinite))
      throw new VectorFileError(
        l10n.t(
          '{0} byte {1}: the vector of "{2}" holds a value that is not a finite number; the file is damaged, so export it again.',
          file,
          p,
          word,
        ),
      );
    vecs.set(row, i * dim);
    p += dim * 4;
    words.push(word);
  }
  return new WordVectors(words, dim, vecs);
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

/** Sniffs a file's format: binary if its header line is followed by non-text bytes. */
export function detectFormat(file: string): VectorFormat {
  if (/\.tsv$/i.test(file)) return 'projector';
  const b = readVectorFile(file, 4096);
  const nl = b.indexOf(0x0a);
  const body = b.subarray(nl + 1);
  let ctrl = 0;
  for (const x of body) if (x < 9 || (x > 13 && x < 32)) ctrl++;
  return ctrl > 0 ? 'binary' : 'text';
}

const SOURCE_LABEL = () => ({
  'projector-tsv': l10n.t('Embedding Projector TSV'),
  'word2vec-binary': l10n.t('word2vec binary file'),
  'word2vec-text': l10n.t('word2vec text file'),
});

/** Loads a vector file in any of the three formats, sniffed from its name and bytes. */
export function loadVectorFile(file: string): LoadedVectors {
  const abs = path.resolve(file);
  const format = detectFormat(abs);
  const vectors =
    format === 'projector'
      ? readProjector(abs)
      : format === 'binary'
        ? readWord2vecBinary(abs)
        : readWord2vecText(abs);
  const source =
    format === 'projector' ? 'projector-tsv' : format === 'binary' ? 'word2vec-binary' : 'word2vec-text';
  return {
    vectors,
    summary: { dir: abs, type: 'word2vec', dim: vectors.dim, vocabSize: vectors.size, source },
    kind: 'word2vec',
    label: SOURCE_LABEL()[source],
  };
}

/** Loads vectors from a model folder (its kind's table), a vector file, or a folder holding one. */
export function loadVectors(p: string): LoadedVectors {
  const r = resolveModelPath(p);
  return r.type === 'vectors' ? loadVectorFile(r.file) : r.handler.vectors(r.dir);
}
