// pretrain-lab pretrain gpt: a GPT (byte-level BPE trained on the corpus) from a corpus, resumable,
// stopped cleanly by Ctrl-C; prints loss, perplexity and, at checkpoints, held-out perplexity.
import {
  DEFAULT_GPT_PRETRAIN as D,
  GPT_PRESET_NAMES,
  type GptPretrainOptions,
  type GptProgress,
  isGptPreset,
} from '../../shared/configs';
import { pretrainGpt, withGptDefaults } from '../train/tasks/pretrainGpt';
import { type Args, choice, flag, num } from './args';
import type { Command } from './command';
import { corpusAndOut, presetOption, runStepTraining, STEP_TRAINING_OPTIONS } from './trainCommand';

const PRESETS = GPT_PRESET_NAMES.join('|');

/** `step 50/500  loss 3.012  ppl 20.3  held-out ppl 25.1  2100 tok/s` */
export function gptProgressLine(p: GptProgress): string {
  const held = p.heldOutPerplexity !== undefined ? `  held_out_ppl ${p.heldOutPerplexity.toFixed(2)}` : '';
  return `step ${p.step}/${p.totalSteps}  loss ${p.loss.toFixed(3)}  ppl ${p.perplexity.toFixed(2)}${held}  ${Math.round(p.tokensPerSecond)} tok/s  eta ${Math.round(p.etaSeconds)}s`;
}

export const pretrainGptCommand: Command = {
  name: 'pretrain gpt',
  usage: `  pretrain-lab pretrain gpt --corpus <files|folder|glob>... --out <dir> [options]
      --preset ${PRESETS}        model size (default ${D.preset}; a resumed model keeps its own)
      --norm pre|post                 GPT-2's pre-LN (default) or GPT-1's post-LN blocks
      --steps N                       optimizer steps (default ${D.steps})
      --batch-size N                  token blocks per step (default ${D.batchSize})
      --block-size N                  tokens per block (default ${D.blockSize})
      --vocab-size N                  byte-level BPE vocabulary to train (default ${D.vocabSize})
      --min-frequency N               minimum count of a merged pair (default ${D.minFrequency})
      --lr X  --warmup N  --weight-decay X  --clip-norm X  --dropout X
      --checkpoint-every N  --log-every N  --seed N
      --fresh                         start over even if --out holds a checkpoint (default: resume)`,
  options: [...STEP_TRAINING_OPTIONS, 'norm', 'block-size', 'vocab-size', 'min-frequency', 'dropout'],
  async run(a: Args, ctx) {
    const out = corpusAndOut(a, 'pretrain');
    const preset = presetOption(a, GPT_PRESET_NAMES, isGptPreset);
    const opts: Partial<GptPretrainOptions> & Pick<GptPretrainOptions, 'corpus' | 'outDir'> = {
      corpus: a.corpus,
      outDir: out,
      preset,
      norm: choice(a, 'norm', ['pre', 'post'] as const),
      steps: num(a, 'steps'),
      batchSize: num(a, 'batch-size'),
      blockSize: num(a, 'block-size'),
      vocabSize: num(a, 'vocab-size'),
      minFrequency: num(a, 'min-frequency'),
      learningRate: num(a, 'lr'),
      warmupSteps: num(a, 'warmup'),
      weightDecay: num(a, 'weight-decay'),
      clipNorm: num(a, 'clip-norm'),
      dropout: num(a, 'dropout'),
      checkpointEvery: num(a, 'checkpoint-every'),
      logEvery: num(a, 'log-every'),
      seed: num(a, 'seed'),
      resume: !flag(a, 'fresh'),
    };
    return runStepTraining(a, ctx, 'model', gptProgressLine, (cb) => pretrainGpt(withGptDefaults(opts), cb));
  },
};
