// Pretrains BERT on a corpus, as a task of the training loop (loop.ts): this file builds or resumes the
// vocabulary, model and optimizer, and supplies the masked-LM + next-sentence batches, their loss, the
// metrics (TrainProgress, metrics.jsonl) and the checkpoint writer; the loop runs the steps. The output
// folder is claimed first (outDir.ts): checked, locked and never another model's.
import * as tf from '@tensorflow/tfjs-core';
import {
  BERT_PRESETS,
  BERT_RECIPES,
  type BertConfig,
  DEFAULT_PRETRAIN,
  type MaskingSample,
  type ModelSummary,
  type PretrainOptions,
  recipeWarmup,
  type TrainProgress,
} from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { BERT_FORMAT } from '../../shared/modelKinds';
import { backendInfo } from '../backend';
import {
  bertParamCount,
  checkpointDir,
  FORMAT_VERSION,
  type ModelConfigFile,
  readModelConfig,
  saveCheckpoint,
  summarize,
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
import { emptyStats } from '../data/corpus';
import { Masker } from '../data/mlm';
import { Bert, bertParamShapes, decays } from '../models/bert';
import { ortMatMulStats } from '../onnx/ortMatMul';
import { Rng } from '../random';
import { BasicTokenizer } from '../tokenizer/basic';
import { trainWordPieceVocab } from '../tokenizer/trainer';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { checkCorpusAgainstVocab } from './corpusCheck';
import { type FastBertStep, fastBertFor, nspOnly, variableValues } from './fastBert';
import type { LoopProgress, LoopTask } from './loop';
import { claimOutDir, type ExistingModel } from './outDir';
import { resumeBert } from './resumeBert';
import { continueRun, corpusFiles, runPretraining } from './tasks/common';
import { NonFiniteLossError, type StepResult, Trainer } from './trainer';
import { maskedTokenEntropy } from './unigramEntropy';

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
  const keys = new Set(given.map(([k]) => k));
  givenKeys.set(merged, keys);
  // what the caller left out comes from the preset's recipe, the warm-up as a share of the budget
  const recipe = BERT_RECIPES[merged.preset] ?? BERT_RECIPES.tiny;
  if (!keys.has('learningRate')) merged.learningRate = recipe.learningRate;
  if (!keys.has('initializerRange')) merged.initializerRange = recipe.initializerRange;
  if (!keys.has('nspWeight')) merged.nspWeight = recipe.nspWeight;
  if (!keys.has('warmupSteps')) merged.warmupSteps = recipeWarmup(recipe, merged.steps);
  return merged;
}

/** A resumed model without --preset keeps its own preset's recipe for what the caller left out. */
function keepModelRecipe(o: PretrainOptions, dir: string): void {
  const own = readModelConfig(dir).preset;
  const recipe = own ? BERT_RECIPES[own as keyof typeof BERT_RECIPES] : undefined;
  if (!recipe) return;
  if (!isGiven(o, 'learningRate')) o.learningRate = recipe.learningRate;
  if (!isGiven(o, 'nspWeight')) o.nspWeight = recipe.nspWeight;
  if (!isGiven(o, 'warmupSteps')) o.warmupSteps = recipeWarmup(recipe, o.steps);
}

/** Whether the caller chose this option (options not made by withDefaults count as all chosen). */
export function isGiven(o: PretrainOptions, key: keyof PretrainOptions): boolean {
  return givenKeys.get(o)?.has(key) ?? true;
}

// Options that must be positive, as a person names them (the CLI flag in brackets).
const POSITIVE = (): Partial<Record<keyof PretrainOptions, string>> => ({
  steps: l10n.t('The number of steps (--steps)'),
  batchSize: l10n.t('The batch size (--batch-size)'),
  maxSeqLength: l10n.t('The sequence length (--max-seq-length)'),
  maxPredictionsPerSeq: l10n.t('The predictions per sequence (--max-predictions)'),
  vocabSize: l10n.t('The vocabulary size (--vocab-size)'),
  learningRate: l10n.t('The learning rate (--lr)'),
  checkpointEvery: l10n.t('The checkpoint interval (--checkpoint-every)'),
  logEvery: l10n.t('The log interval (--log-every)'),
});

function checkOptions(o: PretrainOptions): void {
  for (const [k, name] of Object.entries(POSITIVE())) {
    const v = o[k as keyof PretrainOptions];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new Error(l10n.t('{0} must be a positive number, got {1}.', name, v));
  }
  if (o.maxSeqLength < 8)
    throw new Error(
      l10n.t('The sequence length (--max-seq-length) {0} is too short; use at least 8.', o.maxSeqLength),
    );
  if (!(o.nspWeight >= 0 && Number.isFinite(o.nspWeight)))
    throw new Error(
      l10n.t('The next-sentence weight (--nsp-weight) must be 0 or more, got {0}.', o.nspWeight),
    );
  if (!(o.maskProb > 0 && o.maskProb < 1))
    throw new Error(
      l10n.t('The masking probability (--mask-prob) must be between 0 and 1, got {0}.', o.maskProb),
    );
}

function checkPositions(o: PretrainOptions, maxPositions: number): void {
  if (o.maxSeqLength > maxPositions)
    throw new Error(
      l10n.t(
        'The sequence length (--max-seq-length) {0} exceeds the {1} positions of the model; use at most {1}.',
        o.maxSeqLength,
        maxPositions,
      ),
    );
}

/** BERT pretraining as the loop sees it: masked-LM + next-sentence batches, their loss and metrics. */
function bertPretrainingTask(
  model: Bert,
  data: PretrainingData,
  rng: Rng,
  nspWeight: number,
  trainer: Trainer,
  fast: FastBertStep | undefined,
): LoopTask<Batch> {
  return {
    ...(fast
      ? { step: (b: Batch, lr: number) => fastStep(fast, model, trainer, b, rng.seed(), nspWeight, lr) }
      : {}),
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
        // weight 0: masked LM only, and the NSP head gets no gradient at all
        const loss =
          nspWeight === 1
            ? l.loss
            : nspWeight === 0
              ? l.mlmLoss
              : (tf.add(l.mlmLoss, tf.mul(l.nspLoss, nspWeight)) as tf.Scalar);
        return {
          loss,
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

/** One step of the hand-written BERT step (fastBert.ts): loss and gradients from the variables' values, AdamW by the trainer. */
function fastStep(
  fast: FastBertStep,
  model: Bert,
  trainer: Trainer,
  b: Batch,
  seed: number,
  nspWeight: number,
  lr: number,
): StepResult {
  const r = fast.step(variableValues(model.params), b, true, seed, nspWeight);
  if (!Number.isFinite(r.loss))
    throw new NonFiniteLossError(l10n.t('the loss became {0} at step {1}', r.loss, trainer.step + 1));
  // weight 0: masked LM only, and the NSP head gets no gradient at all (as with tfjs)
  const grads = nspWeight === 0 ? new Map([...r.grads].filter(([n]) => !nspOnly(n))) : r.grads;
  const gradNorm = trainer.applyGradients(grads, lr, { inPlace: true }); // no tfjs kernel reads this model meanwhile
  return {
    loss: r.loss,
    gradNorm,
    metrics: { mlmLoss: r.mlmLoss, nspLoss: r.nspLoss, mlmCorrect: r.mlmCorrect, nspCorrect: r.nspCorrect },
  };
}

/** The loop's report in the shape the extension, the CLI and metrics.jsonl read. */
function trainProgress(p: LoopProgress, unigramEntropy: number | undefined): TrainProgress {
  return {
    step: p.step,
    totalSteps: p.totalSteps,
    mlmLoss: p.metrics.mlmLoss,
    nspLoss: p.metrics.nspLoss,
    mlmAccuracy: p.metrics.mlmAccuracy,
    nspAccuracy: p.metrics.nspAccuracy,
    ...(unigramEntropy !== undefined ? { unigramEntropy } : {}),
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
  const files = corpusFiles(o.corpus, log);
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
  if (replaced) log(l10n.t('Starting over: this replaces {0}.', replaced.description));
  else checkPositions(o, BERT_PRESETS[o.preset].maxPositions);

  const rng = new Rng(o.seed);
  let vocab: Vocab;
  let cfgFile: ModelConfigFile;
  let model: Bert | undefined;
  let trainer: Trainer | undefined;
  try {
    if (resuming) {
      if (!isGiven(o, 'preset')) keepModelRecipe(o, outDir);
      const r = resumeBert(o, isGiven(o, 'preset'), outDir, files, log);
      ({ config: cfgFile, vocab, model, trainer } = r);
      continueRun(outDir, trainer.step, r.state, rng, log);
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
    log(l10n.t('Vocabulary: {0} tokens from {1}.', vocab.size, o.vocabFile));
    return vocab;
  }
  const basic = new BasicTokenizer({ lowercase: o.lowercase });
  const stats = emptyStats();
  const t0 = Date.now();
  const counts = await countWords(files, (s) => basic.tokenize(s), stats, shouldStop);
  if (counts.size === 0) throw new CorpusTooSmallError(corpusProblem(0, 0, stats, o.maxSeqLength)!);
  const vocab = trainWordPieceVocab(counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
  log(
    l10n.t(
      'Vocabulary: {0} WordPieces trained from {1} distinct words in {2} ms.',
      vocab.size,
      counts.size,
      Date.now() - t0,
    ),
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
  const info = backendInfo();
  // as many ORT threads as the products of tfjs training get (PRETRAIN_LAB_ORT_MATMUL_THREADS, else all)
  const threads = ortMatMulStats().threads || info?.inference?.threads || 1;
  const fast = fastBertFor(model.config, bertParamShapes(model.config), info?.ortProducts === true, threads);
  if (fast)
    log(
      l10n.t(
        'Each step runs the hand-written BERT step on ONNX Runtime (PRETRAIN_LAB_FAST_STEP=0: TensorFlow.js).',
      ),
    );
  try {
    // the loss of a frequency-only guess, so a reader can tell a run that has not learnt yet
    const unigramEntropy = await maskedTokenEntropy(files, tok, undefined, cb.shouldStop);
    if (!resuming) {
      // the replaced model goes only now that the new one's vocabulary is ready
      clearOld();
      writeModelHeader(outDir, cfgFile, vocab);
    }
    const r = await runPretraining({
      dir: outDir,
      task: bertPretrainingTask(model, data, rng, o.nspWeight, trainer, fast),
      o,
      preset: cfgFile.preset,
      model,
      trainer,
      rng,
      save: (names, c) => saveCheckpoint(outDir, names, c),
      progress: (p: LoopProgress) => trainProgress(p, unigramEntropy),
      onProgress: (p) => cb.onProgress?.(p, data.lastSample),
      shouldStop: cb.shouldStop,
    });
    const s = data.stats;
    if (s.skippedBinary.length + s.skippedEncoding.length > 0) {
      log(
        l10n.t(
          'Skipped {0} binary and {1} non-UTF-8 file(s).',
          s.skippedBinary.length,
          s.skippedEncoding.length,
        ),
      );
    }
    return {
      status: r.status,
      step: r.lastGood?.step ?? 0,
      summary: summarize(outDir, cfgFile, r.lastGood, bertParamCount(cfgFile.bert)),
      lastProgress: r.lastProgress,
      replaced,
    };
  } finally {
    fast?.dispose(); // its ONNX Runtime sessions and their threads
  }
}
