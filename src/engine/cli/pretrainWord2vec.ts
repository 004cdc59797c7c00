// pretrain-lab pretrain word2vec: word vectors from a corpus, resumable from the last finished epoch.
import { DEFAULT_WORD2VEC as D } from '../../shared/configs';
import { withW2vDefaults } from '../word2vec/options';
import { pretrainWord2vec } from '../word2vec/train';
import { type Args, choice, flag, given, num } from './args';
import type { Command } from './command';
import { w2vProgressLine } from './progress';
import { corpusAndOut, printingCallbacks } from './trainCommand';

export const pretrainWord2vecCommand: Command = {
  name: 'pretrain word2vec',
  usage: `  pretrain-lab pretrain word2vec --corpus <files|folder|glob>... --out <dir> [options]
      --algo skipgram|cbow (${D.algo})   --dim N (${D.dim})   --window N (${D.window})   --negative N (${D.negative})   --hs
      --sample X (${D.sample})   --min-count N (${D.minCount})   --max-vocab N (${D.maxVocab} = all)   --epochs N (${D.epochs})
      --threads N (${D.threads})   --alpha X (${D.alpha})   --min-alpha X (${D.minAlpha})   --cbow-sum   --seed N (${D.seed})
      --tokenize words|whitespace (${D.tokenization})   --chinese chars|words (${D.chinese}; words: Intl.Segmenter)
      --cased   --fresh`,
  options: [
    'corpus',
    'out',
    'algo',
    'dim',
    'window',
    'negative',
    'hs',
    'sample',
    'min-count',
    'max-vocab',
    'epochs',
    'threads',
    'alpha',
    'min-alpha',
    'cbow-sum',
    'seed',
    'tokenize',
    'chinese',
    'cased',
    'fresh',
  ],
  async run(a: Args, ctx) {
    const out = corpusAndOut(a, 'pretrain word2vec');
    // unset options stay undefined: withW2vDefaults fills them from DEFAULT_WORD2VEC
    const opts = withW2vDefaults({
      corpus: a.corpus,
      outDir: out,
      algo: choice(a, 'algo', ['skipgram', 'cbow'] as const),
      dim: num(a, 'dim'),
      window: num(a, 'window'),
      negative: num(a, 'negative'),
      hs: flag(a, 'hs') || undefined,
      sample: num(a, 'sample'),
      minCount: num(a, 'min-count'),
      maxVocab: num(a, 'max-vocab'),
      epochs: num(a, 'epochs'),
      threads: num(a, 'threads'),
      alpha: num(a, 'alpha'),
      minAlpha: num(a, 'min-alpha'),
      cbowMean: flag(a, 'cbow-sum') ? false : undefined,
      seed: num(a, 'seed'),
      tokenization: choice(a, 'tokenize', ['words', 'whitespace'] as const),
      chinese: choice(a, 'chinese', ['chars', 'words'] as const),
      lowercase: flag(a, 'cased') ? false : undefined,
      resume: !flag(a, 'fresh'),
    });
    if (opts.hs && given(a, 'negative')) process.stderr.write('--hs given: --negative is ignored.\n');
    const { result: r, stoppedCode } = await ctx.stoppable(
      '\nStopping; the checkpoint of the last finished epoch is kept (Ctrl-C again to quit at once)…\n',
      undefined,
      (stopping) => pretrainWord2vec(opts, printingCallbacks(w2vProgressLine, stopping)),
    );
    process.stdout.write(
      `${r.status === 'done' ? 'Finished' : 'Stopped'} after epoch ${r.epochsDone}; ${r.summary.vocabSize.toLocaleString('en')} words × ${r.summary.dim} dimensions in ${r.summary.dir}.\n`,
    );
    return r.status === 'done' ? 0 : stoppedCode;
  },
};
