// Pretrains BERT on a corpus, as a task of the training loop (loop.ts): this file builds or resumes the
// vocabulary, model and optimizer, and supplies the masked-LM + next-sentence batches, their loss, the
// metrics (TrainProgress, metrics.jsonl) and the checkpoint writer; the loop runs the steps. The output
// folder is claimed first (outDir.ts): checked, locked and never another model's.
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
import { BERT_FORMAT } from '../../shared/modelKinds';
import {
  appendMetrics,
  bertParamCount,
  checkpointDir,
  FORMAT_VERSION,
  type ModelConfigFile,
  saveCheckpoint,
  summarize,
  type TrainerState,
  writeModelHeader,
} from '../checkpoint/bert';
import {
  type Batch,
  CorpusTooSmallError,
  checkCorpusDocuments,
  corpusProblem,
  countWords,
  PretrainingData,
} from '../data/batches';
import { emptyStats, resolveCorpus } from '../data/corpus';
import { Masker } from '../data/mlm';
import { Bert, decays } from '../models/bert';
import { Rng } from '../random';
import { BasicTokenizer } from '../tokenizer/basic';
import { trainWordPieceVocab } from '../tokenizer/trainer';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { checkCorpusAgainstVocab } from './corpusCheck';
import { type LoopProgress, type LoopTask, trainLoop } from './loop';
import { claimOutDir, type ExistingModel } from './outDir';
import { keepMetricsUpTo, resumeBert } from './resumeBert';
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
  replaced?: ExistingModel; // the model a fresh training replaced in its folder
}

// The options a caller gave, as opposed to defaults withDefaults filled in: a resumed model keeps its
// own preset unless one is asked for.
const givenKeys = new WeakMap<PretrainOptions, ReadonlySet<string>>();

export function withDefaults(
  o: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'>,
): PretrainOptions {
  const given = Object.entries(o).filter(([, v]) => v !== undefined);
  const merged = { ...DEFAULT_PRETRAIN, ...Object.fromEntries(given) } as PretrainOptions;
  givenKeys.set(merged, new Set(given.map(([k]) => k)));
  return merged;
}

/** Whether the caller chose this option (options not made by withDefaults count as all chosen). */
export function isGiven(o: PretrainOptions, key: keyof PretrainOptions): boolean {
  return givenKeys.get(o)?.has(key) ?? true;
}

// Options that must be positive, as a person names them (the CLI flag in brackets).
const POSITIVE: Partial<Record<keyof PretrainOptions, string>> = {
  steps: 'The number of steps (--steps)',
  batchSize: 'The batch size (--batch-size)',
  maxSeqLength: 'The sequence length (--max-seq-length)',
  maxPredictionsPerSeq: 'The predictions per sequence (--max-predictions)',
  vocabSize: 'The vocabulary size (--vocab-size)',
  learningRate: 'The learning rate (--lr)',
  checkpointEvery: 'The checkpoint interval (--checkpoint-every)',
  logEvery: 'The log interval (--log-every)',
};

function checkOptions(o: PretrainOptions): void {
  for (const [k, name] of Object.entries(POSITIVE)) {
    const v = o[k as keyof PretrainOptions];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new Error(`${name} must be a positive number, got ${v}.`);
  }
  if (o.maxSeqLength < 8)
    throw new Error(`The sequence length (--max-seq-length) ${o.maxSeqLength} is too short; use at least 8.`);
  if (!(o.maskProb > 0 && o.maskProb < 1))
    throw new Error(`The masking probability (--mask-prob) must be between 0 and 1, got ${o.maskProb}.`);
}

function checkPositions(o: PretrainOptions, maxPositions: number): void {
  if (o.maxSeqLength > maxPositions)
    throw new Error(
      `The sequence length (--max-seq-length) ${o.maxSeqLength} exceeds the ${maxPositions} positions of the model; use at most ${maxPositions}.`,
    );
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
  // the folder first: a folder that must not be trained into is refused before the corpus is read
  const claim = claimOutDir('bert', o.outDir, log);
  try {
    await checkCorpusDocuments(files, cb.shouldStop); // one document makes no NSP pairs: say so before any work
    return await train(o, files, claim, cb, log);
  } finally {
    claim.release();
  }
}

async function train(
  o: PretrainOptions,
  files: string[],
  claim: ReturnType<typeof claimOutDir>,
  cb: PretrainCallbacks,
  log: (m: string) => void,
): Promise<PretrainResult> {
  const outDir = claim.dir;
  const resuming = o.resume && claim.existing !== undefined && checkpointDir(outDir) !== undefined;
  const replaced = resuming ? undefined : claim.existing;
  if (replaced) log(`Starting over: this replaces ${replaced.description}.`);
  else checkPositions(o, BERT_PRESETS[o.preset].maxPositions);

  const rng = new Rng(o.seed);
  let vocab: Vocab;
  let cfgFile: ModelConfigFile;
  let model: Bert | undefined;
  let trainer: Trainer | undefined;
  try {
    if (resuming) {
      const r = resumeBert(o, isGiven(o, 'preset'), outDir, files, log);
      ({ config: cfgFile, vocab, model, trainer } = r);
      if (r.state) rng.restore(r.state.rngState);
      keepMetricsUpTo(outDir, trainer.step);
      log(`Resuming ${outDir} from step ${trainer.step}.`);
    } else {
      vocab = await buildVocab(o, files, cb.shouldStop, log);
      const base = BERT_PRESETS[o.preset];
      const bert: BertConfig = {
        ...base,
        vocabSize: vocab.size,
        dropout: o.dropout ?? base.dropout,
        initializerRange: o.initializerRange ?? base.initializerRange,
      };
      cfgFile = {
        format: BERT_FORMAT,
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
    const setup = { outDir, rng, vocab, cfgFile, model, trainer, resuming, replaced };
    return await run(o, files, { ...setup, clearOld: () => claim.clearForFresh() }, cb, log);
  } finally {
    model?.dispose();
    trainer?.dispose();
  }
}

/** The vocabulary of a new model: the given vocab.txt (checked against the corpus) or one trained on it. */
async function buildVocab(
  o: PretrainOptions,
  files: string[],
  shouldStop: (() => boolean) | undefined,
  log: (m: string) => void,
): Promise<Vocab> {
  if (o.vocabFile) {
    const vocab = Vocab.load(o.vocabFile);
    const tok = new WordPieceTokenizer(vocab, { lowercase: o.lowercase });
    checkCorpusAgainstVocab(files, tok, vocab.unkId, o.vocabFile);
    log(`Vocabulary: ${vocab.size} tokens from ${o.vocabFile}.`);
    return vocab;
  }
  const basic = new BasicTokenizer({ lowercase: o.lowercase });
  const stats = emptyStats();
  const t0 = Date.now();
  const counts = await countWords(files, (s) => basic.tokenize(s), stats, shouldStop);
  if (counts.size === 0) throw new CorpusTooSmallError(corpusProblem(0, 0, stats, o.maxSeqLength)!);
  const vocab = trainWordPieceVocab(counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
  log(
    `Vocabulary: ${vocab.size} WordPieces trained from ${counts.size} distinct words in ${Date.now() - t0} ms.`,
  );
  return vocab;
}

interface Setup {
  outDir: string;
  rng: Rng;
  vocab: Vocab;
  cfgFile: ModelConfigFile;
  model: Bert;
  trainer: Trainer;
  resuming: boolean;
  replaced?: ExistingModel;
  clearOld(): void; // removes the replaced model's checkpoint and metrics
}

async function run(
  o: PretrainOptions,
  files: string[],
  { outDir, rng, vocab, cfgFile, model, trainer, resuming, replaced, clearOld }: Setup,
  cb: PretrainCallbacks,
  log: (m: string) => void,
): Promise<PretrainResult> {
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
      options: { ...o, preset: cfgFile.preset ?? o.preset }, // a resumed model keeps its own preset
      lastMetrics: lastProgress,
      finished,
      savedAt: new Date().toISOString(),
    };
    saveCheckpoint(outDir, names, { weights: model.params, m: trainer.m, v: trainer.v, state });
    lastGood = state;
  };

  if (!resuming) {
    // the replaced model goes only now that the new one's vocabulary is ready
    clearOld();
    writeModelHeader(outDir, cfgFile, vocab);
  }
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
  const s = data.stats;
  if (s.skippedBinary.length + s.skippedEncoding.length > 0) {
    log(`Skipped ${s.skippedBinary.length} binary and ${s.skippedEncoding.length} non-UTF-8 file(s).`);
  }
  return {
    status: r.status,
    step: lastGood?.step ?? 0,
    summary: summarize(outDir, cfgFile, lastGood, bertParamCount(cfgFile.bert)),
    lastProgress,
    replaced,
  };
}
