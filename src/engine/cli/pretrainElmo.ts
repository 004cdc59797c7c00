// pretrain-lab pretrain elmo: ELMo's biLM from a corpus, resumable, stopped cleanly by Ctrl-C.
import {
  DEFAULT_ELMO_PRETRAIN as D,
  ELMO_PRESETS,
  type ElmoProgress,
  isElmoPreset,
} from '../../shared/configs';
import { elmoWithDefaults, pretrainElmo } from '../train/tasks/pretrainElmo';
import { type Args, flag, num } from './args';
import type { Command } from './command';
import { corpusAndOut, presetOption, runStepTraining, STEP_TRAINING_OPTIONS } from './trainCommand';

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
  options: [...STEP_TRAINING_OPTIONS, 'max-seq-length', 'max-vocab', 'min-count', 'cased', 'sampled-softmax'],
  async run(a: Args, ctx) {
    const out = corpusAndOut(a, 'pretrain elmo');
    const preset = presetOption(a, Object.keys(ELMO_PRESETS), isElmoPreset);
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
    return runStepTraining(a, ctx, 'ELMo', elmoProgressLine, (cb) => pretrainElmo(opts, cb));
  },
};
