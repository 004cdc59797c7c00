// pretrain-lab vocab: a WordPiece vocab.txt trained on a corpus.
import * as fs from 'node:fs';
import { DEFAULT_PRETRAIN } from '../../shared/configs';
import { countWords } from '../data/batches';
import { emptyStats, resolveCorpus } from '../data/corpus';
import { BasicTokenizer } from '../tokenizer/basic';
import { trainWordPieceVocab } from '../tokenizer/trainer';
import { type Args, flag, num, str, UsageError } from './args';
import type { Command } from './command';

export const vocabCommand: Command = {
  name: 'vocab',
  usage: `  pretrain-lab vocab --corpus <...> --out vocab.txt [--vocab-size N (${DEFAULT_PRETRAIN.vocabSize})] [--min-frequency N (${DEFAULT_PRETRAIN.minFrequency})] [--cased]`,
  options: ['corpus', 'out', 'vocab-size', 'min-frequency', 'cased'],
  async run(a: Args) {
    const out = str(a, 'out');
    if (a.corpus.length === 0 || !out)
      throw new UsageError('vocab needs --corpus <...> and --out vocab.txt.');
    const { files } = resolveCorpus(a.corpus);
    if (files.length === 0)
      throw new Error(
        `No corpus files found at ${a.corpus.join(', ')}; give text files, a folder or a glob.`,
      );
    const basic = new BasicTokenizer({ lowercase: !flag(a, 'cased') });
    const counts = await countWords(files, (s) => basic.tokenize(s), emptyStats());
    const vocab = trainWordPieceVocab(counts, {
      vocabSize: num(a, 'vocab-size') ?? DEFAULT_PRETRAIN.vocabSize,
      minFrequency: num(a, 'min-frequency') ?? DEFAULT_PRETRAIN.minFrequency,
    });
    fs.writeFileSync(out, vocab.serialize());
    process.stdout.write(`Wrote ${vocab.size} tokens to ${out}.\n`);
    return 0;
  },
};
