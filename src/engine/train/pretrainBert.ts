// Pretrains BERT on a corpus, as a task of the training loop (loop.ts): this file builds or resumes the
// vocabulary, model and optimizer, the data and the checkpoint writer; the task itself (batches, loss or
// hand-written step, metrics) is tasks/bertPretraining.ts; the loop runs the steps. The output folder is
// claimed first (outDir.ts): checked, locked and never another model's.
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
import { flushDenormals, flushesHere } from '../onnx/runtime';
import { Rng } from '../random';
import { BasicTokenizer } from '../tokenizer/basic';
import { trainWordPieceVocab } from '../tokenizer/trainer';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { checkCorpusAgainstVocab } from './corpusCheck';
import { fastBertFor } from './fastBert';
import type { LoopProgress } from './loop';
import { claimOutDir, type ExistingModel } from './outDir';
import { resumeBert } from './resumeBert';
import { bertPretrainingTask, trainProgress } from './tasks/bertPretraining';
import { continueRun, corpusFiles, runPretraining } from './tasks/common';
import { Trainer } from './trainer';
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
  if (fast) {
    log(
      l10n.t(
        'Each step runs the hand-written BERT step on ONNX Runtime (PRETRAIN_LAB_FAST_STEP=0: TensorFlow.js).',
      ),
    );
    if (flushDenormals() && !flushesHere())
      log(
        l10n.t(
          'This engine thread keeps subnormal floats (the engine restarted in this window), which can make each step up to 3 times slower; reload the window to train at full speed.',
        ),
      );
  }
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
