// pretrain-lab finetune --task seq2seq (a BERT encoder with a BERT, GPT or random decoder, Rothe et al.
// 2020) and pretrain-lab rewrite (a seq2seq model's output for a text, greedy or beam search).
import * as fs from 'node:fs';
import { DEFAULT_SEQ2SEQ as D, DEFAULT_REWRITE, type Seq2seqProgress } from '../../shared/configs/seq2seq';
import { rewrite } from '../analysis/seq2seqDecode';
import { codecs, loadSeq2seqFolder } from '../checkpoint/seq2seq';
import { onnxSeq2seqTwin } from '../onnx/seq2seq';
import { finetuneSeq2seq, withSeq2seqDefaults } from '../train/tasks/finetuneSeq2seq';
import { type Args, count, flag, num, str, UsageError } from './args';
import { type CliContext, type Command, startBackend } from './command';

/** `epoch 1/3  step 40/120  loss 2.512` or, at an epoch's end, the dev loss, BLEU and exact match. */
export function seq2seqLine(p: Seq2seqProgress): string {
  const head = `epoch ${p.epoch}/${p.epochs}  step ${p.step}/${p.totalSteps}`;
  if (!p.dev)
    return `${head}  loss ${p.trainLoss.toFixed(3)}  lr ${p.learningRate.toExponential(2)}  ${p.tokensPerSecond.toFixed(0)} tok/s`;
  const d = p.dev;
  const ex = d.examples[0]
    ? `  e.g. ${JSON.stringify(d.examples[0].source)} → ${JSON.stringify(d.examples[0].output)}`
    : '';
  return `${head}  dev_loss ${d.loss.toFixed(3)}  dev_bleu ${d.bleu.toFixed(2)}  dev_chrf ${d.chrf.toFixed(2)}  dev_exact ${d.exactMatch.toFixed(3)}${ex}`;
}

export const SEQ2SEQ_FINETUNE_USAGE = `  pretrain-lab finetune --task seq2seq --encoder <BERT dir|random> --decoder <BERT dir|GPT dir|random> --train FILE [--dev FILE] --out DIR
      --tokenizer <BERT dir>          shape and tokenizer of a random half when the other is random too
      --train/--dev                   JSONL {"source","target"}, TSV source<TAB>target, or src.txt,tgt.txt
      --epochs N --lr X --batch-size N   (defaults ${D.epochs}, ${D.learningRate}, ${D.batchSize})
      --label-smoothing X             (default ${D.labelSmoothing})  --freeze-encoder
      --max-source-length N --max-target-length N   tokens; longer pairs are cut (default ${D.maxSourceLength})
      --beam N                        decoding of dev outputs for BLEU (default 1: greedy)`;

/** Runs from `finetune` when --task is seq2seq. */
export async function runSeq2seqFinetune(a: Args, ctx: CliContext): Promise<number> {
  const encoder = str(a, 'encoder') ?? str(a, 'base');
  const decoder = str(a, 'decoder');
  const train = str(a, 'train');
  const out = str(a, 'out');
  if (!encoder) throw new UsageError('finetune --task seq2seq needs --encoder <BERT model folder|random>.');
  if (!decoder)
    throw new UsageError('finetune --task seq2seq needs --decoder <BERT or GPT model folder|random>.');
  if (!train) throw new UsageError('finetune needs --train FILE.');
  if (!out) throw new UsageError('finetune needs --out DIR for the model.');
  const ls = num(a, 'label-smoothing');
  if (ls !== undefined && !(ls >= 0 && ls < 1))
    throw new UsageError(`--label-smoothing ${ls} must be at least 0 and below 1.`);
  const opts = withSeq2seqDefaults({
    encoder,
    decoder,
    tokenizer: str(a, 'tokenizer'),
    train,
    dev: str(a, 'dev'),
    outDir: out,
    epochs: str(a, 'epochs') === undefined ? undefined : count(a, 'epochs', D.epochs),
    learningRate: num(a, 'lr'),
    batchSize: str(a, 'batch-size') === undefined ? undefined : count(a, 'batch-size', D.batchSize),
    labelSmoothing: ls,
    freezeEncoder: flag(a, 'freeze-encoder'),
    maxSourceLength: num(a, 'max-source-length'),
    maxTargetLength: num(a, 'max-target-length'),
    devBeamSize: num(a, 'beam'),
    seed: num(a, 'seed'),
  });
  const json = flag(a, 'json');
  await startBackend(a, json);
  const { result: s, stoppedCode } = await ctx.stoppable(
    '\nStopping after this step; the best epoch so far is kept (Ctrl-C again to quit at once)…\n',
    undefined,
    (stopping) =>
      finetuneSeq2seq(opts, {
        onLog: (m) => process.stderr.write(`${m}\n`),
        onProgress: (p) => {
          if (!json) process.stdout.write(`${seq2seqLine(p)}\n`);
        },
        shouldStop: stopping,
      }),
  );
  if (json) process.stdout.write(`${JSON.stringify(s)}\n`);
  else
    process.stdout.write(
      `Best epoch ${s.bestEpoch}: dev BLEU ${s.dev?.bleu.toFixed(2) ?? '–'}, chrF ${s.dev?.chrf.toFixed(2) ?? '–'}, exact match ${s.dev?.exactMatch.toFixed(3) ?? '–'}, dev loss ${s.dev?.loss.toFixed(3) ?? '–'} in ${s.seconds.toFixed(1)} s; model saved in ${s.dir}.\n`,
    );
  return s.status === 'done' ? 0 : stoppedCode;
}

export const rewriteCommand: Command = {
  name: 'rewrite',
  usage: `  pretrain-lab rewrite --model <seq2seq dir> [--beam N] [--length-penalty X] [--max-length N] [--json] "source text" | --input FILE
      greedy with --beam 1; --json prints {"text", "beams": [{"text", "score"}]} (one line per input)`,
  options: ['model', 'beam', 'length-penalty', 'max-length', 'input', 'json'],
  async run(a: Args) {
    const dir = str(a, 'model');
    if (!dir) throw new UsageError('rewrite needs --model <seq2seq model folder>.');
    const input = str(a, 'input');
    const texts = input
      ? fs
          .readFileSync(input, 'utf8')
          .split(/\r?\n/)
          .filter((l) => l.trim())
      : [a.positional.join(' ')];
    if (!input && !texts[0].trim()) throw new UsageError('rewrite needs a source text (or --input FILE).');
    const json = flag(a, 'json');
    await startBackend(a, true);
    const f = loadSeq2seqFolder(dir);
    const onnx = onnxSeq2seqTwin(f.model);
    try {
      const { src, tgt } = codecs(f.tokenizers);
      for (const text of texts) {
        const r = await rewrite(f.model, src, tgt, text, {
          beamSize: num(a, 'beam') ?? DEFAULT_REWRITE.beamSize,
          lengthPenalty: num(a, 'length-penalty') ?? DEFAULT_REWRITE.lengthPenalty,
          maxLength: num(a, 'max-length') ?? Math.min(DEFAULT_REWRITE.maxLength, f.config.maxTargetLength),
          maxSourceLength: f.config.maxSourceLength,
          onnx,
        });
        if (r.sourceCut) process.stderr.write(`The source was cut to ${f.config.maxSourceLength} tokens.\n`);
        process.stdout.write(json ? `${JSON.stringify({ text: r.text, beams: r.beams })}\n` : `${r.text}\n`);
      }
    } finally {
      onnx?.dispose();
      f.model.dispose();
    }
    return 0;
  },
};
