// pretrain-lab pretrain elmo: ELMo's biLM from a corpus, resumable, stopped cleanly by Ctrl-C.
import {
  DEFAULT_ELMO_PRETRAIN as D,
  ELMO_PRESETS,
  type ElmoProgress,
  isElmoPreset,
} from '../../shared/configs';
import { elmoWithDefaults, pretrainElmo } from '../train/tasks/pretrainElmo';
import { type Args, flag, num, str, UsageError } from './args';
import { type Command, startBackend } from './command';

const PRESETS = Object.keys(ELMO_PRESETS).join('|');

/** `step 50/500  loss 3.912  fwd_ppl 50.1  bwd_ppl 48.7  2100 tok/s  eta 3m12s` */
export function elmoProgressLine(p: ElmoProgress): string {
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.round(p.etaSeconds)}s` : '?';
  return (
    `step ${p.step}/${p.totalSteps}  loss ${p.loss.toFixed(3)}  fwd_ppl ${p.forwardPerplexity.toFixed(1)}  ` +
    `bwd_ppl ${p.backwardPerplexity.toFixed(1)}  ${Math.round(p.tokensPerSecond)} tok/s  eta ${eta}`
  );
}

export const pretrainElmoCommand: Command = {
  name: 'pretrain elmo',
  usage: `  pretrain-lab pretrain elmo --corpus <files|folder|glob>... --out <dir> [options]
      --preset ${PRESETS}          model size (default ${D.preset}; a resumed model keeps its own)
      --steps N                       optimizer steps (default ${D.steps})
      --batch-size N                  windows per step (default ${D.batchSize})
      --max-seq-length N              tokens per window (default ${D.seqLength})
      --max-vocab N  --min-count N    words kept (default ${D.maxVocab}, seen ${D.minCount}+ times)
      --sampled-softmax N             softmax over N sampled words per step (default 0: all; try 2048 for 50k+ words)
      --cased                         keep case (default: lower-cased); Chinese is one token per character
      --lr X  --warmup N  --weight-decay X  --clip-norm X  --checkpoint-every N  --log-every N  --seed N
      --fresh                         start over even if --out holds a checkpoint (default: resume)`,
  options: [
    'corpus',
    'out',
    'preset',
    'steps',
    'batch-size',
    'max-seq-length',
    'max-vocab',
    'min-count',
    'cased',
    'lr',
    'warmup',
    'weight-decay',
    'clip-norm',
    'checkpoint-every',
    'log-every',
    'seed',
    'fresh',
    'sampled-softmax',
  ],
  async run(a: Args, ctx) {
    const out = str(a, 'out');
    if (a.corpus.length === 0) throw new UsageError('pretrain elmo needs --corpus <files|folder|glob>.');
    if (!out) throw new UsageError('pretrain elmo needs --out <dir> for the model folder.');
    const preset = str(a, 'preset');
    if (preset !== undefined && !isElmoPreset(preset))
      throw new UsageError(`--preset ${preset} is not one of ${PRESETS.replaceAll('|', ', ')}.`);
    const maxVocab = num(a, 'max-vocab');
    const opts = elmoWithDefaults({
      corpus: a.corpus,
      outDir: out,
      preset,
      steps: num(a, 'steps'),
      batchSize: num(a, 'batch-size'),
      seqLength: num(a, 'max-seq-length'),
      maxVocab: maxVocab === 0 ? 1_000_000 : maxVocab, // 0: every word, as word2vec's --max-vocab
      minCount: num(a, 'min-count'),
      sampledSoftmax: num(a, 'sampled-softmax'),
      lowercase: !flag(a, 'cased'),
      learningRate: num(a, 'lr'),
      warmupSteps: num(a, 'warmup'),
      weightDecay: num(a, 'weight-decay'),
      clipNorm: num(a, 'clip-norm'),
      checkpointEvery: num(a, 'checkpoint-every'),
      logEvery: num(a, 'log-every'),
      seed: num(a, 'seed'),
      resume: !flag(a, 'fresh'),
    });
    await startBackend(a);
    const { result: r, stoppedCode } = await ctx.stoppable(
      '\nStopping after this step and writing a checkpoint (Ctrl-C again to quit at once)…\n',
      'Stopped; the last checkpoint on disk is intact.\n',
      (stopping) =>
        pretrainElmo(opts, {
          onLog: (m) => process.stderr.write(`${m}\n`),
          onProgress: (p) => process.stdout.write(`${elmoProgressLine(p)}\n`),
          shouldStop: stopping,
        }),
    );
    process.stdout.write(
      `${r.status === 'done' ? 'Finished' : 'Stopped'} at step ${r.step}; ELMo saved in ${r.summary.dir} (${r.summary.parameters.toLocaleString('en')} parameters).\n`,
    );
    return r.status === 'done' ? 0 : stoppedCode;
  },
};
