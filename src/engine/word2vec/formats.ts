import * as path from 'node:path';
import { l10n } from '../../shared/l10nCore';
import { resolveModelPath } from '../checkpoint/registry';
import { readWord2vecBinary } from './binaryFormat';
import { readProjector } from './projectorFormat';
import { readWord2vecText } from './textFormat';
import { readVectorFile, type VectorFormat } from './vectorFile';
import type { LoadedVectors } from './vectors';

export { readWord2vecBinary, writeWord2vecBinary } from './binaryFormat';
export { readProjector, writeProjector } from './projectorFormat';
export { readWord2vecText, writeWord2vecText } from './textFormat';
export { VectorFileError, type VectorFormat } from './vectorFile';

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
