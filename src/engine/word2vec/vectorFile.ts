// What every word-vector format shares: the error type, reading a file's bytes, float formatting.
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';

export class VectorFileError extends Error {
  override name = 'VectorFileError'; // kept across the worker channel (src/shared/rpc.ts)
}

/** A vector file's bytes; a folder in its place or a read error is one sentence. */
export function readVectorFile(file: string, bytes?: number): Buffer {
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
export function fmt(x: number): string {
  return Object.is(x, -0) ? '-0' : Number(x.toPrecision(9)).toString();
}
