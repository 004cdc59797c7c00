// pretrain-lab pretrain bert: a BERT from a corpus, resumable, stopped cleanly by Ctrl-C.
import {
  BERT_PRESETS,
  DEFAULT_PRETRAIN as D,
  isBertPreset,
  type PretrainOptions,
} from '../../shared/configs';
import { pretrainBert, withDefaults } from '../train/pretrainBert';
import { type Args, flag, num, str, UsageError } from './args';
import { type Command, startBackend } from './command';
import { progressLine } from './progress';

const PRESETS = Object.keys(BERT_PRESETS).join('|');

export const pretrainBertCommand: Command = {
  name: 'pretrain bert',
  usage: `  pretrain-lab pretrain bert --corpus <files|folder|glob>... --out <dir> [options]
      --preset ${PRESETS}   model size (default ${D.preset}; a resumed model keeps its own)
      --steps N                       optimizer steps (default ${D.steps})
      --batch-size N                  sequences per step (default ${D.batchSize})
      --max-seq-length N              tokens per sequence (default ${D.maxSeqLength})
      --vocab-size N                  WordPiece vocabulary to train (default ${D.vocabSize})
      --min-frequency N               minimum count of a WordPiece (default ${D.minFrequency})
      --vocab FILE                    use this vocab.txt (e.g. a published BERT one) instead
      --cased                         keep case and accents (default: uncased)
      --whole-word-mask               mask all WordPieces of a word together
      --lr X  --warmup N  --weight-decay X  --clip-norm X  --dropout X  --init-range X
      --checkpoint-every N  --log-every N  --seed N  --max-predictions N
      --fresh                         start over even if --out holds a checkpoint (default: resume)`,
  options: [
    'corpus',
    'out',
    'preset',
    'steps',
    'batch-size',
    'max-seq-length',
    'max-predictions',
    'vocab-size',
    'min-frequency',
    'vocab',
    'cased',
    'whole-word-mask',
    'lr',
    'warmup',
    'weight-decay',
    'clip-norm',
    'dropout',
    'init-range',
    'checkpoint-every',
    'log-every',
    'seed',
    'fresh',
  ],
  async run(a: Args, ctx) {
    const out = str(a, 'out');
    if (a.corpus.length === 0) throw new UsageError('pretrain needs --corpus <files|folder|glob>.');
    if (!out) throw new UsageError('pretrain needs --out <dir> for the model folder.');
    const preset = str(a, 'preset'); // unset: a new model gets the default, a resumed one keeps its own
    if (preset !== undefined && !isBertPreset(preset))
      throw new UsageError(`--preset ${preset} is not one of ${PRESETS.replaceAll('|', ', ')}.`);
    // unset options stay undefined: withDefaults fills them from DEFAULT_PRETRAIN
    const opts: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'> = {
      corpus: a.corpus,
      outDir: out,
      preset,
      steps: num(a, 'steps'),
      batchSize: num(a, 'batch-size'),
      maxSeqLength: num(a, 'max-seq-length'),
      maxPredictionsPerSeq: num(a, 'max-predictions'),
      vocabSize: num(a, 'vocab-size'),
      minFrequency: num(a, 'min-frequency'),
      vocabFile: str(a, 'vocab'),
      lowercase: !flag(a, 'cased'),
      wholeWordMask: flag(a, 'whole-word-mask'),
      learningRate: num(a, 'lr'),
      warmupSteps: num(a, 'warmup'),
      weightDecay: num(a, 'weight-decay'),
      clipNorm: num(a, 'clip-norm'),
      dropout: num(a, 'dropout'),
      initializerRange: num(a, 'init-range'),
      checkpointEvery: num(a, 'checkpoint-every'),
      logEvery: num(a, 'log-every'),
      seed: num(a, 'seed'),
      resume: !flag(a, 'fresh'),
    };
    await startBackend(a);
    const { result: r, stoppedCode } = await ctx.stoppable(
      '\nStopping after this step and writing a checkpoint (Ctrl-C again to quit at once)…\n',
      'Stopped; the last checkpoint on disk is intact.\n',
      (stopping) =>
        pretrainBert(withDefaults(opts), {
          onLog: (m) => process.stderr.write(`${m}\n`),
          onProgress: (pr) => process.stdout.write(`${progressLine(pr)}\n`),
          shouldStop: stopping,
        }),
    );
    process.stdout.write(
      `${r.status === 'done' ? 'Finished' : 'Stopped'} at step ${r.step}; model saved in ${r.summary.dir} (${r.summary.parameters.toLocaleString('en')} parameters).\n`,
    );
    return r.status === 'done' ? 0 : stoppedCode;
  },
};
