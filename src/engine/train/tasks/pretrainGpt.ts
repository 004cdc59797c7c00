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
import {
  appendGptMetrics,
  disposeGptFolder,
  GPT_FORMAT,
  GPT_FORMAT_VERSION,
  type GptConfigFile,
  type GptTrainerState,
  gptCheckpointDir,
  keepGptMetricsUpTo,
  loadGptFolder,
  saveGptCheckpoint,
  summariseGpt,
  writeGptHeader,
} from '../../checkpoint/gpt';
import { emptyStats, resolveCorpus } from '../../data/corpus';
import { countCorpusPieces, type LmBatch, LmData, tokenizeCorpus } from '../../data/lmBatches';
import { Gpt, gptDecays } from '../../models/gpt';
import { Rng } from '../../random';
import type { BpeTokenizer } from '../../tokenizer/bpe';
import { PieceCounter, trainBpe } from '../../tokenizer/bpeTrainer';
import { type LoopProgress, type LoopTask, trainLoop } from '../loop';
import { claimOutDir, type ExistingModel } from '../outDir';
import { learningRateAt } from '../schedule';
import { Trainer } from '../trainer';

export interface GptPretrainCallbacks {
  onProgress?(p: GptProgress): void;
  onLog?(message: string): void;
  shouldStop?(): boolean;
}

export interface GptPretrainResult {
  status: 'done' | 'cancelled';
  step: number;
  summary: ModelSummary;
  lastProgress?: GptProgress;
  replaced?: ExistingModel;
}

export function withGptDefaults(
  o: Partial<GptPretrainOptions> & Pick<GptPretrainOptions, 'corpus' | 'outDir'>,
): GptPretrainOptions {
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_GPT_PRETRAIN, ...given } as GptPretrainOptions;
}

const POSITIVE: Partial<Record<keyof GptPretrainOptions, string>> = {
  steps: 'The number of steps (--steps)',
  batchSize: 'The batch size (--batch-size)',
  blockSize: 'The block size (--block-size)',
  learningRate: 'The learning rate (--lr)',
  checkpointEvery: 'The checkpoint interval (--checkpoint-every)',
  logEvery: 'The log interval (--log-every)',
};

function checkOptions(o: GptPretrainOptions): void {
  if (!isGptPreset(o.preset))
    throw new Error(`The preset (--preset) ${o.preset} is not one of tiny, mini, small.`);
  for (const [k, name] of Object.entries(POSITIVE)) {
    const v = o[k as keyof GptPretrainOptions];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new Error(`${name} must be a positive number, got ${v}.`);
  }
  if (!(o.vocabSize >= 257 && o.vocabSize <= 100_000))
    throw new Error(
      `The vocabulary size (--vocab-size) must be from 257 (the bytes and <|endoftext|>) to 100,000, got ${o.vocabSize}.`,
    );
  if (!(o.heldOutShare >= 0 && o.heldOutShare < 0.5))
    throw new Error(`The held-out share must be from 0 to 0.5, got ${o.heldOutShare}.`);
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
  const { files, missing } = resolveCorpus(o.corpus);
  if (files.length === 0) {
    const what = o.corpus.length ? o.corpus.join(', ') : '(nothing given)';
    throw new Error(`No corpus files found at ${what}; give text files, a folder or a glob with --corpus.`);
  }
  if (missing.length) log(`Not found, ignored: ${missing.join(', ')}`);
  const claim = claimOutDir('gpt', o.outDir, log);
  let model: Gpt | undefined;
  let trainer: Trainer | undefined;
  try {
    const dir = claim.dir;
    const resuming = o.resume && claim.existing !== undefined && gptCheckpointDir(dir) !== undefined;
    const replaced = resuming ? undefined : claim.existing;
    if (replaced) log(`Starting over: this replaces ${replaced.description}.`);
    const rng = new Rng(o.seed);
    let cfg: GptConfigFile;
    let tok: BpeTokenizer;
    if (resuming) {
      const f = loadGptFolder(dir, { withOptimizer: true });
      try {
        cfg = f.config;
        tok = f.tokenizer;
        if (cfg.preset && cfg.preset !== o.preset && o.preset !== DEFAULT_GPT_PRETRAIN.preset)
          log(`Resuming keeps the model's own preset ${cfg.preset}.`);
        model = new Gpt({ ...cfg.gpt, dropout: o.dropout ?? cfg.gpt.dropout }, { weights: f.weights });
        trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays: gptDecays });
        if (f.optimizer) {
          for (const [n, t] of f.optimizer.m) trainer.m.get(n)?.assign(t);
          for (const [n, t] of f.optimizer.v) trainer.v.get(n)?.assign(t);
        }
        trainer.step = f.state?.step ?? 0;
        if (f.state) rng.restore(f.state.rngState);
      } finally {
        disposeGptFolder(f);
      }
      keepGptMetricsUpTo(dir, trainer.step);
      log(`Resuming ${dir} from step ${trainer.step}.`);
    } else {
      const base = GPT_PRESETS[o.preset];
      if (o.blockSize > base.maxPositions)
        throw new Error(
          `The block size (--block-size) ${o.blockSize} exceeds the ${base.maxPositions} positions of the ${o.preset} preset; use at most ${base.maxPositions}.`,
        );
      const counter = new PieceCounter();
      const t0 = Date.now();
      await countCorpusPieces(files, counter, emptyStats(), cb.shouldStop);
      tok = trainBpe(counter.counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
      log(
        `Tokenizer: ${tok.size} byte-level BPE tokens (${tok.merges.length} merges) in ${Date.now() - t0} ms.`,
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
        `The block size (--block-size) ${o.blockSize} exceeds the model's ${cfg.gpt.maxPositions} positions; use at most ${cfg.gpt.maxPositions}.`,
      );
    const stats = emptyStats();
    const ids = await tokenizeCorpus(files, tok, stats, cb.shouldStop);
    const data = new LmData(ids, o.blockSize, o.batchSize, o.heldOutShare, rng);
    log(
      `Corpus: ${ids.length.toLocaleString('en')} tokens, ${data.heldOut.length.toLocaleString('en')} held out for perplexity.`,
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
  const { model, trainer, data, rng, cfg } = s;
  const names = [...model.params.keys()];
  const totalSteps = Math.max(o.steps, trainer.step);
  let lastProgress: GptProgress | undefined;
  let lastGood: GptTrainerState | undefined;
  let heldOut: number | undefined;
  const save = (finished: boolean) => {
    heldOut = heldOutPerplexity(model, data);
    if (lastProgress && heldOut !== undefined) lastProgress = { ...lastProgress, heldOutPerplexity: heldOut };
    const state: GptTrainerState = {
      step: trainer.step,
      totalSteps,
      rngState: rng.snapshot,
      options: { ...o, preset: cfg.preset ?? o.preset },
      lastMetrics: lastProgress,
      finished,
      savedAt: new Date().toISOString(),
    };
    saveGptCheckpoint(dir, names, { weights: model.params, m: trainer.m, v: trainer.v, state });
    lastGood = state;
    if (heldOut !== undefined)
      cb.onLog?.(`Checkpoint at step ${trainer.step}: held-out perplexity ${heldOut.toFixed(2)}.`);
  };
  const r = await trainLoop(lmTask(model, data, rng), {
    optimizer: trainer,
    totalSteps,
    learningRate: (step) => learningRateAt(step, o.learningRate, o.warmupSteps, totalSteps),
    reportEvery: o.logEvery,
    checkpointEvery: o.checkpointEvery,
    checkpoint: save,
    shouldStop: cb.shouldStop,
    onProgress: (p: LoopProgress) => {
      lastProgress = {
        step: p.step,
        totalSteps: p.totalSteps,
        loss: p.metrics.loss,
        perplexity: Math.exp(p.metrics.loss),
        ...(heldOut !== undefined ? { heldOutPerplexity: heldOut } : {}),
        learningRate: p.learningRate,
        tokensPerSecond: p.tokensPerSecond,
        etaSeconds: p.etaSeconds,
        elapsedSeconds: p.elapsedSeconds,
      };
      appendGptMetrics(dir, lastProgress);
      cb.onProgress?.(lastProgress);
    },
  });
  return {
    status: r.status,
    step: lastGood?.step ?? 0,
    summary: summariseGpt(dir),
    lastProgress,
    replaced: s.replaced,
  };
}
