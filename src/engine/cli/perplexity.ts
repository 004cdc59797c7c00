// pretrain-lab perplexity: how well a GPT predicts a text, exp(mean next-token cross-entropy), over
// the files given with --data (documents separated by <|endoftext|>, as in training).
import * as path from 'node:path';
import { requireCapability } from '../analysis/loadedModel';
import { folderKind, openModel } from '../checkpoint/registry';
import { emptyStats, resolveCorpus } from '../data/corpus';
import { tokenizeCorpus } from '../data/lmBatches';
import { type Args, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';

export const perplexityCommand: Command = {
  name: 'perplexity',
  usage: '  pretrain-lab perplexity --model <gpt dir> --data <files|folder|glob> [--json]',
  options: ['model', 'data', 'json'],
  async run(a: Args) {
    const model = str(a, 'model');
    const data = str(a, 'data');
    if (!model) throw new UsageError('perplexity needs --model <gpt dir>.');
    if (!data) throw new UsageError('perplexity needs --data <files|folder|glob> with the text to score.');
    const { files } = resolveCorpus([data]);
    if (files.length === 0)
      throw new UsageError(`No text files found at ${data}; give a file, a folder or a glob with --data.`);
    const dir = path.resolve(model);
    folderKind(dir);
    await startBackend(a, true);
    const loaded = openModel(dir);
    try {
      const lm = requireCapability(loaded, 'generate');
      if (!lm.nll) throw new Error(`${dir} cannot score text; give a GPT folder with --model.`);
      const ids = await tokenizeCorpus(files, lm.tokenizer, emptyStats());
      if (ids.length < 2) throw new Error(`${data} holds fewer than two tokens of text; give a longer text.`);
      const { sum, count } = lm.nll(ids);
      const perplexity = Math.exp(sum / count);
      if (flag(a, 'json')) process.stdout.write(`${JSON.stringify({ perplexity, tokens: count })}\n`);
      else process.stdout.write(`perplexity ${perplexity.toFixed(3)} over ${count} tokens\n`);
    } finally {
      loaded.dispose();
    }
    return 0;
  },
};
