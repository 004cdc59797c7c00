// Pretrains ELMo's biLM on a corpus, as a task of the training loop (train/loop.ts): this file builds or
// resumes the vocabulary, model and optimizer, and supplies the windows, the loss (mean of the forward
// and backward LMs' cross-entropy), the metrics (both perplexities) and the checkpoint writer. The output
// folder is claimed first (outDir.ts): checked, locked and never another kind's model. Cancel, resume and
// atomic checkpoints work as for BERT; a resumed run restores weights, optimizer moments, step and the
// random state, and rereads the corpus from its start.
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_ELMO_PRETRAIN,
  ELMO_FORMAT,
  ELMO_PRESETS,
  type ElmoConfig,
  type ElmoPretrainOptions,
  type ElmoProgress,
  type ElmoSummary,
  isElmoPreset,
} from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import {
  checkpointDir,
  disposeElmoFolder,
  ELMO_FORMAT_VERSION,
  type ElmoConfigFile,
  loadElmoFolder,
  saveElmoCheckpoint,
  summariseElmo,
  writeElmoHeader,
} from '../../checkpoint/elmo';
import { buildElmoVocab, type ElmoBatch, type ElmoVocab, elmoBatches } from '../../data/elmoData';
import { Elmo, elmoDecays, sampleCandidates } from '../../models/elmo';
import { Rng } from '../../random';
import type { LoopProgress, LoopTask } from '../loop';
import { claimOutDir, type OutDirClaim } from '../outDir';
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

export type ElmoCallbacks = PretrainCallbacksOf<ElmoProgress>;
export type ElmoPretrainResult = PretrainResultOf<ElmoSummary, ElmoProgress>;

export type ElmoPretrainInput = Partial<ElmoPretrainOptions> & Pick<ElmoPretrainOptions, 'corpus' | 'outDir'>;

/** The options with defaults filled in for what the caller left undefined. */
export function elmoWithDefaults(o: ElmoPretrainInput): ElmoPretrainOptions {
  return withDefaultsOf(DEFAULT_ELMO_PRETRAIN, o);
}

const POSITIVE = (): [keyof ElmoPretrainOptions, string][] => [
  ['steps', l10n.t('The number of steps (--steps)')],
  ['batchSize', l10n.t('The batch size (--batch-size)')],
  ['seqLength', l10n.t('The window length (--max-seq-length)')],
  ['maxVocab', l10n.t('The vocabulary size (--max-vocab)')],
  ['learningRate', l10n.t('The learning rate (--lr)')],
  ['checkpointEvery', l10n.t('The checkpoint interval (--checkpoint-every)')],
  ['logEvery', l10n.t('The log interval (--log-every)')],
];

function checkOptions(o: ElmoPretrainOptions): void {
  checkPositive(o, POSITIVE());
  if (!(Number.isInteger(o.sampledSoftmax) && o.sampledSoftmax >= 0))
    throw new Error(
      l10n.t(
        'The sampled softmax size (--sampled-softmax) must be 0 or a whole number of words, got {0}.',
        o.sampledSoftmax,
      ),
    );
  if (!isElmoPreset(o.preset))
    throw new Error(
      l10n.t('The preset {0} is not one of {1}.', o.preset, Object.keys(ELMO_PRESETS).join(', ')),
    );
}

/** ELMo pretraining as the loop sees it. */
function elmoTask(
  model: Elmo,
  batches: AsyncIterator<ElmoBatch>,
  rng: Rng,
  sampledSoftmax: number,
): LoopTask<ElmoBatch> {
  return {
    batches,
    loss(b) {
      const seed = rng.seed(); // dropout masks of this step
      const shape: [number, number] = [b.batchSize, b.windowLength];
      const s =
        sampledSoftmax > 0 && sampledSoftmax < model.config.vocabSize
          ? sampleCandidates(b.ids, model.config.vocabSize, sampledSoftmax, () => rng.next())
          : undefined;
      return () => {
        const ids = tf.tensor2d(b.ids, shape, 'int32');
        const sampled = s && {
          candidates: tf.tensor1d(s.candidates, 'int32'),
          targets: tf.tensor2d(s.targets, shape, 'int32'),
        };
        const l = model.lmLosses(ids, { training: true, seed, sampled });
        return { loss: l.loss, metrics: { forwardLoss: l.forwardLoss, backwardLoss: l.backwardLoss } };
      };
    },
    tokens: (b) => b.batchSize * (b.windowLength - 1),
    // perplexity of the window: exp of the mean cross-entropy, not the mean of per-step perplexities
    windowMetrics: (s, steps) => ({
      loss: s.loss / steps,
      forwardPerplexity: Math.exp(s.forwardLoss / steps),
      backwardPerplexity: Math.exp(s.backwardLoss / steps),
    }),
  };
}

function elmoProgress(p: LoopProgress): ElmoProgress {
  return {
    step: p.step,
    totalSteps: p.totalSteps,
    loss: p.metrics.loss,
    forwardPerplexity: p.metrics.forwardPerplexity,
    backwardPerplexity: p.metrics.backwardPerplexity,
    learningRate: p.learningRate,
    tokensPerSecond: p.tokensPerSecond,
    etaSeconds: p.etaSeconds,
    elapsedSeconds: p.elapsedSeconds,
  };
}

export async function pretrainElmo(
  o: ElmoPretrainOptions,
  cb: ElmoCallbacks = {},
): Promise<ElmoPretrainResult> {
  checkOptions(o);
  const log = (m: string) => cb.onLog?.(m);
  const files = corpusFiles(o.corpus, log);
  const claim = claimOutDir('elmo', o.outDir, log);
  try {
    return await train(o, files, claim, cb, log);
  } finally {
    claim.release();
  }
}

interface Setup {
  config: ElmoConfigFile;
  vocab: ElmoVocab;
  model: Elmo;
  trainer: Trainer;
  resuming: boolean;
}

async function setUp(
  o: ElmoPretrainOptions,
  files: string[],
  claim: OutDirClaim,
  rng: Rng,
  cb: ElmoCallbacks,
  log: (m: string) => void,
): Promise<Setup> {
  const dir = claim.dir;
  if (o.resume && claim.existing && checkpointDir(dir)) {
    const f = loadElmoFolder(dir, { withOptimizer: true });
    try {
      const model = new Elmo(f.config.elmo, { weights: f.weights });
      const trainer = new Trainer(model, {
        weightDecay: o.weightDecay,
        clipNorm: o.clipNorm,
        decays: elmoDecays,
      });
      restoreTrainer(trainer, f);
      continueRun(dir, trainer.step, f.state, rng, log);
      return { config: f.config, vocab: f.vocab, model, trainer, resuming: true };
    } finally {
      disposeElmoFolder(f);
    }
  }
  if (claim.existing) log(l10n.t('Starting over: this replaces {0}.', claim.existing.description));
  const t0 = Date.now();
  const { vocab, distinct } = await buildElmoVocab(files, o, cb.shouldStop);
  if (vocab.size <= 2)
    throw new Error(
      l10n.t(
        'The corpus has no word seen at least {0} times; give more text or a lower --min-count.',
        o.minCount,
      ),
    );
  log(l10n.t('Vocabulary: {0} words (of {1} distinct) in {2} ms.', vocab.size, distinct, Date.now() - t0));
  const elmo: ElmoConfig = { ...ELMO_PRESETS[o.preset], vocabSize: vocab.size };
  const config: ElmoConfigFile = {
    format: ELMO_FORMAT,
    formatVersion: ELMO_FORMAT_VERSION,
    modelType: 'elmo',
    preset: o.preset,
    elmo,
    tokenizer: { lowercase: o.lowercase },
    corpus: o.corpus,
    createdAt: new Date().toISOString(),
  };
  const model = new Elmo(elmo, { seed: o.seed });
  const trainer = new Trainer(model, {
    weightDecay: o.weightDecay,
    clipNorm: o.clipNorm,
    decays: elmoDecays,
  });
  return { config, vocab, model, trainer, resuming: false };
}

async function train(
  o: ElmoPretrainOptions,
  files: string[],
  claim: OutDirClaim,
  cb: ElmoCallbacks,
  log: (m: string) => void,
): Promise<ElmoPretrainResult> {
  const rng = new Rng(o.seed);
  const s = await setUp(o, files, claim, rng, cb, log);
  const { model, trainer, config, vocab } = s;
  const dir = claim.dir;
  try {
    if (!s.resuming) {
      claim.clearForFresh(); // the replaced model goes only now that the new one is ready
      writeElmoHeader(dir, config, vocab);
    }
    const lowercase = config.tokenizer.lowercase;
    const batches = elmoBatches(
      files,
      vocab,
      { lowercase, batchSize: o.batchSize, seqLength: o.seqLength },
      rng,
    );
    const r = await runPretraining({
      dir,
      task: elmoTask(model, batches, rng, o.sampledSoftmax),
      o,
      preset: config.preset,
      model,
      trainer,
      rng,
      save: (names, c) => saveElmoCheckpoint(dir, names, c),
      progress: elmoProgress,
      onProgress: (p) => cb.onProgress?.(p),
      shouldStop: cb.shouldStop,
    });
    return {
      status: r.status,
      step: r.lastGood?.step ?? trainer.step,
      summary: summariseElmo(dir),
      lastProgress: r.lastProgress,
      replaced: s.resuming ? undefined : claim.existing,
    };
  } finally {
    model.dispose();
    trainer.dispose();
  }
}
