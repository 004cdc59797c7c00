// BERT pretraining as the training loop (loop.ts) sees it: the masked-LM + next-sentence batches, the
// loss of a batch on tfjs, or a whole step by the hand-written BERT step (fastBert.ts) with AdamW applied
// by the trainer, and the metrics the CLI, the extension and metrics.jsonl read. pretrainBert.ts builds
// the model, data and optimizer around it.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainProgress } from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import type { Batch, PretrainingData } from '../../data/batches';
import type { Bert } from '../../models/bert';
import type { Rng } from '../../random';
import { type FastBertStep, nspOnly, variableValues } from '../fastBert';
import type { LoopProgress, LoopTask } from '../loop';
import { NonFiniteLossError, type StepResult, type Trainer } from '../trainer';

/** BERT pretraining as the loop sees it: masked-LM + next-sentence batches, their loss and metrics. */
export function bertPretrainingTask(
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
  // in place: no tfjs kernel reads this model meanwhile; the NSP-only gradients are zero at weight 0
  const gradNorm = trainer.applyGradients(grads, lr, { inPlace: true, sumSquares: r.sumSquares });
  return {
    loss: r.loss,
    gradNorm,
    metrics: { mlmLoss: r.mlmLoss, nspLoss: r.nspLoss, mlmCorrect: r.mlmCorrect, nspCorrect: r.nspCorrect },
  };
}

/** The loop's report in the shape the extension, the CLI and metrics.jsonl read. */
export function trainProgress(p: LoopProgress, unigramEntropy: number | undefined): TrainProgress {
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
