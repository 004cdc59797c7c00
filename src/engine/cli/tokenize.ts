// pretrain-lab tokenize: a text as WordPieces of a vocab.txt or of a model's vocabulary.
import * as path from 'node:path';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { type Args, flag, str, UsageError } from './args';
import type { Command } from './command';

export const tokenizeCommand: Command = {
  name: 'tokenize',
  usage: '  pretrain-lab tokenize (--vocab FILE | --model DIR) [--cased] [--json] "text"',
  options: ['vocab', 'model', 'cased', 'json'],
  async run(a: Args) {
    const model = str(a, 'model');
    const vocabFile = str(a, 'vocab') ?? (model ? path.join(model, 'vocab.txt') : undefined);
    if (!vocabFile) throw new UsageError('tokenize needs --vocab FILE or --model DIR.');
    const tok = new WordPieceTokenizer(Vocab.load(vocabFile), { lowercase: !flag(a, 'cased') });
    const pieces = tok.encode(a.positional.join(' '));
    if (flag(a, 'json'))
      process.stdout.write(`${JSON.stringify(pieces.map((x) => ({ token: x.text, id: x.id })))}\n`);
    else process.stdout.write(`${pieces.map((x) => x.text).join(' ')}\n`);
    return 0;
  },
};
