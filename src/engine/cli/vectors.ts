// Questions to any word vectors (a model folder, a word2vec text/binary file, a fastText .vec, an
// Embedding Projector vectors.tsv): neighbours, analogy, similarity, doesnt-match, and export-vectors.
import { DEFAULT_ANALYSIS, type Neighbour } from '../../shared/configs';
import { loadVectors, writeProjector, writeWord2vecBinary, writeWord2vecText } from '../word2vec/formats';
import type { WordVectors } from '../word2vec/vectors';
import { type Args, choice, count, flag, str, UsageError } from './args';
import type { Command } from './command';

function vectorsFor(a: Args, cmd: string): WordVectors {
  const model = str(a, 'model');
  if (!model) throw new UsageError(`${cmd} needs --model <dir|file>.`);
  return loadVectors(model).vectors;
}

function printNeighbours(list: Neighbour[], json: boolean, key = 'neighbours'): void {
  if (json) process.stdout.write(`${JSON.stringify({ [key]: list })}\n`);
  else for (const n of list) process.stdout.write(`${n.word.padEnd(20)} ${n.score.toFixed(4)}\n`);
}

const topK = (a: Args) => count(a, 'top-k', DEFAULT_ANALYSIS.topK);

export const neighboursCommand: Command = {
  name: 'neighbours',
  aliases: ['neighbors'],
  usage: '  pretrain-lab neighbours --model <dir|file> [--top-k N] [--json] WORD',
  options: ['model', 'top-k', 'json'],
  async run(a: Args) {
    const word = a.positional.join(' ');
    if (!word) throw new UsageError('neighbours needs a word: pretrain-lab neighbours --model m WORD.');
    const k = topK(a);
    printNeighbours(vectorsFor(a, 'neighbours').neighbours(word, k), flag(a, 'json'));
    return 0;
  },
};

export const analogyCommand: Command = {
  name: 'analogy',
  usage:
    '  pretrain-lab analogy --model <dir|file> [--method add|mul] [--top-k N] [--json] A B C   (A − B + C)',
  options: ['model', 'method', 'top-k', 'json'],
  async run(a: Args) {
    const [x, y, z] = a.positional;
    if (!z || a.positional.length > 3)
      throw new UsageError(
        'analogy needs three words A B C (A − B + C), e.g. pretrain-lab analogy --model m king man woman.',
      );
    const method = choice(a, 'method', ['add', 'mul'] as const) ?? DEFAULT_ANALYSIS.analogyMethod;
    const k = topK(a);
    printNeighbours(vectorsFor(a, 'analogy').analogy(x, y, z, k, method), flag(a, 'json'), 'answers');
    return 0;
  },
};

export const similarityCommand: Command = {
  name: 'similarity',
  usage: '  pretrain-lab similarity --model <dir|file> [--json] WORD1 WORD2',
  options: ['model', 'json'],
  async run(a: Args) {
    const [x, y] = a.positional;
    if (!y) throw new UsageError('similarity needs two words.');
    const s = vectorsFor(a, 'similarity').similarity(x, y);
    process.stdout.write(flag(a, 'json') ? `${JSON.stringify({ similarity: s })}\n` : `${s.toFixed(4)}\n`);
    return 0;
  },
};

export const doesntMatchCommand: Command = {
  name: 'doesnt-match',
  usage: '  pretrain-lab doesnt-match --model <dir|file> [--json] WORD WORD WORD...',
  options: ['model', 'json'],
  async run(a: Args) {
    const r = vectorsFor(a, 'doesnt-match').doesntMatch(a.positional);
    process.stdout.write(flag(a, 'json') ? `${JSON.stringify(r)}\n` : `${r.word}\n`);
    return 0;
  },
};

export const exportVectorsCommand: Command = {
  name: 'export-vectors',
  usage: '  pretrain-lab export-vectors --model <dir|file> --format text|binary|projector --out <file|dir>',
  options: ['model', 'format', 'out'],
  async run(a: Args) {
    const format = choice(a, 'format', ['text', 'binary', 'projector'] as const);
    const out = str(a, 'out');
    if (!format || !out)
      throw new UsageError('export-vectors needs --format text|binary|projector and --out.');
    const v = vectorsFor(a, 'export-vectors');
    if (format === 'text') writeWord2vecText(out, v);
    else if (format === 'binary') writeWord2vecBinary(out, v);
    else writeProjector(out, v);
    process.stdout.write(`Wrote ${v.size.toLocaleString('en')} vectors of ${v.dim} dimensions to ${out}.\n`);
    return 0;
  },
};
