// pretrain-lab pretrain bert: a BERT from a corpus, resumable, stopped cleanly by Ctrl-C.
import {
  BERT_PRESETS,
  BERT_RECIPES,
  DEFAULT_PRETRAIN as D,
  isBertPreset,
  type PretrainOptions,
} from '../../shared/configs';
import { pretrainBert, withDefaults } from '../train/pretrainBert';
import { type Args, flag, num, str } from './args';
import type { Command } from './command';
import { progressLine } from './progress';
import { corpusAndOut, presetOption, runStepTraining, STEP_TRAINING_OPTIONS } from './trainCommand';

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
      --sentence-pairs                each input is one sentence and the next (or a random one), not
                                      segments packed to the sequence length (RoBERTa's SENTENCE-PAIR)
      --lr X  --warmup N  --weight-decay X  --clip-norm X  --dropout X  --init-range X
                                      (default: the preset's recipe; tiny: lr ${BERT_RECIPES.tiny.learningRate}, init ${BERT_RECIPES.tiny.initializerRange}, warm-up ${BERT_RECIPES.tiny.warmupFraction * 100}% of the steps)
      --nsp-weight X                  weight of the next-sentence loss (0: masked LM only)
      --checkpoint-every N  --log-every N  --seed N  --max-predictions N
      --fresh                         start over even if --out holds a checkpoint (default: resume)`,
  options: [
    ...STEP_TRAINING_OPTIONS,
    'max-seq-length',
    'max-predictions',
    'vocab-size',
    'min-frequency',
    'vocab',
    'cased',
    'whole-word-mask',
    'sentence-pairs',
    'dropout',
    'init-range',
    'nsp-weight',
  ],
  async run(a: Args, ctx) {
    const out = corpusAndOut(a, 'pretrain');
    const preset = presetOption(a, Object.keys(BERT_PRESETS), isBertPreset);
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
      sentencePairs: flag(a, 'sentence-pairs') || undefined,
      learningRate: num(a, 'lr'),
      warmupSteps: num(a, 'warmup'),
      weightDecay: num(a, 'weight-decay'),
      clipNorm: num(a, 'clip-norm'),
      dropout: num(a, 'dropout'),
      initializerRange: num(a, 'init-range'),
      nspWeight: num(a, 'nsp-weight'),
      checkpointEvery: num(a, 'checkpoint-every'),
      logEvery: num(a, 'log-every'),
      seed: num(a, 'seed'),
      resume: !flag(a, 'fresh'),
    };
    return runStepTraining(a, ctx, 'model', progressLine, (cb) => pretrainBert(withDefaults(opts), cb));
  },
};
