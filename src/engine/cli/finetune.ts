// pretrain-lab finetune: a classifier, a sentence-pair classifier or a tagger on a base (a BERT folder,
// the same from scratch, random:<preset>, or a word2vec folder as frozen features), with the base
// fine-tuned, partly frozen or frozen; progress lines, then the dev metrics of the best epoch.
import {
  DEFAULT_FINETUNE as D,
  type FinetuneProgress,
  type FreezeSpec,
  TASK_FAMILIES,
} from '../../shared/finetune';
import { finetune, withFinetuneDefaults } from '../train/tasks/finetune';
import { type Args, choice, count, flag, num, str, UsageError } from './args';
import { type Command, startBackend } from './command';
import { runSeq2seqFinetune, SEQ2SEQ_FINETUNE_USAGE } from './seq2seq';

function freezeOf(a: Args): FreezeSpec | undefined {
  const f = str(a, 'freeze');
  if (f === undefined || f === 'none' || f === 'all') return f;
  const n = Number(f);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--freeze ${f} is not none, all or a number of layers.`);
  return n;
}

function lmWeightOf(a: Args): number | undefined {
  const x = num(a, 'lm-weight');
  if (x !== undefined && !(x >= 0))
    throw new UsageError(
      `--lm-weight ${str(a, 'lm-weight')} is not a weight of 0 or more (0.5 as the paper, 0 for none).`,
    );
  return x;
}

/** `epoch 1/3  step 40/120  loss 0.512  12.3 ex/s` or, at an epoch's end, the dev metrics. */
export function finetuneLine(p: FinetuneProgress): string {
  const head = `epoch ${p.epoch}/${p.epochs}  step ${p.step}/${p.totalSteps}`;
  if (!p.dev)
    return `${head}  loss ${p.trainLoss.toFixed(3)}  lr ${p.learningRate.toExponential(2)}  ${p.examplesPerSecond.toFixed(1)} ex/s`;
  const d = p.dev;
  const ent = d.entity
    ? `  entity_p ${d.entity.precision.toFixed(3)}  entity_r ${d.entity.recall.toFixed(3)}  entity_f1 ${d.entity.f1.toFixed(3)}`
    : '';
  const mix = p.mix
    ? `  mix [${p.mix.weights.map((w) => w.toFixed(3)).join(',')}]  gamma ${p.mix.gamma.toFixed(3)}`
    : '';
  return `${head}  dev_loss ${d.loss.toFixed(3)}  dev_acc ${d.accuracy.toFixed(3)}  dev_macro_f1 ${d.macroF1.toFixed(3)}${ent}${mix}`;
}

export const finetuneCommand: Command = {
  name: 'finetune',
  aliases: ['fine-tune'],
  usage: `  pretrain-lab finetune --task ${TASK_FAMILIES.join('|')} --model <base dir> --train FILE [--dev FILE] --out DIR [options]
      --model DIR                     the base: a BERT folder, a GPT folder, an ELMo folder (feature-based:
                                      a scalar mix of its layers trains), a word2vec folder (frozen word-vector
                                      features), or random:tiny|mini|small|base (fresh weights); --base is an alias
      --lm-weight X                   a GPT base: weight of the auxiliary LM loss (default 0.5; 0 turns it off)
      --from-scratch                  a BERT of the base's config with fresh weights (what pretraining buys)
      --epochs N                      passes over the training set (default ${D.epochs})
      --lr X                          peak learning rate (default ${D.learningRate}; frozen heads like 1e-3)
      --batch-size N                  examples per step (default ${D.batchSize})
      --max-seq-length N              WordPieces (BERT), words (ELMo) or BPE tokens (GPT) per example;
                                      longer ones are cut (default ${D.maxSeqLength})
      --freeze none|all|N             fine-tune all layers, feature-based, or freeze the lowest N (default
                                      none; an ELMo base is feature-based only: all)
      --text-column C --text-b-column C --label-column C   columns of a CSV/TSV with a header
      --seed N  --json                without --dev, 10% of --train is held out
${SEQ2SEQ_FINETUNE_USAGE}`,
  options: [
    'task',
    'base',
    'model',
    'from-scratch',
    'train',
    'dev',
    'out',
    'epochs',
    'lr',
    'batch-size',
    'max-seq-length',
    'freeze',
    'lm-weight',
    'seed',
    'text-column',
    'text-b-column',
    'label-column',
    'json',
    'encoder',
    'decoder',
    'tokenizer',
    'label-smoothing',
    'freeze-encoder',
    'max-source-length',
    'max-target-length',
    'beam',
  ],
  async run(a: Args, ctx) {
    if (str(a, 'task') === 'seq2seq') return runSeq2seqFinetune(a, ctx);
    const task = choice(a, 'task', TASK_FAMILIES);
    const base = str(a, 'model') ?? str(a, 'base');
    const train = str(a, 'train');
    const out = str(a, 'out');
    if (!task) throw new UsageError(`finetune needs --task ${TASK_FAMILIES.join('|')}.`);
    if (!base)
      throw new UsageError('finetune needs --model <base>: a BERT or word2vec model folder, or random:tiny.');
    if (!train) throw new UsageError('finetune needs --train FILE.');
    if (!out) throw new UsageError('finetune needs --out DIR for the fine-tuned model.');
    const columns = {
      text: str(a, 'text-column'),
      textB: str(a, 'text-b-column'),
      label: str(a, 'label-column'),
    };
    const opts = withFinetuneDefaults({
      task,
      baseDir: base,
      fromScratch: flag(a, 'from-scratch') || undefined,
      train,
      dev: str(a, 'dev'),
      outDir: out,
      epochs: str(a, 'epochs') === undefined ? undefined : count(a, 'epochs', D.epochs),
      learningRate: num(a, 'lr'),
      batchSize: str(a, 'batch-size') === undefined ? undefined : count(a, 'batch-size', D.batchSize),
      maxSeqLength: num(a, 'max-seq-length'),
      freeze: freezeOf(a),
      seed: num(a, 'seed'),
      lmWeight: lmWeightOf(a),
      columns: Object.values(columns).some((c) => c !== undefined) ? columns : undefined,
    });
    await startBackend(a);
    const { result: r, stoppedCode } = await ctx.stoppable(
      '\nStopping after this step; the best epoch so far is kept (Ctrl-C again to quit at once)…\n',
      undefined,
      (stopping) =>
        finetune(opts, {
          onLog: (m) => process.stderr.write(`${m}\n`),
          onProgress: (p) => process.stdout.write(`${finetuneLine(p)}\n`),
          shouldStop: stopping,
        }),
    );
    const s = r.summary;
    if (flag(a, 'json')) process.stdout.write(`${JSON.stringify(s)}\n`);
    else
      process.stdout.write(
        `Best epoch ${s.bestEpoch}: dev accuracy ${s.dev.accuracy.toFixed(4)}, macro-F1 ${s.dev.macroF1.toFixed(4)}${s.dev.entity ? `, entity F1 ${s.dev.entity.f1.toFixed(4)}` : ''}; trained ${s.trainedParameters.toLocaleString('en')} of ${s.totalParameters.toLocaleString('en')} parameters in ${s.seconds.toFixed(1)} s; model saved in ${s.dir}.\n`,
      );
    return r.status === 'done' ? 0 : stoppedCode;
  },
};
