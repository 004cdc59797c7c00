// Pretrains GPT on a corpus, as a task of the training loop (train/loop.ts): this file trains (or, when
// resuming, reads) the byte-level BPE tokenizer, builds or resumes the model and optimizer, and supplies
// the contiguous token blocks, the next-token loss, the metrics (loss, perplexity, held-out perplexity
// at each checkpoint) and the checkpoint writer. The output folder is claimed first (outDir.ts).
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_GPT_PRETRAIN,
  GPT_PRESETS,
  type GptConfig,
  type GptPretrainOptions,
  type GptProgress,
  isGptPreset,
  type ModelSummary,
} from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import {
  disposeGptFolder,
  GPT_FORMAT,
  GPT_FORMAT_VERSION,
  type GptConfigFile,
  loadGptFolder,
  saveGptCheckpoint,
  summariseGpt,
  writeGptHeader,
} from '../../checkpoint/gpt';
import { checkpointDir } from '../../checkpoint/modelFolder';
import { emptyStats } from '../../data/corpus';
import { countCorpusPieces, type LmBatch, LmData, tokenizeCorpus } from '../../data/lmBatches';
import { Gpt, gptDecays } from '../../models/gpt';
import { Rng } from '../../random';
import type { BpeTokenizer } from '../../tokenizer/bpe';
import { PieceCounter, trainBpe } from '../../tokenizer/bpeTrainer';
import type { LoopProgress, LoopTask } from '../loop';
import { claimOutDir, type ExistingModel } from '../outDir';
import { Trainer } from '../trainer';
import {
  checkPositive,
  continueRun,
  corpusFiles,
  type PretrainCallbacksOf,
  type PretrainResultOf,
  restoreTrainer,
  runPretraining,
  withDefaultsOf,
} from './common';

export type GptPretrainCallbacks = PretrainCallbacksOf<GptProgress>;
export type GptPretrainResult = PretrainResultOf<ModelSummary, GptProgress>;

export function withGptDefaults(
  o: Partial<GptPretrainOptions> & Pick<GptPretrainOptions, 'corpus' | 'outDir'>,
): GptPretrainOptions {
  return withDefaultsOf(DEFAULT_GPT_PRETRAIN, o);
}

const POSITIVE = (): [keyof GptPretrainOptions, string][] => [
  ['steps', l10n.t('The number of steps (--steps)')],
  ['batchSize', l10n.t('The batch size (--batch-size)')],
  ['blockSize', l10n.t('The block size (--block-size)')],
  ['learningRate', l10n.t('The learning rate (--lr)')],
  ['checkpointEvery', l10n.t('The checkpoint interval (--checkpoint-every)')],
  ['logEvery', l10n.t('The log interval (--log-every)')],
];

function checkOptions(o: GptPretrainOptions): void {
  if (!isGptPreset(o.preset))
    throw new Error(l10n.t('The preset (--preset) {0} is not one of tiny, mini, small.', o.preset));
  checkPositive(o, POSITIVE());
  if (!(o.vocabSize >= 257 && o.vocabSize <= 100_000))
    throw new Error(
      l10n.t(
        'The vocabulary size (--vocab-size) must be from 257 (the bytes and <|endoftext|>) to 100,000, got {0}.',
        o.vocabSize,
      ),
    );
  if (!(o.heldOutShare >= 0 && o.heldOutShare < 0.5))
    throw new Error(l10n.t('The held-out share must be from 0 to 0.5, got {0}.', o.heldOutShare));
}

/** Next-token prediction as the loop sees it: blocks in, mean cross-entropy out. */
function lmTask(model: Gpt, data: LmData, rng: Rng): LoopTask<LmBatch> {
  return {
    batches: data.batches(),
    loss(b) {
      const seed = rng.seed();
      return () => {
        const ids = tf.tensor2d(b.inputs, [b.batchSize, b.blockSize], 'int32');
        const targets = tf.tensor2d(b.targets, [b.batchSize, b.blockSize], 'int32');
        return { loss: model.loss(ids, targets, { training: true, seed }), metrics: {} };
      };
    },
    tokens: (b) => b.batchSize * b.blockSize,
    stepMetrics: (_b, r) => ({ loss: r.loss }),
    windowMetrics: (s, steps) => ({ loss: s.loss / steps }),
  };
}

/** Mean next-token loss over the held-out blocks, as a perplexity; undefined without held-out text. */
export function heldOutPerplexity(model: Gpt, data: LmData): number | undefined {
  const batches = data.heldOutBatches();
  if (batches.length === 0) return undefined;
  let sum = 0;
  let n = 0;
  for (const b of batches) {
    const l = tf.tidy(() =>
      model.loss(
        tf.tensor2d(b.inputs, [b.batchSize, b.blockSize], 'int32'),
        tf.tensor2d(b.targets, [b.batchSize, b.blockSize], 'int32'),
      ),
    );
    sum += l.dataSync()[0] * b.batchSize;
    n += b.batchSize;
    l.dispose();
  }
  return Math.exp(sum / n);
}

export async function pretrainGpt(
  o: GptPretrainOptions,
  cb: GptPretrainCallbacks = {},
): Promise<GptPretrainResult> {
  checkOptions(o);
  const log = (m: string) => cb.onLog?.(m);
  const files = corpusFiles(o.corpus, log);
  const claim = claimOutDir('gpt', o.outDir, log);
  let model: Gpt | undefined;
  let trainer: Trainer | undefined;
  try {
    const dir = claim.dir;
    const resuming = o.resume && claim.existing !== undefined && checkpointDir(dir) !== undefined;
    const replaced = resuming ? undefined : claim.existing;
    if (replaced) log(l10n.t('Starting over: this replaces {0}.', replaced.description));
    const rng = new Rng(o.seed);
    let cfg: GptConfigFile;
    let tok: BpeTokenizer;
    if (resuming) {
      const f = loadGptFolder(dir, { withOptimizer: true });
      try {
        cfg = f.config;
        tok = f.tokenizer;
        if (cfg.preset && cfg.preset !== o.preset && o.preset !== DEFAULT_GPT_PRETRAIN.preset)
          log(l10n.t("Resuming keeps the model's own preset {0}.", cfg.preset));
        model = new Gpt({ ...cfg.gpt, dropout: o.dropout ?? cfg.gpt.dropout }, { weights: f.weights });
        trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays: gptDecays });
        restoreTrainer(trainer, f);
        continueRun(dir, trainer.step, f.state, rng, log);
      } finally {
        disposeGptFolder(f);
      }
    } else {
      const base = GPT_PRESETS[o.preset];
      if (o.blockSize > base.maxPositions)
        throw new Error(
          l10n.t(
            'The block size (--block-size) {0} exceeds the {1} positions of the {2} preset; use at most {1}.',
            o.blockSize,
            base.maxPositions,
            o.preset,
          ),
        );
      const counter = new PieceCounter();
      const t0 = Date.now();
      await countCorpusPieces(files, counter, emptyStats(), cb.shouldStop);
      tok = trainBpe(counter.counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
      log(
        l10n.t(
          'Tokenizer: {0} byte-level BPE tokens ({1} merges) in {2} ms.',
          tok.size,
          tok.merges.length,
          Date.now() - t0,
        ),
      );
      const gpt: GptConfig = {
        ...base,
        vocabSize: tok.size,
        norm: o.norm ?? base.norm,
        dropout: o.dropout ?? base.dropout,
      };
      cfg = {
        format: GPT_FORMAT,
        formatVersion: GPT_FORMAT_VERSION,
        modelType: 'gpt',
        preset: o.preset,
        gpt,
        tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
        corpus: o.corpus,
        createdAt: new Date().toISOString(),
      };
      model = new Gpt(gpt, { seed: o.seed });
      trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays: gptDecays });
    }
    if (o.blockSize > cfg.gpt.maxPositions)
      throw new Error(
        l10n.t(
          "The block size (--block-size) {0} exceeds the model's {1} positions; use at most {1}.",
          o.blockSize,
          cfg.gpt.maxPositions,
        ),
      );
    const stats = emptyStats();
    const ids = await tokenizeCorpus(files, tok, stats, cb.shouldStop);
    const data = new LmData(ids, o.blockSize, o.batchSize, o.heldOutShare, rng);
    log(
      l10n.t(
        'Corpus: {0} tokens, {1} held out for perplexity.',
        ids.length.toLocaleString('en'),
        data.heldOut.length.toLocaleString('en'),
      ),
    );
    if (!resuming) {
      claim.clearForFresh();
      writeGptHeader(dir, cfg, tok);
    }
    return await run(o, dir, { model, trainer, data, rng, cfg, replaced }, cb);
  } finally {
    model?.dispose();
    trainer?.dispose();
    claim.release();
  }
}

interface Setup {
  model: Gpt;
  trainer: Trainer;
  data: LmData;
  rng: Rng;
  cfg: GptConfigFile;
  replaced?: ExistingModel;
}

async function run(
  o: GptPretrainOptions,
  dir: string,
  s: Setup,
  cb: GptPretrainCallbacks,
): Promise<GptPretrainResult> {
  const { model, data } = s;
  let heldOut: number | undefined; // at the last checkpoint, reported with each step after it
  const r = await runPretraining({
    dir,
    task: lmTask(model, data, s.rng),
    o,
    preset: s.cfg.preset,
    model,
    trainer: s.trainer,
    rng: s.rng,
    save: (names, c) => saveGptCheckpoint(dir, names, c),
    beforeSave: (last) => {
      heldOut = heldOutPerplexity(model, data);
      return last && heldOut !== undefined ? { ...last, heldOutPerplexity: heldOut } : last;
    },
    afterSave: () => {
      if (heldOut !== undefined)
        cb.onLog?.(
          l10n.t('Checkpoint at step {0}: held-out perplexity {1}.', s.trainer.step, heldOut.toFixed(2)),
        );
    },
    progress: (p: LoopProgress): GptProgress => ({
      step: p.step,
      totalSteps: p.totalSteps,
      loss: p.metrics.loss,
      perplexity: Math.exp(p.metrics.loss),
      ...(heldOut !== undefined ? { heldOutPerplexity: heldOut } : {}),
      learningRate: p.learningRate,
      tokensPerSecond: p.tokensPerSecond,
      etaSeconds: p.etaSeconds,
      elapsedSeconds: p.elapsedSeconds,
    }),
    onProgress: (p) => cb.onProgress?.(p),
    shouldStop: cb.shouldStop,
  });
  return {
    status: r.status,
    step: r.lastGood?.step ?? 0,
    summary: summariseGpt(dir),
    lastProgress: r.lastProgress,
    replaced: s.replaced,
  };
}
