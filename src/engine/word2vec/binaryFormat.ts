// The original C tool's binary word2vec format (and gensim's layout of it).
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
import { readVectorFile, VectorFileError } from './vectorFile';
import { WordVectors } from './vectors';

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
