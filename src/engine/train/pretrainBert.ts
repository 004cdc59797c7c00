// Pretrains BERT on a corpus, as a task of the training loop (loop.ts): this file builds or resumes the
// vocabulary, model and optimizer, and supplies the masked-LM + next-sentence batches, their loss, the
// metrics (TrainProgress, metrics.jsonl) and the checkpoint writer; the loop runs the steps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  BERT_PRESETS,
  type BertConfig,
  DEFAULT_PRETRAIN,
  type MaskingSample,
  type ModelSummary,
  type PretrainOptions,
  type TrainProgress,
} from '../../shared/configs';
import {
  appendMetrics,
  checkpointDir,
  disposeLoaded,
  FORMAT,
  FORMAT_VERSION,
  loadModelFolder,
  type ModelConfigFile,
  saveCheckpoint,
  type TrainerState,
  writeModelHeader,
} from '../checkpoint/bert';
import { type Batch, CorpusTooSmallError, corpusProblem, countWords, PretrainingData } from '../data/batches';
import { emptyStats, resolveCorpus } from '../data/corpus';
import { Masker } from '../data/mlm';
import { Bert, decays } from '../models/bert';
import { Rng } from '../random';
import { BasicTokenizer } from '../tokenizer/basic';
import { trainWordPieceVocab } from '../tokenizer/trainer';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { type LoopProgress, type LoopTask, trainLoop } from './loop';
import { learningRateAt } from './schedule';
import { Trainer } from './trainer';

export interface PretrainCallbacks {
  onProgress?(p: TrainProgress, sample: MaskingSample | undefined): void;
  onLog?(message: string): void;
  shouldStop?(): boolean;
}

export interface PretrainResult {
  status: 'done' | 'cancelled';
  step: number;
  summary: ModelSummary;
  lastProgress?: TrainProgress;
}

export function withDefaults(
  o: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'>,
): PretrainOptions {
  const merged = {
    ...DEFAULT_PRETRAIN,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  };
  return merged as PretrainOptions;
}

function checkOptions(o: PretrainOptions): void {
  const pos = (k: keyof PretrainOptions) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new Error(`--${k} must be a positive number, got ${v}.`);
  };
  (
    [
      'steps',
      'batchSize',
      'maxSeqLength',
      'maxPredictionsPerSeq',
      'vocabSize',
      'learningRate',
      'checkpointEvery',
      'logEvery',
    ] as const
  ).forEach(pos);
  if (o.maxSeqLength < 8) throw new Error(`--max-seq-length ${o.maxSeqLength} is too short; use at least 8.`);
  if (o.maxSeqLength > BERT_PRESETS[o.preset].maxPositions) {
    throw new Error(
      `--max-seq-length ${o.maxSeqLength} exceeds the ${BERT_PRESETS[o.preset].maxPositions} positions of the model.`,
    );
  }
  if (!(o.maskProb > 0 && o.maskProb < 1))
    throw new Error(`--mask-prob must be between 0 and 1, got ${o.maskProb}.`);
}

export function summarize(
  dir: string,
  cfg: ModelConfigFile,
  state: TrainerState | undefined,
  params: number,
): ModelSummary {
  return {
    dir,
    type: 'bert',
    preset: cfg.preset,
    config: cfg.bert,
    vocabSize: cfg.bert.vocabSize,
    parameters: params,
    corpus: cfg.corpus,
    steps: state?.step ?? 0,
    totalSteps: state?.totalSteps,
    finalMetrics: state?.lastMetrics,
    createdAt: cfg.createdAt,
  };
}

/** BERT pretraining as the loop sees it: masked-LM + next-sentence batches, their loss and metrics. */
function bertPretrainingTask(model: Bert, data: PretrainingData, rng: Rng): LoopTask<Batch> {
  return {
    batches: data.batches(),
    loss(b) {
      const stepSeed = rng.seed(); // dropout masks of this step
      return () => {
        const B = b.batchSize;
        const T = b.seqLength;
        const inputs = {
          inputIds: tf.tensor2d(b.inputIds, [B, T], 'int32'),
          segmentIds: tf.tensor2d(b.segmentIds, [B, T], 'int32'),
          attentionMask: tf.tensor2d(b.attentionMask, [B, T], 'float32'),
        };
        const targets = {
          maskedPositions: tf.tensor1d(b.maskedPositions, 'int32'),
          maskedIds: tf.tensor1d(b.maskedIds, 'int32'),
          maskedWeights: tf.tensor1d(b.maskedWeights, 'float32'),
          nspLabels: tf.tensor1d(b.nspLabels, 'int32'),
        };
        const l = model.pretrainLosses(inputs, targets, { training: true, seed: stepSeed });
        return {
          loss: l.loss,
          metrics: {
            mlmLoss: l.mlmLoss,
            nspLoss: l.nspLoss,
            mlmCorrect: l.mlmCorrect,
            nspCorrect: l.nspCorrect,
          },
        };
      };
    },
    tokens: (b) => b.numTokens,
    stepMetrics(b, r) {
      let predicted = 0; // masked positions that are real predictions (weight 1), not padding
      for (let i = 0; i < b.maskedWeights.length; i++) predicted += b.maskedWeights[i];
      return { ...r.metrics, mlmN: predicted, nspN: b.batchSize };
    },
    windowMetrics: (s, steps) => ({
      mlmLoss: s.mlmLoss / steps,
      nspLoss: s.nspLoss / steps,
      mlmAccuracy: s.mlmN > 0 ? s.mlmCorrect / s.mlmN : 0,
      nspAccuracy: s.nspN > 0 ? s.nspCorrect / s.nspN : 0,
    }),
  };
}

/** The loop's report in the shape the extension, the CLI and metrics.jsonl read. */
function trainProgress(p: LoopProgress): TrainProgress {
  return {
    step: p.step,
    totalSteps: p.totalSteps,
    mlmLoss: p.metrics.mlmLoss,
    nspLoss: p.metrics.nspLoss,
    mlmAccuracy: p.metrics.mlmAccuracy,
    nspAccuracy: p.metrics.nspAccuracy,
    learningRate: p.learningRate,
    tokensPerSecond: p.tokensPerSecond,
    etaSeconds: p.etaSeconds,
    elapsedSeconds: p.elapsedSeconds,
  };
}

export async function pretrainBert(
  input: PretrainOptions,
  cb: PretrainCallbacks = {},
): Promise<PretrainResult> {
  const o = input;
  checkOptions(o);
  const log = (m: string) => cb.onLog?.(m);
  const { files, missing } = resolveCorpus(o.corpus);
  if (files.length === 0) {
    const what = o.corpus.length ? o.corpus.join(', ') : '(nothing given)';
    throw new Error(`No corpus files found at ${what}; give text files, a folder or a glob with --corpus.`);
  }
  if (missing.length) log(`Not found, ignored: ${missing.join(', ')}`);
  const outDir = path.resolve(o.outDir);
  const resuming =
    o.resume && checkpointDir(outDir) !== undefined && fs.existsSync(path.join(outDir, 'config.json'));
  if (!resuming && fs.existsSync(outDir) && fs.readdirSync(outDir).some((f) => !f.startsWith('.'))) {
    if (!fs.existsSync(path.join(outDir, 'config.json'))) {
      throw new Error(
        `The output folder ${outDir} is not empty and holds no Pretrain Lab model; choose a new or empty folder.`,
      );
    }
  }

  const rng = new Rng(o.seed);
  let vocab: Vocab;
  let cfgFile: ModelConfigFile;
  let model: Bert;
  let trainer: Trainer;
  if (resuming) {
    const loaded = loadModelFolder(outDir, { withOptimizer: true });
    cfgFile = loaded.config;
    vocab = loaded.vocab;
    model = new Bert(cfgFile.bert, { weights: loaded.weights });
    trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays });
    if (loaded.optimizer) {
      for (const [n, t] of loaded.optimizer.m) trainer.m.get(n)?.assign(t);
      for (const [n, t] of loaded.optimizer.v) trainer.v.get(n)?.assign(t);
    }
    trainer.step = loaded.state?.step ?? 0;
    if (loaded.state) rng.restore(loaded.state.rngState);
    disposeLoaded(loaded);
    log(`Resuming ${outDir} from step ${trainer.step}.`);
  } else {
    if (o.vocabFile) {
      vocab = Vocab.load(o.vocabFile);
      log(`Vocabulary: ${vocab.size} tokens from ${o.vocabFile}.`);
    } else {
      const basic = new BasicTokenizer({ lowercase: o.lowercase });
      const stats = emptyStats();
      const t0 = Date.now();
      const counts = await countWords(files, (s) => basic.tokenize(s), stats, cb.shouldStop);
      if (counts.size === 0) throw new CorpusTooSmallError(corpusProblem(0, 0, stats, o.maxSeqLength)!);
      vocab = trainWordPieceVocab(counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
      log(
        `Vocabulary: ${vocab.size} WordPieces trained from ${counts.size} distinct words in ${Date.now() - t0} ms.`,
      );
    }
    const base = BERT_PRESETS[o.preset];
    const bert: BertConfig = {
      ...base,
      vocabSize: vocab.size,
      dropout: o.dropout ?? base.dropout,
      initializerRange: o.initializerRange ?? base.initializerRange,
    };
    cfgFile = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      modelType: 'bert',
      preset: o.preset,
      bert,
      tokenizer: { lowercase: o.lowercase },
      corpus: o.corpus,
      createdAt: new Date().toISOString(),
    };
    model = new Bert(bert, { seed: o.seed });
    trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays });
  }

  const tok = new WordPieceTokenizer(vocab, { lowercase: cfgFile.tokenizer.lowercase });
  const masker = new Masker(vocab, {
    maskProb: o.maskProb,
    maxPredictions: o.maxPredictionsPerSeq,
    wholeWordMask: o.wholeWordMask,
  });
  const data = new PretrainingData(files, tok, masker, o, rng);
  const names = [...model.params.keys()];
  const totalSteps = Math.max(o.steps, trainer.step);
  let lastGood: TrainerState | undefined;
  let lastProgress: TrainProgress | undefined;

  const save = (finished: boolean) => {
    const state: TrainerState = {
      step: trainer.step,
      totalSteps,
      rngState: rng.snapshot,
      options: { ...o },
      lastMetrics: lastProgress,
      finished,
      savedAt: new Date().toISOString(),
    };
    if (!fs.existsSync(path.join(outDir, 'config.json'))) writeModelHeader(outDir, cfgFile, vocab);
    saveCheckpoint(outDir, names, { weights: model.params, m: trainer.m, v: trainer.v, state });
    lastGood = state;
  };

  let status: PretrainResult['status'] = 'done';
  try {
    if (!resuming) writeModelHeader(outDir, cfgFile, vocab);
    const r = await trainLoop(bertPretrainingTask(model, data, rng), {
      optimizer: trainer,
      totalSteps,
      learningRate: (step) => learningRateAt(step, o.learningRate, o.warmupSteps, totalSteps),
      reportEvery: o.logEvery,
      checkpointEvery: o.checkpointEvery,
      checkpoint: save,
      shouldStop: cb.shouldStop,
      onProgress: (p) => {
        lastProgress = trainProgress(p);
        appendMetrics(outDir, lastProgress);
        cb.onProgress?.(lastProgress, data.lastSample);
      },
    });
    status = r.status;
  } finally {
    model.dispose();
    trainer.dispose();
  }
  const s = data.stats;
  if (s.skippedBinary.length + s.skippedEncoding.length > 0) {
    log(`Skipped ${s.skippedBinary.length} binary and ${s.skippedEncoding.length} non-UTF-8 file(s).`);
  }
  const params = bertParamCount(cfgFile.bert);
  return {
    status,
    step: lastGood?.step ?? 0,
    summary: summarize(outDir, cfgFile, lastGood, params),
    lastProgress,
  };
}

export function bertParamCount(c: BertConfig): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const perLayer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
  return (
    (c.vocabSize + c.maxPositions + c.typeVocabSize) * H +
    2 * H +
    c.numLayers * perLayer +
    (H * H + H) * 2 +
    2 * H +
    c.vocabSize +
    2 * H +
    2
  );
}
